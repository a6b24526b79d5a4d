"""The RSD token rule and vocabulary map, on hand-made distributions (no model needed)."""

import math

import pytest

from factory.backends.base import BackendError
from factory.rsd.rule import draw, pick, rsd_step, sampling_distribution
from factory.rsd.select import KEPT, select
from factory.rsd.vocab import SharedVocab
from schemas.config import RSDFilter, RSDParams
from schemas.records import Trace, Verdict

IDENTITY = {i: i for i in range(10)}


def lp(*probabilities):
    return [(token, math.log(p)) for token, p in probabilities]


def test_draws_are_fixed_by_seed_position_and_trial():
    values = {draw(s, p, t) for s in (0, 1) for p in range(50) for t in range(6)}
    assert len(values) == 600 and all(0 <= v < 1 for v in values)
    assert draw(3, 4, 5) == draw(3, 4, 5)


def test_distribution_applies_temperature_then_top_p_and_lays_out_by_id():
    top = lp((7, 0.5), (2, 0.3), (9, 0.15), (4, 0.05))
    plain = dict(sampling_distribution(top, 1.0, 1.0))
    assert [t for t, _ in sampling_distribution(top, 1.0, 1.0)] == [2, 4, 7, 9]
    assert plain[7] == pytest.approx(0.5) and plain[4] == pytest.approx(0.05)
    cooled = dict(sampling_distribution(top, 0.5, 1.0))
    assert cooled[7] > plain[7] and cooled[4] < plain[4]
    nucleus = dict(sampling_distribution(top, 1.0, 0.75))
    assert set(nucleus) == {7, 2} and sum(nucleus.values()) == pytest.approx(1.0)
    assert sampling_distribution(top, 0.0, 1.0) == [(7, 1.0)]


def test_pick_inverts_the_cdf():
    distribution = [(1, 0.25), (5, 0.5), (8, 0.25)]
    assert [pick(distribution, u) for u in (0.0, 0.24, 0.25, 0.74, 0.75, 0.999)] == [
        1,
        1,
        5,
        5,
        8,
        8,
    ]


def step(params, teacher, student, seed=0, position=0, t2s=IDENTITY, first=None):
    student_logprob = dict(student)
    return rsd_step(
        params,
        seed,
        position,
        lambda: teacher,
        lambda: student,
        lambda token: student_logprob.get(token, -math.inf),
        t2s,
        {s: t for t, s in t2s.items()},
        first_candidate=first,
    )


TEACHER = lp((1, 0.6), (2, 0.3), (3, 0.1))
STUDENT = lp((4, 0.7), (2, 0.295), (1, 0.005))


def test_threshold_zero_accepts_the_first_teacher_draw():
    params = RSDParams(p_th=0.0, temperature=1.0, top_p=1.0)
    for position in range(40):
        result = step(params, TEACHER, STUDENT, position=position)
        expected = pick(sampling_distribution(TEACHER, 1.0, 1.0), draw(0, position, 0))
        assert (result.teacher_id, result.from_teacher, result.trials) == (expected, True, 1)


def test_threshold_above_one_always_falls_back_to_the_student():
    params = RSDParams(p_th=1.5, temperature=1.0, top_p=1.0, trials=3)
    for position in range(40):
        result = step(params, TEACHER, STUDENT, position=position)
        expected = pick(sampling_distribution(STUDENT, 1.0, 1.0), draw(0, position, 3))
        assert (result.student_id, result.from_teacher) == (expected, False)


def test_a_candidate_is_accepted_only_if_the_student_gives_it_p_th():
    params = RSDParams(p_th=0.01, temperature=1.0, top_p=1.0)
    outcomes = [step(params, TEACHER, STUDENT, position=p) for p in range(200)]
    accepted = {r.teacher_id for r in outcomes if r.from_teacher}
    assert accepted == {2}, "token 1 (student 0.005) and 3 (absent) are never accepted"
    assert any(not r.from_teacher for r in outcomes)
    assert all(r.trials == 5 for r in outcomes if not r.from_teacher)


