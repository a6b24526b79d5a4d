"""Luigi tasks and workflows: wiring only, the work lives in ``factory`` and ``generators``."""

from pipelines.imports import modules_hidden

with modules_hidden("jsonschema"):  # see pipelines.imports
    import luigi  # noqa: F401
