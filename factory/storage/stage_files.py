"""Checksummed stage outputs: a build's intermediates are trusted only when they prove whole.

Every Parquet file a stage writes (``<work>/<stage>/<subset>/<shard>.parquet``, a graded
build's ``selection.parquet``) gets a sidecar ``<file>.sha256`` holding the file's sha256,
size and row count, written by the writer *after* the file. A stage output counts as
present only when both exist and the file still hashes to its record. Anything else —
no record (a writer killed between the two writes, a work directory from before
checksums), a flipped bit, a truncated file — counts as missing, so Luigi rebuilds it, and
a warning names it. Readers hash the very bytes they parse, so a file that changed after
the check is refused too; its record is then removed, and the next run rebuilds it rather
than failing on it again.

While a build's workflow runs (:func:`tables_kept`) what this process writes is kept in
memory for the reads that follow, and with ``write_behind`` its files are written on a
thread of their own (``factory.storage.stage_memory``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from factory.errors import BuildError
from factory.storage.filesystem import Storage
from factory.storage.hashing import content_mismatch
from factory.storage.parquet_io import PARQUET_OPTIONS
from factory.storage.stage_memory import Kept, StageMemory, Stamps, keeping, memory
from schemas.arrow import from_table, to_table

M = TypeVar("M", bound=BaseModel)

SIDECAR_SUFFIX = ".sha256"


class CorruptStageError(BuildError):
    """A stage file no longer matches the checksum its writer recorded."""


@dataclass(frozen=True)
class StageRecord:
    sha256: str
    bytes: int
    rows: int


def sidecar_path(path: PurePath) -> PurePath:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_stage_table(table: pa.Table, path: PurePath, storage: Storage) -> None:
    """Write ``table`` atomically, then its record: the record's presence means "whole"."""
    _write_kept(Kept(table), path, storage)


def _write_kept(kept: Kept, path: PurePath, storage: Storage) -> None:
    kept_by = memory()
    if kept_by is None:
        _encode_and_write(kept.table, path, storage)
    elif kept_by.writes_behind():
        kept_by.write_behind(kept, path, storage)
    else:
        _encode_and_write(kept.table, path, storage)
        kept_by.remember(path, storage, kept)


def _encode_and_write(table: pa.Table, path: PurePath, storage: Storage) -> None:
    sink = pa.BufferOutputStream()
    # no column statistics: nothing filters a stage file by them, and they cost ~25%
    pq.write_table(table, sink, write_statistics=False, **PARQUET_OPTIONS)
    data = sink.getvalue()
    record = StageRecord(hashlib.sha256(data).hexdigest(), data.size, table.num_rows)
    _write_whole(path, storage, data, record)


def _write_whole(
    path: PurePath, storage: Storage, data: bytes | pa.Buffer, record: StageRecord
) -> None:
    """``data`` atomically at ``path``, then its record."""
    with storage.writing(path) as tmp, tmp.open("wb") as handle:
        handle.write(data)
    storage.write_text(sidecar_path(path), json.dumps(record.__dict__, sort_keys=True) + "\n")


def write_stage_records(
    records: Iterable[BaseModel], model: type[BaseModel], path: PurePath, storage: Storage
) -> None:
    """The records' table (see :func:`write_stage_table`); while tables are kept, the
    records too, for the file's first reader (:func:`read_stage_records`)."""
    records = list(records)
    _write_kept(Kept(to_table(records, model), (model, records)), path, storage)


