"""Dedup, splits and exclusion in a real build: distinct problems, disjoint splits,
decontamination, and bad input refused before any work."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from factory.config import parse_build_config
from factory.errors import BuildError, ConfigError, FactoryError
from factory.quality.dedup import NotEnoughDistinctProblems, level_quotas, split_labels
from factory.quality.problem_keys import structural_key64
from generators.registry import get_task
from pipelines.build import run_build
from schemas.records import DatasetRecord
from tests.test_build import version_bytes


def config(root: Path, tasks: list[dict], **overrides):
    data = {"name": "dd", "seed": 3, "output_root": str(root), "shard_size": 4, "tasks": tasks}
    return parse_build_config(data | overrides)


def rows(version_dir: Path) -> list[DatasetRecord]:
    from schemas.arrow import from_table

    return [
        record
        for path in sorted((version_dir / "data").rglob("*.parquet"))
        for record in from_table(pq.read_table(path), DatasetRecord)
    ]


def test_duplicates_are_replaced_by_further_draws_of_the_same_level(out_root):
    tasks = [{"task": "toy_tiny", "count": 5, "levels": [1]}]
    result = run_build(config(out_root, tasks))
    published = rows(result.layout.version_dir)
    assert len(published) == 5
    assert len({structural_key64(r.problem()) for r in published}) == 5  # every number once
    assert all(r.level == 1 for r in published)
    assert max(r.index for r in published) >= 5  # drew past the requested indices
    (report,) = result.manifest.dedup
    assert report.kept == 5 and report.drawn == 5 + sum(report.removed.values())
    assert report.removed.get("structural", 0) + report.removed.get("exact", 0) > 0


def test_dedup_is_dataset_wide_and_the_same_with_any_number_of_workers(tmp_path):
    tasks = [
        {"task": "toy_tiny", "count": 3, "levels": [1]},
        {"task": "toy_tiny", "name": "tiny_b", "count": 2, "levels": [1]},
    ]
    one = run_build(config(tmp_path / "one", tasks))
    two = run_build(config(tmp_path / "two", tasks), workers=2)
    assert version_bytes(one.layout.version_dir) == version_bytes(two.layout.version_dir)
    keys = [structural_key64(r.problem()) for r in rows(one.layout.version_dir)]
    assert len(keys) == len(set(keys)) == 5


def test_a_level_too_small_for_its_count_stops_the_build_naming_it(out_root):
    tasks = [{"task": "toy_tiny", "count": 6, "levels": [1]}]
    with pytest.raises(BuildError, match=r"toy_tiny \(toy_tiny\) level 1: only 5 distinct"):
        run_build(config(out_root, tasks))
    assert not (out_root / "dd").exists()


def test_dedup_off_keeps_duplicates(out_root):
    tasks = [{"task": "toy_tiny", "count": 12, "levels": [1]}]
    result = run_build(config(out_root, tasks, dedup=False))
    assert len(rows(result.layout.version_dir)) == 12
    assert [r.index for r in rows(result.layout.version_dir)] == list(range(12))


def test_not_enough_distinct_is_a_build_error():
    assert issubclass(NotEnoughDistinctProblems, BuildError)


def test_splits_are_exact_stratified_by_level_disjoint_and_their_own_files(out_root):
    tasks = [{"task": "toy_sum", "count": 50, "levels": [1, 2]}]
    result = run_build(config(out_root, tasks, splits={"train": 0.8, "test": 0.2}))
    version_dir = result.layout.version_dir
    published = rows(version_dir)
    by_split = Counter(r.split for r in published)
    assert by_split == {"train": 40, "test": 10}
    assert Counter((r.split, r.level) for r in published) == {
        ("train", 1): 20,
        ("train", 2): 20,
        ("test", 1): 5,
        ("test", 2): 5,
    }
    for path in (version_dir / "data" / "toy_sum").glob("*.parquet"):
        splits = set(pq.read_table(path, columns=["split"])["split"].to_pylist())
        assert splits == {path.name.split("-")[0]}
    keys = {r.split: set() for r in published}
    for r in published:
        keys[r.split].add(structural_key64(r.problem()))
    assert not keys["train"] & keys["test"]
    card = (version_dir / "README.md").read_text()
    assert "split: test" in card and "path: data/toy_sum/test-*.parquet" in card
    assert {r.subset for r in published} == {"toy_sum"}


def test_split_counts_per_task_must_add_up(out_root):
    tasks = [{"task": "toy_sum", "count": 10, "splits": {"train": 8, "test": 2}}]
    config(out_root, tasks)  # fine
    with pytest.raises(ConfigError, match=r"tasks\[0\]\.splits: counts sum to 9"):
        config(out_root, [{"task": "toy_sum", "count": 10, "splits": {"train": 8, "test": 1}}])
    with pytest.raises(ConfigError, match="splits: fractions sum to 0.9, not 1"):
        config(out_root, tasks, splits={"train": 0.7, "test": 0.2})


def test_split_labels_are_seeded_and_exact():
    cfg = parse_build_config(
        {
            "name": "s",
            "seed": 1,
            "splits": {"train": 0.7, "validation": 0.2, "test": 0.1},
            "tasks": [{"task": "toy_sum", "count": 101, "levels": [1, 2, 3]}],
        }
    )
    spec = cfg.tasks[0]
    labels = split_labels(cfg, spec)
    assert [len(x) for x in labels] == level_quotas(spec) == [34, 34, 33]
    totals = Counter(label for level in labels for label in level)
    assert totals == {"train": 71, "validation": 20, "test": 10}
    assert split_labels(cfg, spec) == labels


def test_excluded_version_and_foreign_prompts_are_never_emitted(tmp_path):
    tasks = [{"task": "toy_sum", "count": 12, "levels": [1]}]
    first = run_build(config(tmp_path, tasks))
    old = rows(first.layout.version_dir)
    exclude = [{"version": str(first.layout.version_dir)}]
    second = run_build(config(tmp_path, tasks, version="0.2.0", exclude=exclude))
    new = rows(second.layout.version_dir)
    assert len(new) == 12
    assert not {structural_key64(r.problem()) for r in old} & {
        structural_key64(r.problem()) for r in new
    }
    (source,) = second.manifest.excluded
    assert source.kind == "version" and source.removed == 12  # same seed: every one again
    assert len(source.sha256) == 64

    foreign = tmp_path / "foreign.jsonl"
    # the first problems a build of this seed makes, as a foreign benchmark's questions
    foreign.write_text("".join(json.dumps({"question": r.prompt}) + "\n" for r in old[:5]))
    exclude = [{"path": str(foreign), "column": "question"}]
    third = run_build(config(tmp_path, tasks, version="0.3.0", exclude=exclude))
    prompts = {r.prompt for r in rows(third.layout.version_dir)}
    assert not prompts & {r.prompt for r in old[:5]}
    assert third.manifest.excluded[0].removed == 5
    card_config = third.manifest.config["exclude"]
    assert card_config == [{"version": None, "path": str(foreign), "column": "question"}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"path": "missing.parquet", "column": "q"}, r"exclude\[0\]: missing.parquet: no such"),
        ({"path": "PROMPTS", "column": "nope"}, r"exclude\[0\]: .*no column 'nope' \(columns: q\)"),
        ({"version": "nowhere/0.1.0"}, r"exclude\[0\]: nowhere/0.1.0: not a published version"),
        ({"path": "PROMPTS"}, r"`column` names the prompt column"),
    ],
)
def test_bad_exclusion_sources_are_refused_before_any_work(tmp_path, source, message):
    prompts = tmp_path / "prompts.parquet"
    pq.write_table(__import__("pyarrow").table({"q": ["a question"]}), prompts)
    if source.get("path") == "PROMPTS":
        source = source | {"path": str(prompts)}
    tasks = [{"task": "toy_sum", "count": 3}]
    with pytest.raises(ConfigError, match=message):
        config(tmp_path / "out", tasks, exclude=[source])
    assert not (tmp_path / "out").exists()


def test_structural_keys_of_toy_tiny_ignore_the_name():
    task = get_task("toy_tiny")
    assert task.surface_fields == frozenset({"name"})


def test_export_takes_one_split_and_labels_rows_with_theirs(out_root, tmp_path):
    from factory.publish.export import export_dataset

    tasks = [{"task": "toy_sum", "count": 20, "levels": [1, 2]}]
    result = run_build(config(out_root, tasks, splits={"train": 0.75, "test": 0.25}))
    version_dir = result.layout.version_dir
    test = export_dataset(version_dir, "verl", tmp_path / "test.parquet", split="test")
    rows = pq.read_table(test.path).to_pylist()
    assert test.rows == len(rows) == 5
    assert {row["extra_info"]["split"] for row in rows} == {"test"}
    everything = export_dataset(version_dir, "verl", tmp_path / "all.parquet")
    splits = Counter(r["extra_info"]["split"] for r in pq.read_table(everything.path).to_pylist())
    assert splits == {"train": 15, "test": 5}
    with pytest.raises(FactoryError, match=r"--split dev: not in dd 0.1.0 \(there: train, test\)"):
        export_dataset(version_dir, "verl", tmp_path / "x.parquet", split="dev")
