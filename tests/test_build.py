"""The whole Luigi build in a temp dir: determinism, resume, refusal, self-check."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from factory.config import parse_build_config
from factory.errors import BuildError
from factory.storage.hashing import sha256_file
from factory.storage.layout import BuildLayout
from pipelines.build import VersionExistsError, run_build
from schemas.arrow import arrow_schema
from schemas.records import DatasetRecord

REPO = Path(__file__).resolve().parents[1]


def toy_config(root: Path, **overrides):
    data = {
        "name": "toy",
        "seed": 7,
        "output_root": str(root),
        "shard_size": 5,
        "tasks": [
            {"task": "toy_sum", "count": 23, "levels": [1, 2, 3]},
            {"task": "toy_sum", "name": "toy_sum_hard", "count": 6, "levels": [9]},
        ],
    }
    data.update(overrides)
    return parse_build_config(data)


def data_bytes(version_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(version_dir)): p.read_bytes()
        for p in sorted((version_dir / "data").rglob("*.parquet"))
    }


def version_bytes(version_dir: Path) -> dict[str, bytes]:
    """Every file of a version: data, card, figures and manifest."""
    return {
        str(p.relative_to(version_dir)): p.read_bytes()
        for p in sorted(version_dir.rglob("*"))
        if p.is_file()
    }


def test_build_writes_version_with_manifest_and_card(out_root):
    result = run_build(toy_config(out_root))
    manifest = result.manifest
    version_dir = out_root / "toy" / "0.1.0"
    assert result.layout.version_dir == version_dir
    assert manifest.total == 29
    assert manifest.counts == {
        "toy_sum": {"1": 8, "2": 8, "3": 7},
        "toy_sum_hard": {"9": 6},
    }
    data = [entry for entry in manifest.files if entry.path.startswith("data/")]
    assert len(data) == 5 + 2
    assert {e.path for e in manifest.files} - {e.path for e in data} == {
        "README.md",
        "figures/answer_space.png",
        "figures/solver_effort.png",
        "figures/trace_length.png",
    }
    for entry in data:
        path = version_dir / entry.path
        assert sha256_file(path) == entry.sha256
        table = pq.read_table(path)
        assert table.num_rows == entry.rows
        assert table.schema.equals(arrow_schema(DatasetRecord))
    rows = pq.read_table(version_dir / "data/toy_sum/train-00000.parquet").to_pylist()
    assert [r["index"] for r in rows] == [0, 1, 2, 3, 4]
    assert all(r["verify_score"] == 1.0 for r in rows)
    card = (version_dir / "README.md").read_text()
    assert card.startswith("---\n") and "config_name: toy_sum_hard" in card
    assert "| toy_sum | 2 | 8 |" in card
    assert manifest.generators == {"toy_sum": "1.0.0"}


def test_same_config_gives_byte_identical_data(tmp_path):
    first = run_build(toy_config(tmp_path / "a"))
    second = run_build(toy_config(tmp_path / "b"), workers=2)
    assert data_bytes(first.layout.version_dir) == data_bytes(second.layout.version_dir)
    assert [f.sha256 for f in first.manifest.files] == [f.sha256 for f in second.manifest.files]


def test_other_seed_gives_other_data(tmp_path):
    first = run_build(toy_config(tmp_path / "a"))
    second = run_build(toy_config(tmp_path / "b", seed=8))
    assert data_bytes(first.layout.version_dir) != data_bytes(second.layout.version_dir)


def test_existing_version_is_refused_unless_overwrite(out_root):
    config = toy_config(out_root)
    run_build(config)
    with pytest.raises(VersionExistsError, match="already exists"):
        run_build(config)
    before = data_bytes(out_root / "toy" / "0.1.0")
    rebuilt = run_build(config, overwrite=True)
    assert data_bytes(rebuilt.layout.version_dir) == before


def test_unfinished_work_of_another_config_is_refused(out_root):
    config = toy_config(out_root)
    run_build(config)
    layout = BuildLayout.of(config)
    shutil.rmtree(layout.version_dir)
    with pytest.raises(BuildError, match="different config"):
        run_build(toy_config(out_root, seed=99))
    other = run_build(toy_config(out_root, seed=99), overwrite=True)  # as the error advises
    assert other.manifest.seed == 99


def test_a_resumed_build_runs_with_its_new_output_free_settings(out_root):
    first = run_build(toy_config(out_root, workers=1))
    layout = BuildLayout.of(toy_config(out_root))
    before = data_bytes(layout.version_dir)
    shutil.rmtree(layout.version_dir)
    second = run_build(toy_config(out_root, workers=2))  # same fingerprint: resumed, not refused
    assert json.loads(layout.frozen_config.read_text())["workers"] == 2
    assert data_bytes(second.layout.version_dir) == before
    assert second.manifest.config_fingerprint == first.manifest.config_fingerprint


def test_removed_shard_is_rebuilt_alone(out_root):
    config = toy_config(out_root)
    first = run_build(config)
    reference = data_bytes(first.layout.version_dir)
    layout = first.layout
    shutil.rmtree(layout.version_dir)  # as if the build had stopped before assembling
    removed = layout.stage_path("problems", "toy_sum", 2)
    removed.unlink()
    others = {
        p: p.stat().st_mtime_ns
        for p in layout.work_dir.rglob("*.parquet")
        if "/toy_sum/00002" not in str(p)
    }
    time.sleep(0.01)
    second = run_build(config)
    assert data_bytes(second.layout.version_dir) == reference
    assert removed.exists()
    assert {p: p.stat().st_mtime_ns for p in others} == others
    for stage in ("traces", "verdicts", "scores"):
        redone = layout.stage_path(stage, "toy_sum", 2)
        assert redone.stat().st_mtime_ns > max(others.values())


def test_failing_self_check_stops_the_build(out_root):
    config = parse_build_config(
        {
            "name": "broken",
            "output_root": str(out_root),
            "shard_size": 4,
            "tasks": [{"task": "toy_broken", "count": 8}],
        }
    )
    with pytest.raises(BuildError, match="failed their own verifier"):
        run_build(config)
    assert not (out_root / "broken" / "0.1.0").exists()


KILLED_BUILD = """
import sys
from generators.registry import register
from factory.config import parse_build_config
from pipelines.build import run_build
register("toy_sum", "tests.toy_tasks:ToySum")
config = parse_build_config({"name": "big", "output_root": sys.argv[1], "shard_size": 20,
    "tasks": [{"task": "toy_sum", "count": 4000, "levels": [1, 5, 10]}]})