def test_unshared_teacher_tokens_are_never_proposed():
    params = RSDParams(p_th=0.0, temperature=1.0, top_p=1.0)
    only_two = {2: 2, 4: 4}
    results = [step(params, TEACHER, STUDENT, position=p, t2s=only_two) for p in range(30)]
    assert {r.teacher_id for r in results} == {2}


def test_shared_vocab_maps_by_token_string_and_refuses_small_overlap():
    teacher = {"a": 0, "b": 1, "c": 2, "d": 3}
    vocab = SharedVocab.build(teacher, {"b": 5, "a": 6, "c": 7, "z": 0}, 0.7)
    assert vocab.teacher_to_student == {0: 6, 1: 5, 2: 7} and vocab.share == 0.75
    assert vocab.student_to_teacher == {6: 0, 5: 1, 7: 2}
    with pytest.raises(BackendError, match=r"share 50\.0%.*min_shared_vocab"):
        SharedVocab.build(teacher, {"a": 0, "b": 1}, 0.9, ("big", "small"))


def trace(index, tokens, text="<think>x</think><answer>1</answer>", finish="stop", fallback=0.1):
    return Trace(
        trace_id=f"t{index}",
        problem_id="p",
        producer="rsd",
        sample_index=index,
        text=text,
        finish_reason=finish,
        num_tokens=tokens,
        stats={"fallback_share": fallback},
    )


def verdict(index, passed=True):
    return Verdict(
        problem_id="p", trace_id=f"t{index}", score=float(passed), passed=passed, reason="r"
    )


def test_filter_keeps_the_shortest_sample_that_passes_every_rule():
    traces = [
        trace(0, 50),
        trace(1, 10, text="no marker <answer>1</answer>"),
        trace(2, 12, finish="length"),
        trace(3, 14, fallback=0.6),
        trace(4, 16),
        trace(5, 18),
    ]
    verdicts = [verdict(i, passed=i != 5) for i in range(6)]
    words = select(traces, verdicts, RSDFilter())
    assert words["t4"] == KEPT
    assert [k for k, w in words.items() if w == KEPT] == ["t4"]
    assert "</think>" in words["t1"] and "length" in words["t2"] and "60%" in words["t3"]
    assert words["t0"].startswith("passed")
    relaxed = select(traces, verdicts, RSDFilter(require_think_marker=False))
    assert relaxed["t1"] == KEPT


def test_a_supplied_first_candidate_is_the_first_trial():
    params = RSDParams(p_th=0.0, temperature=1.0, top_p=1.0)
    for position in range(20):
        for first in (1, 2, 3):
            result = step(params, TEACHER, STUDENT, position=position, first=first)
            assert (result.teacher_id, result.trials) == (first, 1)


def test_a_supplied_candidate_outside_the_candidates_is_replaced_by_the_rules_draw():
    params = RSDParams(p_th=0.0, temperature=1.0, top_p=1.0)
    only_shared = {1: 1, 2: 2}  # token 3 is not in the student's vocabulary
    for position in range(20):
        expected = step(params, TEACHER, STUDENT, position=position, t2s=only_shared)
        for first in (3, 99):
            result = step(params, TEACHER, STUDENT, position=position, t2s=only_shared, first=first)
            assert result == expected


def test_a_rejected_supplied_candidate_moves_on_to_the_rules_next_draws():
    params = RSDParams(p_th=0.01, temperature=1.0, top_p=1.0, trials=5)
    student = lp((1, 0.5), (2, 0.5))  # token 3: probability 0 for the student
    for position in range(20):
        result = step(params, TEACHER, student, position=position, first=3)
        assert result.teacher_id in (1, 2) and result.trials >= 2
        distribution = sampling_distribution(TEACHER, 1.0, 1.0)
        later = [pick(distribution, draw(0, position, t)) for t in range(1, 5)]
        assert result.teacher_id == next(t for t in later if t != 3)
