"""Game of 24: contract, solver vs brute force, and a verifier that checks the rules exactly."""

from __future__ import annotations

import itertools
from fractions import Fraction
from random import Random

import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.game_of_24 import GameOf24
from generators.synlogic.game_of_24.expression import MAX_CHARS, MAX_DEPTH, evaluate
from generators.synlogic.game_of_24.solver import (
    _integers_reach,
    _rationals_reach,
    expression,
    search,
)
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = GameOf24()
globals().update(contract_tests(TASK))


def puzzle(numbers: list[int], target: int) -> Problem:
    """A generated problem with its numbers and target replaced (the verifier reads only those)."""
    base = problem_at(TASK, 1, 0)
    return base.model_copy(
        update={"payload": {**base.payload, "numbers": numbers, "target": target}}
    )


def score(p: Problem, answer: str) -> tuple[float, str]:
    verdict = TASK.verify(p, wrap(answer))
    return verdict.score, verdict.reason


def brute_force(values: list[Fraction], target: int) -> bool:
    """Every ordered pair, every operation, negatives included: independent of the solver."""
    if len(values) == 1:
        return values[0] == target
    for i, j in itertools.permutations(range(len(values)), 2):
        a, b = values[i], values[j]
        rest = [v for k, v in enumerate(values) if k not in (i, j)]
        for result in (a + b, a - b, a * b, *([a / b] if b else [])):
            if brute_force([*rest, result], target):
                return True
    return False


# --- solver --------------------------------------------------------------------------------


def test_solver_agrees_with_brute_force_and_its_expressions_check_out():
    rng = Random(3)
    solvable = 0
    for _ in range(250):
        numbers = [rng.randint(0, 13) for _ in range(rng.choice((3, 4)))]
        target = rng.randint(1, 40)
        found = search(numbers, target, 10**9)
        assert (found.steps is not None) == brute_force([Fraction(n) for n in numbers], target)
        if found.steps is not None:
            solvable += 1
            result = evaluate(expression(numbers, found.steps))
            assert result.value == target and sorted(result.numbers) == sorted(numbers)
    assert solvable > 50


def test_integer_shortcut_agrees_with_the_rational_check():
    """Three-number nodes of integers take a cross-multiplied shortcut; it must decide
    exactly what the check on reduced rationals decides (zeros and fractions included)."""
    for x, y, z in itertools.combinations_with_replacement(range(0, 14), 3):
        state = ((x, 1), (y, 1), (z, 1))
        for target in (1, 2, 3, 5, 7, 12, 24, 26, 60, 91):
            assert _integers_reach(state, target, {}) == _rationals_reach(state, target, {}), (
                state,
                target,
            )


def test_solver_needs_fractions_when_the_puzzle_does():
    found = search([3, 3, 8, 8], 24, 10**9)
    assert found.steps is not None and any(s.result.denominator > 1 for s in found.steps)
    assert evaluate(expression([3, 3, 8, 8], found.steps)).value == 24
    assert search([1, 1, 1, 1], 24, 10**9).steps is None


def test_every_level_keeps_its_knobs_and_a_solvable_target():
    for level in range(1, 11):
        config = TASK.config_for_level(level)
        for index in range(3):
            p = problem_at(TASK, level, index)
            numbers, target = p.payload["numbers"], p.payload["target"]
            assert len(numbers) == config.n_numbers
            assert all(1 <= n <= config.max_number for n in numbers)
            assert config.target_min <= target <= config.target_max
            effort = TASK.solve(p).stats["effort"]
            assert config.min_effort <= effort <= config.max_nodes


def test_reference_trace_shows_the_search_and_stays_short():
    for level in (1, 5, 10):
        for index in range(5):
            p = problem_at(TASK, level, index)
            solution = TASK.solve(p)
            assert solution.answer == p.answer
            assert "First combinations tried:" in solution.reasoning
            assert "Step 1" in solution.reasoning and len(solution.reasoning) < 15_000
            assert TASK.verify(p, solution.trace_text()).passed


# --- verifier ------------------------------------------------------------------------------


def test_any_valid_expression_scores_one():
    p = puzzle([3, 3, 8, 8], 24)
    for answer in (
        "8/(3-8/3)",
        "8 ÷ (3 − 8 ÷ 3)",
        "8 / (3 - 8 / 3) = 24",
        "`8/(3-(8/3))`",
        "[8 / {3 - 8 / 3}]",
        "8 \\div (3 - 8 \\div 3)",
    ):
        assert score(p, answer) == (1.0, "uses every number once and equals 24"), answer
    q = puzzle([2, 3, 4, 6], 24)
    for answer in ("4 × 6 × (3 − 2)", "6x4x(3-2)", "-(2 - 3) * 4 * 6", "(6 / 2 + 3) * 4"):
        assert score(q, answer)[0] == 1.0, answer


