"""The Python API: same problems as a build, seeded mixtures, resumable never-repeating
streams, trainer rows, verl's dataset class, and one-line refusals of bad input."""

from __future__ import annotations

import importlib.util
import sys
import types
from itertools import islice
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import factory as rf
from factory.config import parse_build_config
from factory.curriculum import ManualSchedule
from factory.errors import ConfigError
from factory.quality.dedup import NotEnoughDistinctProblems
from factory.quality.problem_keys import structural_key64
from factory.rewards import verifier_reward
from pipelines.build import run_build

REPO = Path(__file__).resolve().parents[1]
MIX = {"knights_knaves": 2, "game_of_24": 1}


def ids(problems):
    return [p.problem_id for p in problems]


def test_dataset_makes_the_problems_a_build_makes(tmp_path):
    specs = [
        {"task": "knights_knaves", "count": 8, "levels": [2, 5]},
        {"task": "game_of_24", "name": "g24", "count": 4, "levels": [3], "knobs": {}},
    ]
    build = {"name": "same", "seed": 11, "output_root": str(tmp_path), "shard_size": 4}
    config = parse_build_config({**build, "dedup": False, "tasks": specs})
    version = run_build(config).layout.version_dir
    for spec in config.tasks:
        files = sorted((Path(version) / "data" / spec.subset).glob("*.parquet"))
        rows = sorted(
            (r for f in files for r in pq.read_table(f).to_pylist()), key=lambda r: r["index"]
        )
        component = rf.Component(spec.task, 1.0, spec.levels)
        made = list(rf.mixture({spec.subset: component}, size=spec.count, seed=11, dedup=False))
        assert ids(made) == [r["problem_id"] for r in rows]
        assert [p.prompt for p in made] == [r["prompt"] for r in rows]
    assert rf.from_config(config, size=12).subsets == ["knights_knaves", "g24"]


def test_iteration_is_repeatable_and_seeded():
    source = rf.mixture(MIX, size=30, seed=3)
    first, again = list(source), list(source)
    assert ids(first) == ids(again) and len(source) == 30
    assert ids(first) != ids(rf.mixture(MIX, size=30, seed=4))
    tasks = [p.task for p in first]
    assert tasks.count("knights_knaves") > tasks.count("game_of_24") > 0
    assert rf.problem("game_of_24", 5, seed=3, level=2) == rf.problem(
        "game_of_24", 5, seed=3, level=2
    )


def test_stream_resumes_from_its_state_or_a_counter():
    source = rf.mixture(MIX, seed=5, endless=True)
    stream = source.stream()
    list(islice(stream, 40))
    state = stream.state_dict()
    rest = ids(islice(stream, 20))
    restored = source.stream()
    restored.load_state_dict(state)
    assert ids(islice(restored, 20)) == rest
    replayed = source.stream()
    replayed.skip(40)
    assert ids(islice(replayed, 20)) == rest


def test_stream_never_repeats_and_says_when_a_space_is_exhausted():
    stream = rf.dataset("toy_tiny", level=2, endless=True, seed=1).stream()
    keys = [structural_key64(p) for p in islice(stream, 10)]
    assert len(set(keys)) == 10
    with pytest.raises(NotEnoughDistinctProblems, match="toy_tiny: 1000 draws in a row"):
        next(stream)


def test_workers_make_the_same_stream():
    source = rf.mixture(MIX, seed=2, endless=True)
    inline = ids(islice(source.stream(), 40))
    with rf.mixture(MIX, seed=2, endless=True, workers=2).stream() as pooled:
        assert ids(islice(pooled, 40)) == inline


def test_level_policy_sets_the_level_and_a_foreign_state_is_refused():
    source = rf.dataset("knights_knaves", levels=[1, 2, 3], endless=True, seed=1)
    schedule = ManualSchedule({0: 2, 10: 4})
    stream = source.stream(levels=schedule)
    assert {p.level for p in islice(stream, 5)} == {2}
    schedule.update(10)
    problem = next(stream)
    assert problem.level == 4
    assert problem == rf.problem("knights_knaves", problem.index, seed=1, level=4)
    with pytest.raises(ConfigError, match="stream state.fingerprint: .* different mixture"):
        rf.mixture(MIX, seed=1, endless=True).stream().load_state_dict(stream.state_dict())


def test_scoring_and_reference_trace():
    problem = next(iter(rf.dataset("game_of_24", size=1, level=3)))
    trace = rf.reference_trace(problem)
    assert rf.score(problem, trace.text) == 1.0
    assert rf.score(problem, "<answer>1+1</answer>") == 0.0
    assert not rf.verdict(problem, "no answer").passed


