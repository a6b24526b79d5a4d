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

While a build's workflow runs (:func:`tables_kept`; one Luigi worker runs every task in
the build's own process) a table just written is kept in memory, keyed by the file's and
its record's stamps (size, modification time, inode): a later read of the unchanged file
gets that table instead of hashing and decoding the bytes again, as :func:`stage_problem`
trusts a file it has already proven. A file changed since (its stamp differs), a resumed
build and another worker process read the file itself.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import OrderedDict
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
    sink = pa.BufferOutputStream()
    # no column statistics: nothing filters a stage file by them, and they cost ~25%
    pq.write_table(table, sink, write_statistics=False, **PARQUET_OPTIONS)
    data = sink.getvalue()
    record = StageRecord(hashlib.sha256(data).hexdigest(), data.size, table.num_rows)
    _write_whole(path, storage, data, record)
    _remember(path, storage, table)


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
    write_stage_table(to_table(records, model), path, storage)


def _read_record(path: PurePath, storage: Storage) -> StageRecord | None:
    """The record of ``path``; None when absent or damaged (a damaged record proves nothing)."""
    try:
        data = json.loads(storage.read_text(sidecar_path(path)))
        return StageRecord(str(data["sha256"]), int(data["bytes"]), int(data["rows"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


# Files already proven whole in this process, keyed by their and their record's stamps, so
# Luigi's repeated completeness checks do not re-hash unchanged files.
RECENT_BYTES = 256 * 2**20
"""At most this much Arrow memory of recently written tables is kept (oldest go first)."""

Stamps = tuple[str, str, str]

_proven: set[Stamps] = set()
_warned: set[str] = set()


class _RecentTables:
    """Tables this process wrote, by their file's :func:`_stamps`, within ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.tables: OrderedDict[Stamps, tuple[pa.Table, int]] = OrderedDict()

    def add(self, stamps: Stamps, table: pa.Table) -> None:
        if stamps not in self.tables:
            self.tables[stamps] = (table, table.nbytes)
            self.held += table.nbytes
        while self.held > self.limit:
            self.held -= self.tables.popitem(last=False)[1][1]

    def get(self, stamps: Stamps) -> pa.Table | None:
        kept = self.tables.get(stamps)
        return None if kept is None else kept[0]


_recent: _RecentTables | None = None


@contextmanager
def tables_kept(limit: int = RECENT_BYTES) -> Iterator[None]:
    """While the block runs (a build's workflow), the tables this process writes are kept
    for reads of their unchanged files; after it, every read is of the file again."""
    global _recent
    _recent = _RecentTables(limit)
    try:
        yield
    finally:
        _recent = None


def _stamps(path: PurePath, storage: Storage) -> Stamps | None:
    """(url, the file's stamp, its record's stamp); None where a stamp is unknown."""
    file_stamp, record_stamp = storage.stamp(path), storage.stamp(sidecar_path(path))
    if file_stamp is None or record_stamp is None:
        return None
    return storage.url(path), file_stamp, record_stamp


def _remember(path: PurePath, storage: Storage, table: pa.Table) -> None:
    """``path`` was just written whole from ``table``: keep the table, if tables are kept."""
    if _recent is not None and (stamps := _stamps(path, storage)) is not None:
        _recent.add(stamps, table)


def _recalled(path: PurePath, storage: Storage) -> pa.Table | None:
    """The table this process wrote to ``path``, if the file and its record are unchanged."""
    if _recent is None or not _recent.tables:
        return None
    stamps = _stamps(path, storage)
    return None if stamps is None else _recent.get(stamps)


def stage_problem(path: PurePath, storage: Storage) -> str | None:
    """Why the stage output ``path`` cannot be trusted ("missing" when absent), else None."""
    if not storage.exists(path):
        return "missing"
    stamps = _stamps(path, storage)
    if stamps is not None and stamps in _proven:
        return None
    record = _read_record(path, storage)
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
        return recalled if columns is None else recalled.select(columns)
    record = _read_record(path, storage)
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
    record = _read_record(source, storage)
    with storage.open(source) as handle:
        data = handle.read()
    if record is None or hashlib.sha256(data).hexdigest() != record.sha256:
        storage.remove(sidecar_path(source))
        raise CorruptStageError(
            f"{storage.url(source)}: does not match the checksum its writer recorded; its "
            "record is removed, so rerunning the same command rebuilds it"
        )
    _write_whole(target, storage, data, record)
    recalled = _recalled(source, storage)
    if recalled is not None:  # the same bytes: the same table
        _remember(target, storage, recalled)


def read_stage_records(path: PurePath, model: type[M], storage: Storage) -> list[M]:
    return from_table(read_stage_table(path, storage), model)
