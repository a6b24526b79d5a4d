"""Level policies: the adaptive curriculum on a simulated learner, manual schedules, their
state, the TRL and verl hooks, and refusals of bad settings."""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from random import Random

import numpy as np
import pytest

from factory.curriculum import (
    STATE_FILE,
    Curriculum,
    ManualSchedule,
    recording_reward,
    trl_callback,
    verl_feedback,
)
from factory.errors import ConfigError

SKILLS = {"easy": 2.2, "middle": 5.0, "hard": 8.1}


def success(skill: float, level: int) -> float:
    """The simulated learner: its pass rate falls with the level."""
    return 1.0 / (1.0 + math.exp(level - skill))


def simulate(
    curriculum: Curriculum,
    skill: Callable[[str, int], float],
    updates: int,
    batch: int = 16,
    seed: int = 0,
) -> list[dict[str, float]]:
    """``updates`` trainer steps of ``batch`` rollouts per subset; after each, the learner's
    true pass rate per subset at the level the curriculum then sets."""
    rng = Random(seed)
    rates = []
    for update in range(1, updates + 1):
        for subset in curriculum.levels:
            p = success(skill(subset, update), curriculum.level(subset))
            for _ in range(batch):
                curriculum.record(subset, float(rng.random() < p))
        curriculum.update(update)
        rates.append({s: success(skill(s, update), curriculum.level(s)) for s in curriculum.levels})
    return rates


def in_band(rates: dict[str, float], band=(0.3, 0.7)) -> bool:
    return all(band[0] <= r <= band[1] for r in rates.values())


def test_converges_to_the_band_and_stays():
    curriculum = Curriculum(list(SKILLS))
    rates = simulate(curriculum, lambda s, _: SKILLS[s], updates=120)
    first = next(i for i, r in enumerate(rates) if in_band(r))
    assert first < 40
    assert sum(in_band(r) for r in rates[first:]) >= 0.9 * len(rates[first:])
    assert curriculum.levels == {"easy": 2, "middle": 5, "hard": 8}


def test_follows_an_improving_learner():
    curriculum = Curriculum(["learner"])
    rates = simulate(curriculum, lambda _, t: 1.5 + t / 40, updates=300)
    assert curriculum.level("learner") == 9
    assert sum(in_band(r) for r in rates[60:]) >= 0.8 * len(rates[60:])


def test_every_decision_is_logged_and_the_state_round_trips():
    curriculum = Curriculum(["a", "b"], window=8, min_samples=4)
    for _ in range(4):
        curriculum.record("a", 1.0)
        curriculum.record("b", 0.0)
    curriculum.record("elsewhere", 1.0)
    (up, hold) = curriculum.update(step=7)
    assert (up.step, up.subset, up.pass_rate, up.level, up.new_level) == (7, "a", 1.0, 1, 2)
    assert (hold.subset, hold.pass_rate, hold.new_level) == ("b", 0.0, 1)
    assert curriculum.update(step=8) == []
    copy = Curriculum(["a", "b"], window=8, min_samples=4)
    copy.load_state_dict(curriculum.state_dict())
    assert copy.state_dict() == curriculum.state_dict() and copy.decisions == [up, hold]
    with pytest.raises(ConfigError, match="curriculum state.fingerprint: .* different mixture"):
        Curriculum(["a", "c"], window=8, min_samples=4).load_state_dict(copy.state_dict())


def test_manual_schedule_sets_levels_by_step():
    everyone = ManualSchedule({0: 1, 100: 3, 500: 6})
    assert [everyone.update(s) or everyone.level("x") for s in (0, 99, 100, 700)] == [1, 1, 3, 6]
    per_subset = ManualSchedule({"sudoku": {0: 2, 10: 5}})
    per_subset.update(10)
    assert (per_subset.level("sudoku"), per_subset.level("other")) == (5, None)
    restored = ManualSchedule({"sudoku": {0: 2, 10: 5}})
    restored.load_state_dict(per_subset.state_dict())
    assert restored.level("sudoku") == 5
    with pytest.raises(ConfigError, match="schedule state.fingerprint"):
        everyone.load_state_dict(per_subset.state_dict())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Curriculum(["a"], band=(0.7, 0.3)), r"curriculum.band: \(0.7, 0.3\)"),
        (lambda: Curriculum(["a"], band=(-0.1, 0.5)), r"curriculum.band"),
        (lambda: Curriculum(["a"], band=(0.2, 1.5)), r"curriculum.band"),
        (lambda: Curriculum({"a": (0, 4)}), r"curriculum.subsets.a: levels 0..4"),
        (lambda: Curriculum(["a"], start=11), r"curriculum.start.a: 11 is outside 1..10"),
        (lambda: Curriculum(["a"], window=4, min_samples=8), r"curriculum.min_samples: 8"),
        (lambda: Curriculum([]), r"curriculum.subsets: name at least one"),
        (lambda: ManualSchedule({0: 12}), r"schedule.0: level 12"),
    ],
)
def test_bad_settings_are_one_line_naming_the_field(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_trl_reward_wrapper_and_callback_drive_and_save_the_curriculum(tmp_path):
    pytest.importorskip("transformers")
    curriculum = Curriculum(["a"], window=4, min_samples=4)
    reward = recording_reward(curriculum, lambda completions, **_: [1.0] * len(completions))
    assert reward.__name__ == "<lambda>"
    assert reward(["x"] * 4, subset=["a"] * 4, ground_truth=["g"] * 4) == [1.0] * 4
    callback = trl_callback(curriculum)
    args = types.SimpleNamespace(output_dir=str(tmp_path))
    state = types.SimpleNamespace(global_step=3)
    callback.on_step_end(args, state, None)
    assert curriculum.level("a") == 2
    callback.on_save(args, state, None)
    assert (tmp_path / "checkpoint-3" / STATE_FILE).is_file()
    fresh = Curriculum(["a"], window=4, min_samples=4)
    trl_callback(fresh).on_train_begin(args, state, None)
    assert fresh.level("a") == 2 and fresh.decisions == curriculum.decisions


def test_verl_feedback_reads_scores_and_subsets_from_the_batch():
    curriculum = Curriculum(["a", "b"], window=4, min_samples=2)
    batch = types.SimpleNamespace(
        batch={"token_level_scores": np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])},
        non_tensor_batch={
            "extra_info": np.array([{"subset": s} for s in "aabb"], dtype=object),
        },
    )
    decisions = verl_feedback(curriculum, batch, step=5)
    assert [(d.subset, d.pass_rate, d.new_level) for d in decisions] == [
        ("a", 1.0, 2),
        ("b", 0.0, 1),
    ]