def test_trainer_rows_carry_a_ground_truth_the_reward_reads():
    rows = list(rf.mixture(MIX, size=4, seed=1).to_iterable_dataset("trl"))
    assert len(rows) == 4 and rows[0]["prompt"][0]["role"] == "user"
    problems = list(rf.mixture(MIX, size=4, seed=1))
    answers = [rf.reference_trace(p).text for p in problems]
    assert verifier_reward(answers, [r["ground_truth"] for r in rows]) == [1.0] * 4
    verl = next(iter(rf.mixture(MIX, size=1, seed=1).to_iterable_dataset("verl")))
    assert verl["data_source"].startswith("reasoning_factory/")
    assert verl["extra_info"]["subset"] in MIX


def test_trainer_dataset_continues_the_live_stream():
    stream = rf.mixture(MIX, seed=1, endless=True).stream()
    dataset = rf.trainer_dataset(stream)
    first = [r["problem_id"] for r in islice(dataset, 3)]
    second = [r["problem_id"] for r in islice(dataset, 3)]
    assert stream.draws == 6 and not set(first) & set(second)


class FakeRLHFDataset:
    """The part of verl's RLHFDataset protocol the API relies on."""

    def __init__(self, data_files, tokenizer, config, processor=None, max_samples=-1):
        self.config = config
        self._download()
        self._read_files_and_tokenize()

    def __len__(self):
        return len(self.dataframe)

    def __getitem__(self, item):
        row = self.dataframe[item]
        row["raw_prompt"] = row.pop("prompt")
        return row


@pytest.fixture
def verl_dataset_class(monkeypatch):
    """``VerlDataset`` loaded the way verl's ``load_extern_object`` loads it: by file path,
    then ``getattr``, over a stand-in ``verl.utils.dataset.rl_dataset``."""
    rl_dataset = types.ModuleType("verl.utils.dataset.rl_dataset")
    rl_dataset.RLHFDataset = FakeRLHFDataset
    for name in ("verl", "verl.utils", "verl.utils.dataset"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, rl_dataset.__name__, rl_dataset)
    spec = importlib.util.spec_from_file_location("custom_module", REPO / "factory/api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VerlDataset


def verl_batch(rows, scores):
    import numpy as np

    return types.SimpleNamespace(
        batch={"token_level_scores": np.array([[0.0, s] for s in scores])},
        non_tensor_batch={"extra_info": np.array([r["extra_info"] for r in rows], dtype=object)},
    )


def test_verl_dataset_serves_the_stream_and_feeds_its_curriculum(verl_dataset_class):
    config = {"reasoning_factory": {"curriculum": True, "band": [0.3, 0.7]}}
    dataset = verl_dataset_class([str(REPO / "configs/quickstart.yaml")], None, config)
    assert len(dataset) == 10**9
    rows = [dataset[0] for _ in range(64)]
    assert len({r["extra_info"]["problem_id"] for r in rows}) == 64
    assert all("raw_prompt" in r for r in rows)
    for _ in range(8):
        dataset.on_batch_end(verl_batch(rows, [1.0] * 64))
    assert dataset.step == 8 and dataset.policy.level("knights_knaves") > 1
    state = dataset.state_dict()
    again = verl_dataset_class([str(REPO / "configs/quickstart.yaml")], None, config)
    again.load_state_dict(state)
    assert again[5] == dataset[123] and again.policy.levels == dataset.policy.levels
    fixed = verl_dataset_class([str(REPO / "configs/quickstart.yaml")], None, {}, max_samples=3)
    assert len(fixed) == 3 and fixed[2] == fixed[2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: rf.mixture({"nope": 1}, size=1), r"mixture.nope.task: unknown task 'nope'"),
        (lambda: rf.mixture({"sudoku": 0}, size=1), r"mixture.sudoku.weight: 0 must be"),
        (lambda: rf.mixture({"sudoku": -2.5}, size=1), r"mixture.sudoku.weight: -2.5 must"),
        (lambda: rf.dataset("sudoku", level=11, size=1), r"mixture.sudoku: levels: 11 is outside"),
        (lambda: rf.dataset("sudoku", knobs={"bogus": 1}, size=1), r"mixture.sudoku.knobs"),
        (lambda: rf.dataset("sudoku", size=3, endless=True), r"size: give a size or endless"),
        (lambda: rf.dataset("sudoku"), r"size: give a size or endless"),
        (lambda: rf.mixture({}, size=1), r"mixture: name at least one task"),
        (lambda: rf.dataset("sudoku", size=1).to_iterable_dataset("csv"), r"format: 'csv'"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(make, message):
    with pytest.raises(ConfigError, match=message) as caught:
        make()
    assert "\n" not in str(caught.value)
