"""A build recovers from what interrupted or moved builds leave: staging directories of
killed publishes, an output root moved elsewhere, and any shard order for the card."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys

import pyarrow as pa

from factory.publish.card import level_summary
from factory.storage.atomic import STAGING_MARKER
from pipelines.build import run_build
from tests.test_build import data_bytes, toy_config, version_bytes


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_next_publish_removes_staging_left_by_a_killed_one(out_root):
    dataset = out_root / "toy"
    dead = dataset / f".0.0.9{STAGING_MARKER}{dead_pid()}-deadbeef"
    older = dataset / f".0.0.8{STAGING_MARKER}cafe0123"  # named before pids were recorded
    live = dataset / f".0.0.7{STAGING_MARKER}1-0badf00d"  # pid 1 lives: still being written
    for leftover in (dead, older, live):
        (leftover / "data").mkdir(parents=True)
    run_build(toy_config(out_root))
    assert not dead.exists() and not older.exists()
    assert live.exists()
    assert not [p for p in dataset.iterdir() if STAGING_MARKER in p.name and p != live]


def test_a_moved_output_root_resumes_where_it_lies_now(tmp_path):
    first = run_build(toy_config(tmp_path / "old"))
    reference = version_bytes(first.layout.version_dir)
    shutil.rmtree(first.layout.version_dir)  # stopped before publishing, then moved
    shutil.move(tmp_path / "old", tmp_path / "new")
    moved = run_build(toy_config(tmp_path / "new"))
    assert moved.layout.version_dir == tmp_path / "new" / "toy" / "0.1.0"
    assert version_bytes(moved.layout.version_dir) == reference
    assert not (tmp_path / "old").exists()


def test_a_version_built_elsewhere_has_the_same_bytes(tmp_path):
    one = run_build(toy_config(tmp_path / "a"))
    two = run_build(toy_config(tmp_path / "b"), workers=2)
    assert version_bytes(one.layout.version_dir) == version_bytes(two.layout.version_dir)
    assert data_bytes(one.layout.version_dir)


def test_the_card_summary_does_not_depend_on_row_order():
    rng = random.Random(5)
    rows = [
        {
            "subset": "s",
            "level": rng.randint(1, 3),
            "solver_effort": float(rng.randint(1, 500)),
            "reference_chars": rng.randint(10, 99),
            "verify_score": 1.0,
        }
        for _ in range(5000)
    ]
    orders = []
    for _ in range(3):
        rng.shuffle(rows)
        chunks = [pa.Table.from_pylist(rows[i : i + 97]) for i in range(0, len(rows), 97)]
        orders.append(level_summary(pa.concat_tables(chunks)))
    assert orders[0] == orders[1] == orders[2]
    efforts = sorted(r["solver_effort"] for r in rows if r["level"] == 1)
    middle = len(efforts) // 2
    exact = efforts[middle] if len(efforts) % 2 else (efforts[middle - 1] + efforts[middle]) / 2
    assert orders[0][0][3] == exact
