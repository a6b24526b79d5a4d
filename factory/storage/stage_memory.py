"""What a build's process keeps of its stage files while its workflow runs.

``factory.storage.stage_files.tables_kept`` sets a :class:`StageMemory` up for the block.

One Luigi worker runs every task in the build's own process, so what a task wrote is
often read again a moment later by the next task of the same shard. While the block runs:

- **Recent tables.** A table just written is kept, keyed by the file's and its record's
  stamps (size, modification time, inode): a read of the unchanged file gets the table
  instead of hashing and decoding the bytes again. A file changed since (its stamp
  differs), a resumed build and another worker process read the file itself.
- **Recent records.** The records a table was made of are kept too, and handed to the
  first reader of the same record type, who so skips decoding them (later readers decode
  the table: no two readers share a record). At most :data:`RECENT_RECORDS` are kept.
- **Write-behind** (``write_behind``: one worker and no central scheduler, so no other
  process reads the work directory meanwhile). A stage file is encoded, hashed and written
  on a thread of its own while the workflow goes on: pyarrow's encoding, hashlib and file
  writes release the GIL, so on a second core the writes cost the build little wall time.
  Until its write lands, the file counts as whole and reads get its table from memory; a
  copy of it, another write of the same path and :func:`settle_all` (before publishing)
  wait for it, and a failed write raises there, or when the block ends. At most
  :data:`WRITES_AHEAD` wait. A build killed before a write landed leaves that file missing
  (the write is atomic), and the resumed build makes it again.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

import pyarrow as pa
from pydantic import BaseModel

from factory.storage.filesystem import Storage

RECENT_BYTES = 256 * 2**20
"""At most this much Arrow memory of recently written tables is kept (oldest go first)."""

RECENT_RECORDS = 100_000
"""At most this many records of recently written tables are kept (oldest go first)."""

WRITES_AHEAD = 4
"""Stage files handed to the writer thread and not yet written, at most (memory stays
bounded: the oldest is awaited before another is handed over)."""

Stamps = tuple[str, str, str]
"""(url, the file's stamp, its record's stamp): they change whenever either may have."""
StampsOf = Callable[[PurePath, Storage], "Stamps | None"]
Write = Callable[[pa.Table, PurePath, Storage], None]


@dataclass(frozen=True)
class Kept:
    """A stage file's table and the records it was made of (None when made otherwise)."""

    table: pa.Table
    records: tuple[type[BaseModel], list[BaseModel]] | None = None

    def records_of(self, model: type[BaseModel]) -> list[BaseModel] | None:
        return self.records[1] if self.records and self.records[0] is model else None


class _Recent:
    """Kept tables and records by their file's stamps, within their limits."""

    def __init__(self, table_bytes: int, records: int) -> None:
        self.table_bytes, self.records = table_bytes, records
        self.tables: OrderedDict[Stamps, pa.Table] = OrderedDict()
        self.record_lists: OrderedDict[Stamps, tuple[type[BaseModel], list[BaseModel]]] = (
            OrderedDict()
        )
        self._held_bytes = self._held_records = 0

    def add(self, stamps: Stamps, kept: Kept) -> None:
        if stamps not in self.tables:
            self.tables[stamps] = kept.table
            self._held_bytes += kept.table.nbytes
        if kept.records is not None and stamps not in self.record_lists:
            self.record_lists[stamps] = kept.records
            self._held_records += len(kept.records[1])
        while self._held_bytes > self.table_bytes:
            self._held_bytes -= self.tables.popitem(last=False)[1].nbytes
        while self._held_records > self.records:
            self._held_records -= len(self.record_lists.popitem(last=False)[1][1])

    def get(self, stamps: Stamps) -> Kept | None:
        table = self.tables.get(stamps)
        return None if table is None else Kept(table, self.record_lists.get(stamps))

    def take_records(self, stamps: Stamps) -> None:
        """The records of ``stamps`` were handed out: no one else gets them."""
        taken = self.record_lists.pop(stamps, None)
        if taken is not None:
            self._held_records -= len(taken[1])


class _WriteBehind:
    """The stage files being written on the writer thread, by url, oldest first."""

    def __init__(self, write: Write, recent: _Recent, stamps_of: StampsOf) -> None:
        self._write, self._recent, self._stamps_of = write, recent, stamps_of
        self._pid = os.getpid()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="stage-writer")
        self.pending: OrderedDict[str, tuple[Future[None], PurePath, Storage, Kept]] = OrderedDict()

    def serves_this_process(self) -> bool:
        """False in a process forked from the one that made it (its thread is not there)."""
        return os.getpid() == self._pid

    def submit(self, kept: Kept, path: PurePath, storage: Storage) -> None:
        self.settle(storage.url(path))  # an earlier write of the same file lands first
        while len(self.pending) >= WRITES_AHEAD:
            self.settle(next(iter(self.pending)))
        future = self._executor.submit(self._write, kept.table, path, storage)
        self.pending[storage.url(path)] = (future, path, storage, kept)

    def settle(self, url: str) -> None:
        """Wait for the write of ``url`` if one is pending; a failed write raises here."""
        entry = self.pending.pop(url, None)
        if entry is not None:
            future, path, storage, kept = entry
            future.result()
            if (stamps := self._stamps_of(path, storage)) is not None:
                self._recent.add(stamps, kept)

    def settle_all(self) -> None:
        """Every pending write landed (the first failure raises, once all are done)."""
        for future, *_ in list(self.pending.values()):
            future.exception()
        while self.pending:
            self.settle(next(iter(self.pending)))

    def close(self) -> None:
        try:
            self.settle_all()
        finally:
            self.pending.clear()
            self._executor.shutdown()


