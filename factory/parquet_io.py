"""Parquet I/O for record tables: derived schemas, atomic writes, byte-stable output.

Every function takes the ``Storage`` the path lives in (local disk by default): the
bytes are always written by pyarrow to a local file first, so a table gives the same
file wherever it is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from factory.storage import LOCAL, Storage
from schemas.arrow import from_table, to_table

M = TypeVar("M", bound=BaseModel)


def write_table_atomic(table: pa.Table, path: PurePath, storage: Storage = LOCAL) -> None:
    with storage.writing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_records(
    records: Iterable[BaseModel], model: type[BaseModel], path: PurePath, storage: Storage = LOCAL
) -> None:
    write_table_atomic(to_table(records, model), path, storage)


def read_table(
    path: PurePath, columns: list[str] | None = None, storage: Storage = LOCAL
) -> pa.Table:
    """Read a Parquet file (or a directory of them); remote files through pyarrow's
    fsspec wrapper, which reads only the footer and the wanted column chunks."""
    filesystem = storage.arrow_filesystem()
    source = path if filesystem is None else str(path)
    return pq.read_table(source, columns=columns, filesystem=filesystem)


def read_records(path: PurePath, model: type[M], storage: Storage = LOCAL) -> list[M]:
    return from_table(read_table(path, storage=storage), model)
