"""Parquet I/O for record tables: derived schemas, atomic writes, byte-stable output."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from schemas.arrow import from_table, to_table

M = TypeVar("M", bound=BaseModel)

TMP_MARKER = ".tmp-"


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write to a temporary sibling, then rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}{TMP_MARKER}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_records(records: Iterable[BaseModel], model: type[BaseModel], path: Path) -> None:
    write_table_atomic(to_table(records, model), path)


def read_records(path: Path, model: type[M]) -> list[M]:
    return from_table(pq.read_table(path), model)


def remove_stale_temporaries(root: Path) -> int:
    """Delete temporaries left by a killed writer; returns how many were removed."""
    stale = [p for p in root.rglob(f"*{TMP_MARKER}*") if p.is_file()] if root.exists() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