class StageMemory:
    """One workflow's kept tables and records, and its writer thread if it writes behind."""

    def __init__(
        self,
        stamps_of: StampsOf,
        write: Write | None = None,
        table_bytes: int = RECENT_BYTES,
        records: int = RECENT_RECORDS,
    ) -> None:
        self._stamps_of = stamps_of
        self._recent = _Recent(table_bytes, records)
        self._behind = None if write is None else _WriteBehind(write, self._recent, stamps_of)
        self._complete: set[str] = set()

    def known_complete(self) -> set[str] | None:
        """The workflow tasks (by id) found complete, where this process alone runs the
        workflow (it writes behind): nothing else removes their outputs meanwhile, so a
        task found complete stays so and needs no checking again. None elsewhere."""
        return self._complete if self.writes_behind() else None

    def _writer(self) -> _WriteBehind | None:
        behind = self._behind
        return behind if behind is not None and behind.serves_this_process() else None

    def writes_behind(self) -> bool:
        return self._writer() is not None

    def write_behind(self, kept: Kept, path: PurePath, storage: Storage) -> None:
        """Hand ``path``'s write to the writer thread (only where :meth:`writes_behind`)."""
        writer = self._writer()
        assert writer is not None
        writer.submit(kept, path, storage)

    def settle(self, path: PurePath, storage: Storage) -> None:
        """Wait for a pending write of ``path``, if any (a failed write raises here)."""
        if (writer := self._writer()) is not None and writer.pending:
            writer.settle(storage.url(path))

    def settle_all(self) -> None:
        """Wait for every pending write (the first failure raises here)."""
        if (writer := self._writer()) is not None:
            writer.settle_all()

    def close(self) -> None:
        if (writer := self._writer()) is not None:
            writer.close()

    def being_written(self, path: PurePath, storage: Storage) -> bool:
        writer = self._writer()
        return writer is not None and storage.url(path) in writer.pending

    def remember(self, path: PurePath, storage: Storage, kept: Kept) -> None:
        """``path`` was just written whole from ``kept``."""
        if (stamps := self._stamps_of(path, storage)) is not None:
            self._recent.add(stamps, kept)

    def recall(self, path: PurePath, storage: Storage) -> Kept | None:
        """What this process wrote to ``path``: pending, or landed with the file and its
        record unchanged since."""
        writer = self._writer()
        if writer is not None and (entry := writer.pending.get(storage.url(path))):
            return entry[3]
        if not self._recent.tables:
            return None
        stamps = self._stamps_of(path, storage)
        return None if stamps is None else self._recent.get(stamps)

    def take_records(
        self, path: PurePath, storage: Storage, model: type[BaseModel]
    ) -> list[BaseModel] | None:
        """The records ``path``'s table was made of, for its first reader of type
        ``model``; None when not kept (or taken already)."""
        writer = self._writer()
        if writer is not None and (entry := writer.pending.get(storage.url(path))):
            future, where, kept_in, kept = entry
            records = kept.records_of(model)
            if records is not None:
                writer.pending[storage.url(path)] = (future, where, kept_in, Kept(kept.table))
            return records
        if not self._recent.record_lists:
            return None
        stamps = self._stamps_of(path, storage)
        kept = None if stamps is None else self._recent.get(stamps)
        if stamps is None or kept is None or (records := kept.records_of(model)) is None:
            return None
        self._recent.take_records(stamps)
        return records

    def copied(self, source: PurePath, target: PurePath, storage: Storage) -> None:
        """``target`` was just written with ``source``'s bytes: it keeps ``source``'s table
        and takes over its records (the two files have one first reader between them)."""
        kept = self.recall(source, storage)
        if kept is None:
            return
        records = None
        if kept.records is not None:
            model = kept.records[0]
            taken = self.take_records(source, storage, model)
            records = None if taken is None else (model, taken)
        self.remember(target, storage, Kept(kept.table, records))


_memory: StageMemory | None = None


def memory() -> StageMemory | None:
    """The running workflow's :class:`StageMemory`; None outside :func:`keeping`."""
    return _memory


@contextmanager
def keeping(memory_: StageMemory) -> Iterator[None]:
    """``memory_`` serves the block; its pending writes land before the block is left."""
    global _memory
    _memory = memory_
    try:
        yield
    except BaseException:
        _close_quietly(memory_)
        raise
    else:
        memory_.close()
    finally:
        _memory = None


def _close_quietly(memory_: StageMemory) -> None:
    """On the way out of a failed block: the writes still land (what is whole stays for the
    resumed build), but the block's own exception is the one reported."""
    with contextlib.suppress(Exception):
        memory_.close()
