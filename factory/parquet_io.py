"""Parquet I/O for record tables: derived schemas, atomic writes, byte-stable output."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from factory.atomic import atomic_path
from schemas.arrow import from_table, to_table

M = TypeVar("M", bound=BaseModel)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_records(records: Iterable[BaseModel], model: type[BaseModel], path: Path) -> None:
    write_table_atomic(to_table(records, model), path)


def read_records(path: Path, model: type[M]) -> list[M]:
    return from_table(pq.read_table(path), model)
