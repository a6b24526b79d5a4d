"""``factory versions`` and ``factory diff`` on real builds of two versions of one dataset."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cli.main import main
from factory.config import parse_build_config
from factory.errors import BuildError
from factory.publish.versions import list_versions, version_key
from pipelines.build import run_build
from tests.test_build import toy_config

OLD, NEW = "0.9.0", "0.10.0"  # version order differs from string order


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """Two versions: NEW derives from OLD, with more toy_sum and fewer toy_sum_hard problems."""
    root = tmp_path_factory.mktemp("versions")
    run_build(toy_config(root, version=OLD))
    tasks = [
        {"task": "toy_sum", "count": 26, "levels": [1, 2, 3, 4]},
        {"task": "toy_sum", "name": "toy_sum_hard", "count": 4, "levels": [9]},
    ]
    run_build(toy_config(root, version=NEW, parent=OLD, tasks=tasks))
    broken = {"name": "toy", "version": "2.0.0", "output_root": str(root)}
    with pytest.raises(BuildError):
        run_build(parse_build_config(broken | {"tasks": [{"task": "toy_broken", "count": 4}]}))
    return root


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_versions_are_listed_in_version_order_with_unfinished_work(root, capsys):
    published, unfinished = list_versions(root, "toy")
    assert [p.version for p in published] == [OLD, NEW]
    assert [(p.total, p.parent) for p in published] == [(29, None), (30, OLD)]
    assert published[0].config_fingerprint != published[1].config_fingerprint
    assert [(u.version, u.why) for u in unfinished] == [
        ("2.0.0", "work dir of an unfinished build")
    ]
    code, out, _ = run(capsys, "versions", "toy", "--root", str(root))
    lines = out.splitlines()
    assert code == 0 and lines[2].startswith(f"| {OLD} |") and lines[3].startswith(f"| {NEW} |")
    assert f"| 30 | {OLD} |" in lines[3] and "2.0.0: work dir of an unfinished build" in out
    code, _, err = run(capsys, "versions", "nothing", "--root", str(root))
    assert code == 2 and "no versions of 'nothing'" in err


def test_version_key_orders_pep440_then_the_rest_numerically():
    names = ["r10", "1.0.0", "0.10.0", "r9", "0.9.0", "1.0.0rc1", "nightly-2"]
    assert sorted(names, key=version_key) == [
        "0.9.0",
        "0.10.0",
        "1.0.0rc1",
        "1.0.0",
        "nightly-2",
        "r9",
        "r10",
    ]


def rows(version_dir: Path) -> dict[str, tuple[str, str]]:
    """problem_id → (subset, level label), straight from the Parquet files."""
    result = {}
    for path in sorted((version_dir / "data").glob("*/*.parquet")):
        for row in pq.read_table(path, columns=["problem_id", "level"]).to_pylist():
            result[row["problem_id"]] = (path.parent.name, str(row["level"]))
    return result


def test_diff_reports_added_removed_and_count_changes(root, capsys):
    old, new = rows(root / "toy" / OLD), rows(root / "toy" / NEW)
    code, out, _ = run(capsys, "diff", str(root / "toy" / OLD), str(root / "toy" / NEW), "--json")
    assert code == 0
    diff = json.loads(out)
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    assert added and removed
    assert diff["problems"]["added_ids"] == added and diff["problems"]["added"] == len(added)
    assert diff["problems"]["removed_ids"] == removed
    assert diff["problems"]["common"] == len(old.keys() & new.keys())
    before, after = Counter(old.values()), Counter(new.values())
    for key in before.keys() | after.keys():
        subset, level = key
        change = diff["levels"][subset][level]
        assert (change["a"], change["b"]) == (before[key], after[key])
        assert change["change"] == after[key] - before[key]
    assert diff["levels"]["toy_sum"]["4"] == {"a": 0, "b": 6, "change": 6}
    assert diff["subsets"]["toy_sum_hard"] == {"a": 6, "b": 4, "change": -2}
    effort = diff["scores"]["toy_sum"]["solver_effort"]
    assert effort["a"][2] < effort["b"][2], "level 4 problems add effort at the top"
    assert "data/toy_sum/train-00005.parquet" in diff["files"]["added"]
    assert "data/toy_sum_hard/train-00001.parquet" in diff["files"]["removed"]
    assert diff["config"]["tasks.0.count"] == {"a": 23, "b": 26}


def test_diff_with_one_dir_compares_with_its_parent_in_text(root, capsys):
    code, out, _ = run(capsys, "diff", str(root / "toy" / NEW))
    assert code == 0 and out.startswith(f"toy {OLD} (29 problems) → toy {NEW} (30 problems)")
    assert "toy_sum_hard: 6 → 4 (-2)" in out and "level 4: 0 → 6 (+6)" in out
    code, _, err = run(capsys, "diff", str(root / "toy" / OLD))
    assert code == 2 and "names no parent version" in err


def test_diff_of_a_version_with_itself_is_empty(root, capsys):
    code, out, _ = run(capsys, "diff", str(root / "toy" / NEW), str(root / "toy" / NEW), "--json")
    diff = json.loads(out)
    assert code == 0 and diff["problems"]["added"] == diff["problems"]["removed"] == 0
    assert diff["files"]["changed"] == [] and diff["config"] == {}
    assert all(c["change"] == 0 for c in diff["subsets"].values())


def test_interrupted_publish_and_broken_manifest_are_listed_as_unfinished(root, tmp_path):
    """What a publish killed before its rename leaves, and a version dir without a manifest."""
    copy = tmp_path / "root"
    shutil.copytree(root / "toy", copy / "toy")
    shutil.copytree(root / "toy" / OLD, copy / "toy" / ".3.0.0.staging-0a1b2c3d")
    (copy / "toy" / OLD / "manifest.json").unlink()
    published, unfinished = list_versions(copy, "toy")
    assert [p.version for p in published] == [NEW]
    assert [(u.version, u.why.split(":")[0]) for u in unfinished] == [
        (OLD, "no usable manifest.json"),
        ("3.0.0", "staging dir of an interrupted publish"),
    ]
