"""Time sequence: contract, brute-force minute scan, time-format normalisation, wrong answers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generators.synlogic.time_sequence import TimeSequence, clock, parse_time
from tests.contract import contract_tests, problem_at, wrap

TASK = TimeSequence()
globals().update(contract_tests(TASK))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def brute_force(p: dict) -> int | None:
    """Try every minute of the day against every rule directly (independent of the sweep)."""
    pad = dict(map(tuple, p["breaks"]))
    d = p["duration"]
    for s in range(p["day"][0], p["day"][1] - d + 1):
        if any(k == "after" and s < t or k == "by" and s + d > t for k, _, t in p["rules"]):
            continue
        if all(
            s + d <= a - pad.get(k, 0) or b + pad.get(k, 0) <= s
            for k, slots in enumerate(p["busy"])
            for a, b in slots
        ):
            return s
    return None


def test_answers_match_a_minute_by_minute_scan():
    nones = 0
    cases = [(level, {}) for level in (1, 3, 5, 8, 10)] + [(8, {"none_share": 1.0})]
    for level, knobs in cases:
        for index in range(12):
            p = problem_at(TASK, level, index, **knobs)
            want = brute_force(p.payload)
            assert p.answer == ("none" if want is None else clock(want))
            nones += want is None
    assert 0 < nones < 30


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("9:00", 540),
        ("09:00", 540),
        ("9am", 540),
        ("9 a.m.", 540),
        ("2:15 pm", 855),
        ("14:15", 855),
        ("14.15", 855),
        ("12:30 PM", 750),
        ("12am", 0),
        ("noon", 720),
        ("None.", None),
        ("no time", None),
    ],
)
def test_time_formats_are_normalised(text, minutes):
    assert parse_time(text) == minutes


def test_correct_answers_in_other_formats_pass():
    p = next(q for q in (problem_at(TASK, 6, i) for i in range(20)) if q.answer != "none")
    hour, minute = map(int, p.answer.split(":"))
    assert score(p, f"{hour}:{minute:02d}") == 1.0
    half = "am" if hour < 12 else "pm"
    assert score(p, f"{(hour - 1) % 12 + 1}:{minute:02d} {half}") == 1.0
    end = clock(hour * 60 + minute + p.payload["duration"])
    assert score(p, f"{p.answer} - {end}") == 1.0
    assert score(p, f"{p.answer} - {clock(hour * 60 + minute + 5)}") == 0.0


def test_wrong_answers_fail():
    for index in range(10):
        p = problem_at(TASK, 7, index)
        if p.answer == "none":
            assert score(p, clock(p.payload["day"][0])) == 0.0
            continue
        hour, minute = map(int, p.answer.split(":"))
        start = hour * 60 + minute
        for other in (start - 5, start + 5, start + 60, p.payload["day"][0]):
            assert score(p, clock(other)) == 0.0
        assert score(p, "none") == 0.0


@pytest.mark.parametrize("text", ["25:00", "9:75", "13pm", "nine", "9", "around 10", "10:00:00"])
def test_malformed_times_score_zero(text):
    verdict = TASK.verify(problem_at(TASK, 3, 0), wrap(text))
    assert verdict.score == 0.0 and "malformed" in verdict.reason


def test_config_bounds_are_enforced():
    for knobs in ({"n_people": 1}, {"n_people": 11}, {"step": 2}, {"appointments": 9}):
        with pytest.raises(ValidationError, match=next(iter(knobs))):
            TASK.config_for_level(5, knobs)
    with pytest.raises(ValidationError, match="n_rules"):
        TASK.config_for_level(1, {"n_rules": 3})


def test_prompts_vary():
    prompts = [problem_at(TASK, 5, i).prompt for i in range(10)]
    assert len({p.splitlines()[0][:10] for p in prompts}) >= 3
    assert "for 20 minutes" in "".join(prompts) or "minutes" in prompts[0]
