"""Storage: where a build's files live (local or fsspec), atomic writes, byte-stable Parquet,
checksummed stage files, hashing. Bottom of ``factory/``: imports only ``factory.errors``
and ``schemas``."""
