"""Dyck language errors: contract, independent position check, wrong and malformed answers."""

from __future__ import annotations

import pytest

from generators.synlogic.dyck import CLOSERS
from generators.synlogic.dyck_language_errors import DyckLanguageErrors
from tests.contract import contract_tests, problem_at, wrap
from tests.test_synlogic_dyck_language import common_tests, reduce_pairs

TASK = DyckLanguageErrors()
globals().update(contract_tests(TASK, effort_samples=200))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def first_error_by_reduction(sequence: str) -> int:
    """Independent: the shortest prefix whose pair reduction still holds a closer."""
    for size in range(1, len(sequence) + 1):
        if set(reduce_pairs(sequence[:size])) & set(CLOSERS):
            return size
    return len(sequence) + 1


@pytest.mark.parametrize("level", [1, 4, 10])
def test_reduction_agrees_with_the_answer(level):
    for index in range(8):
        problem = problem_at(TASK, level, index)
        assert first_error_by_reduction(problem.payload["sequence"]) == int(problem.answer)


def test_errors_are_spread_over_the_sequence_and_the_end():
    problems = [problem_at(TASK, 2, index) for index in range(100)]
    ends = sum(int(p.answer) == len(p.payload["sequence"]) + 1 for p in problems)
    assert 0 < ends < 20
    assert len({int(p.answer) for p in problems}) >= 10


def test_wrong_positions_fail():
    problem = problem_at(TASK, 7, 0)
    right = int(problem.answer)
    size = len(problem.payload["sequence"])
    for value in {right - 1, right + 1, 1, size + 2, 0, -right}:
        if value != right:
            assert score(problem, str(value)) == 0.0, value


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 3, 2)
    right = problem.answer
    for text in [f" {right}. ", f"Position {right}", f"{right}th", f"'{right}'"]:
        assert score(problem, text) == 1.0, text
    assert score(problem, f"The first error is at position {right}.") == 1.0


def test_a_phrase_that_may_deny_its_number_fails():
    problem = problem_at(TASK, 7, 0)
    right = problem.answer
    for text in [f"not {right}", f"{right} is wrong", f"definitely not position {right}"]:
        verdict = TASK.verify(problem, wrap(text))
        assert verdict.score == 0.0 and "not just a position" in verdict.reason, text


def test_knobs_are_honoured():
    problem = problem_at(TASK, None, 0, length=40, types=1, spacing=0.0)
    sequence = problem.payload["sequence"]
    assert 37 <= len(sequence) <= 41 and set(sequence) <= {"(", ")"}
    assert sequence in problem.prompt


globals().update(
    common_tests(
        TASK,
        ["valid", "3.5", "3 or 4", "between 2 and 9", "x", "1/0"],
        ("single whole number", "length plus one"),
        [
            ({"length": 3}, "length"),
            ({"length": 201}, "length"),
            ({"types": 0}, "types"),
            ({"spacing": 1.5}, "spacing"),
            ({"colour": 1}, "colour"),
        ],
    )
)