def test_wrong_answers_score_zero_with_a_reason():
    p = puzzle([3, 3, 8, 8], 24)
    cases = {
        "8/(3-3/8)": "not 24",  # all numbers, wrong value
        "3 * 8": "exactly",  # numbers omitted
        "3 * 8 * (8 - 3) / 3 * 3 / 8 + 0": "exactly",  # numbers reused and one not given
        "(8 + 8 + 3) + 3 + 2": "exactly",  # a number not in the list
        "8 * 3 * (8 - 8 + 3 - 3)": "exactly",
        "8 / (3 - 3) + 8": "zero",
        "8 / (3 - 8 / 3) = 25": "states the result 25",
    }
    for answer, reason in cases.items():
        value, why = score(p, answer)
        assert value == 0.0 and reason in why, (answer, why)


@pytest.mark.parametrize(
    "answer",
    [
        "__import__('os').system('x')",
        "eval('8/(3-8/3)')",
        "8/(3-8/3); import os",
        "8 ** 3 - 8 * 3",
        "8^3",
        "8/(3-8/3",
        "8/(3-8/3))",
        "8(3-8/3)",
        "8.0/(3-8/3)",
        "24",  # a bare number parses; it fails on the numbers, not the format
    ],
)
def test_code_and_junk_never_score(answer: str):
    p = puzzle([3, 3, 8, 8], 24)
    verdict = TASK.verify(p, wrap(answer))
    assert verdict.score == 0.0 and not verdict.passed and verdict.reason


def test_format_errors_raise_and_limits_hold():
    p = puzzle([3, 3, 8, 8], 24)
    for answer in ("", "x", "8 +", "((8))) ", "os.system"):
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(p, answer)
    with pytest.raises(AnswerFormatError, match="longer"):
        TASK.check_answer(p, "8 + " * (MAX_CHARS // 4) + "8")
    with pytest.raises(AnswerFormatError, match="nesting"):
        TASK.check_answer(p, "(" * (MAX_DEPTH + 1) + "8" + ")" * (MAX_DEPTH + 1))
    assert score(p, "-" * MAX_DEPTH + "8/(3-8/3)")[0] == 1.0  # an even run of minus signs


def test_the_verifier_reads_the_payload_not_the_reference_answer():
    p = problem_at(TASK, 6, 3)
    numbers, target = p.payload["numbers"], p.payload["target"]
    assert score(p, p.answer)[0] == 1.0
    other = puzzle(numbers, target + 1)
    assert score(other, p.answer)[0] == 0.0


# --- prompt and config ---------------------------------------------------------------------


def test_prompt_states_numbers_target_and_format_and_varies():
    batch = [problem_at(TASK, 3, index) for index in range(30)]
    for p in batch:
        numbers, target = p.payload["numbers"], p.payload["target"]
        assert ", ".join(map(str, numbers)) in p.prompt and str(target) in p.prompt
        assert "exactly once" in p.prompt or "once and only once" in p.prompt
        assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
    assert len({p.prompt.splitlines()[0].split(" ")[0] for p in batch}) == 3
    assert len({p.prompt.splitlines()[1][:12] for p in batch}) == 3


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_numbers": 2}, "n_numbers"),
        ({"n_numbers": 7}, "n_numbers"),
        ({"max_number": 1}, "max_number"),
        ({"target_min": 0}, "target_min"),
        ({"target_max": 10_000}, "target_max"),
        ({"min_effort": -1}, "min_effort"),
        ({"max_nodes": 5}, "max_nodes"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"target_min": 30, "target_max": 20}, "target_min"),
        ({"min_effort": 500, "max_nodes": 400}, "min_effort"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)


def test_unreachable_window_raises_a_clear_error():
    config = TASK.Config(
        n_numbers=3, max_number=2, target_min=9000, target_max=9000, max_attempts=5
    )
    with pytest.raises(RuntimeError, match="max_attempts"):
        TASK.generate(config, Random(0), 0)


def test_unrecorded_search_finds_the_same_steps_with_the_same_effort():
    """generate searches without recording first moves; solve records them."""
    rng = Random(3)
    for _ in range(40):
        numbers = [rng.randint(1, 100) for _ in range(rng.choice((4, 5, 6)))]
        target = rng.randint(100, 999)
        recorded = search(numbers, target, 300)
        bare = search(numbers, target, 300, record=False)
        assert (bare.steps, bare.nodes, bare.exhausted) == (
            recorded.steps,
            recorded.nodes,
            recorded.exhausted,
        )
        assert bare.first_moves == [] and (recorded.first_moves or recorded.steps is None)