def stage_record(path: PurePath, storage: Storage) -> StageRecord | None:
    """The record of ``path`` (its sha256, size and rows); None when absent or damaged (a
    damaged record proves nothing)."""
    try:
        data = json.loads(storage.read_text(sidecar_path(path)))
        return StageRecord(str(data["sha256"]), int(data["bytes"]), int(data["rows"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


# Files already proven whole in this process, keyed by their and their record's stamps, so
# Luigi's repeated completeness checks do not re-hash unchanged files.
_proven: set[Stamps] = set()
_warned: set[str] = set()


@contextmanager
def tables_kept(write_behind: bool = False, **limits: int) -> Iterator[None]:
    """While the block runs (a build's workflow), what this process writes is kept for the
    reads of its unchanged files; after it, every read is of the file again.

    ``write_behind``: the files are written on a thread of their own; only where no other
    process reads them while the block runs (``factory.storage.stage_memory``). ``limits``:
    ``table_bytes`` and ``records`` kept at most."""
    write = _encode_and_write if write_behind else None
    with keeping(StageMemory(_stamps, write, **limits)):
        yield


def settle_stage_writes() -> None:
    """Every stage file this process is writing has landed (a failed write raises here)."""
    kept_by = memory()
    if kept_by is not None:
        kept_by.settle_all()


def known_complete() -> set[str] | None:
    """See :meth:`StageMemory.known_complete` (None outside :func:`tables_kept`)."""
    kept_by = memory()
    return None if kept_by is None else kept_by.known_complete()


def _stamps(path: PurePath, storage: Storage) -> Stamps | None:
    """(url, the file's stamp, its record's stamp); None where a stamp is unknown."""
    file_stamp, record_stamp = storage.stamp(path), storage.stamp(sidecar_path(path))
    if file_stamp is None or record_stamp is None:
        return None
    return storage.url(path), file_stamp, record_stamp


def _recalled(path: PurePath, storage: Storage) -> Kept | None:
    kept_by = memory()
    return None if kept_by is None else kept_by.recall(path, storage)


def stage_problem(path: PurePath, storage: Storage) -> str | None:
    """Why the stage output ``path`` cannot be trusted ("missing" when absent), else None.
    A file this process is writing behind counts as whole (its failure raises elsewhere)."""
    kept_by = memory()
    if kept_by is not None and kept_by.being_written(path, storage):
        return None
    if not storage.exists(path):
        return "missing"
    stamps = _stamps(path, storage)
    if stamps is not None and stamps in _proven:
        return None
    record = stage_record(path, storage)
    if record is None:
        return "no checksum record (written by an interrupted or older build)"
    mismatch = content_mismatch(storage, path, record.bytes, record.sha256, "its record")
    if mismatch is not None:
        return mismatch
    if stamps is not None:
        _proven.add(stamps)
    return None


def stage_is_whole(path: PurePath, storage: Storage) -> bool:
    """Whether ``path`` is present and whole; a present but damaged one is reported once
    (it will be rebuilt, never used)."""
    problem = stage_problem(path, storage)
    if problem is not None and problem != "missing":
        url = storage.url(path)
        if url not in _warned:
            _warned.add(url)
            print(f"[factory] warning: {url}: {problem}; rebuilding it", file=sys.stderr)
    return problem is None


def read_stage_table(
    path: PurePath, storage: Storage, columns: list[str] | None = None
) -> pa.Table:
    """The table in ``path`` after its bytes matched their record (CorruptStageError else;
    the record is removed so that the next run rebuilds the file)."""
    recalled = _recalled(path, storage)
    if recalled is not None:
        return recalled.table if columns is None else recalled.table.select(columns)
    record = stage_record(path, storage)
    with storage.open(path) as handle:
        data = handle.read()
    digest = hashlib.sha256(data).hexdigest()
    table = None
    if record is not None and digest == record.sha256:
        # one file in memory: ParquetFile skips read_table's dataset machinery and threads
        table = pq.ParquetFile(pa.BufferReader(data)).read(columns=columns, use_threads=False)
    if table is None or table.num_rows != record.rows:
        storage.remove(sidecar_path(path))
        raise CorruptStageError(
            f"{storage.url(path)}: does not match the checksum its writer recorded; its "
            "record is removed, so rerunning the same command rebuilds it"
        )
    return table


def copy_stage_file(source: PurePath, target: PurePath, storage: Storage) -> None:
    """``source``'s bytes and record as ``target``'s, after the bytes matched the record
    (CorruptStageError else): a table passed on unchanged is not decoded and encoded again."""
    kept_by = memory()
    if kept_by is not None:
        kept_by.settle(source, storage)
        kept_by.settle(target, storage)
    record = stage_record(source, storage)
    with storage.open(source) as handle:
        data = handle.read()
    if record is None or hashlib.sha256(data).hexdigest() != record.sha256:
        storage.remove(sidecar_path(source))
        raise CorruptStageError(
            f"{storage.url(source)}: does not match the checksum its writer recorded; its "
            "record is removed, so rerunning the same command rebuilds it"
        )
    _write_whole(target, storage, data, record)
    if kept_by is not None:
        kept_by.copied(source, target, storage)


def read_stage_records(path: PurePath, model: type[M], storage: Storage) -> list[M]:
    """The file's records; the very records it was written from for its first reader of
    ``model`` while tables are kept (no one else holds them: the writer is done)."""
    kept_by = memory()
    if kept_by is not None and (records := kept_by.take_records(path, storage, model)):
        return records  # type: ignore[return-value]
    return from_table(read_stage_table(path, storage), model)
