"""The publish writes its tables on a thread of its own (``store._TableWriter``): the same
files and manifest entries as writing each in turn, in the order given, with at most
``WRITES_AHEAD`` tables waiting, and a failed write raises in the caller."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePath

import pyarrow as pa
import pytest

from factory.publish import store
from factory.publish.store import WRITES_AHEAD, _file_entry, _TableWriter
from factory.storage.parquet_io import write_table_atomic


def _tables(n: int) -> list[pa.Table]:
    return [
        pa.table({"i": list(range(k, k + 50)), "s": [f"row {k}.{j}" for j in range(50)]})
        for k in range(n)
    ]


def test_entries_are_those_of_writing_each_table_in_turn(tmp_path: Path) -> None:
    tables = _tables(6)
    serial, threaded = tmp_path / "serial", tmp_path / "threaded"
    expected = []
    for i, table in enumerate(tables):
        write_table_atomic(table, serial / f"{i}.parquet")
        expected.append(_file_entry(serial, f"{i}.parquet", table.num_rows))
    with ThreadPoolExecutor(max_workers=1) as executor:
        writer = _TableWriter(threaded, executor)
        for i, table in enumerate(tables):
            writer.write(table, f"{i}.parquet")
        assert writer.entries() == expected
    for i in range(len(tables)):
        assert (threaded / f"{i}.parquet").read_bytes() == (serial / f"{i}.parquet").read_bytes()


def test_no_more_than_writes_ahead_tables_wait(tmp_path: Path, monkeypatch) -> None:
    written: list[PurePath] = []

    def slow_write(table: pa.Table, path: PurePath) -> None:
        time.sleep(0.01)
        write_table_atomic(table, path)
        written.append(path)

    monkeypatch.setattr(store, "write_table_atomic", slow_write)
    with ThreadPoolExecutor(max_workers=1) as executor:
        writer = _TableWriter(tmp_path, executor)
        for i, table in enumerate(_tables(8)):
            writer.write(table, f"{i}.parquet")
            assert len(written) >= i + 1 - WRITES_AHEAD
        assert len(writer.entries()) == len(written) == 8


def test_a_failed_write_raises_in_the_caller(tmp_path: Path) -> None:
    root = tmp_path / "a file"
    root.write_text("not a directory")
    with ThreadPoolExecutor(max_workers=1) as executor:
        writer = _TableWriter(root, executor)
        writer.write(_tables(1)[0], "0.parquet")
        with pytest.raises(OSError):
            writer.entries()