run_build(config)
"""


@pytest.fixture(scope="module")
def clean_big_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clean")
    subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(root)], cwd=REPO, check=True, capture_output=True
    )
    return root / "big" / "0.1.0"


@pytest.mark.parametrize(("stage", "finished"), [("problems", 3), ("scores", 10), ("scores", 150)])
def test_killed_build_leaves_no_partial_shard_and_resumes_byte_identically(
    tmp_path, clean_big_build, stage, finished
):
    """Killed at several points, then resumed: every file of the version (data, card,
    figures, manifest) is byte-identical to a clean build's."""
    root = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(root)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    outputs = root / ".work" / "big" / "0.1.0" / stage / "toy_sum"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(outputs.glob("*.parquet"))) < finished:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (root / "big" / "0.1.0").exists(), "the build finished before it was killed"
    for path in (root / ".work").rglob("*.parquet"):
        pq.read_table(path)  # every visible shard is whole
    subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(root)], cwd=REPO, check=True, capture_output=True
    )
    assert version_bytes(root / "big" / "0.1.0") == version_bytes(clean_big_build)
    assert not [p for p in (root / ".work").rglob("*") if ".tmp-" in p.name]


def test_real_tasks_build_byte_identically_across_worker_counts(tmp_path):
    def config(root: Path):
        return parse_build_config(
            {
                "name": "mixed",
                "seed": 11,
                "output_root": str(root),
                "shard_size": 10,
                "tasks": [
                    {"task": "knights_knaves", "count": 25, "levels": [1, 4, 8, 10]},
                    {"task": "nlsat", "count": 20, "levels": [2, 7]},
                    {
                        "task": "nlsat",
                        "name": "nlsat_assign",
                        "count": 10,
                        "knobs": {"question": "assignment", "n_vars": 8},
                    },
                ],
            }
        )

    one = run_build(config(tmp_path / "one"), workers=1)
    two = run_build(config(tmp_path / "two"), workers=2)
    assert data_bytes(one.layout.version_dir) == data_bytes(two.layout.version_dir)
    assert one.manifest.counts["nlsat_assign"] == {"default": 10}
    rows = pq.read_table(one.layout.version_dir / "data/knights_knaves/train-00000.parquet")
    assert set(rows.column("verify_score").to_pylist()) == {1.0}


def test_every_task_builds_identically_across_processes_and_hash_seeds(tmp_path):
    """Set iteration order or ``hash()`` leaking into generation would break this."""
    from generators.registry import task_names

    roots = []
    for hash_seed in ("1", "2"):
        root = tmp_path / f"hash{hash_seed}"
        config = tmp_path / f"hash{hash_seed}.yaml"
        tasks = "".join(
            f"  - {{task: {name}, count: 4, levels: [1, 10]}}\n"
            for name in task_names()
            if not name.startswith("toy_")
        )
        config.write_text(
            f"name: all\nseed: 9\noutput_root: {root}\nshard_size: 4\ntasks:\n{tasks}"
        )
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-m", "cli.main", "build", str(config)],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        roots.append(root / "all" / "0.1.0")
    assert data_bytes(roots[0]) == data_bytes(roots[1])
    assert len(data_bytes(roots[0])) == sum(not n.startswith("toy_") for n in task_names())
