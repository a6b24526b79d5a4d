"""Shared test helpers for the grid-filling SynLogic tasks (Latin squares and number grids).

Used by the Futoshiki, Skyscrapers, Calcudoko, Kukurasu and Survo tests.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.grid import format_grid
from generators.synlogic.latin import LatinSolver, with_givens
from tests.contract import problem_at, wrap

# Malformed answers to a 4x4 Latin square: too few lines, a short grid, a wide grid, a zero.
BAD_SHAPES_4X4 = (
    "1 2 3",
    "1 2 3 4\n2 3 4 1\n3 4 1 2",
    "1 2 3 4 5\n2 3 4 1 5\n3 4 1 2 5\n4 1 2 3 5",
    "0 2 3 4\n2 3 4 1\n3 4 1 2\n4 1 2 3",
)


def grid_of(text: str) -> list[list[int]]:
    return [[int(v) for v in line.split()] for line in text.splitlines()]


def text_of(grid: list[list[int]]) -> str:
    return "\n".join(" ".join(map(str, row)) for row in grid)


def rows_of(flat: list[int], n: int) -> list[list[int]]:
    """Cut a row-major list of n*n values into its n rows."""
    return [flat[r * n : (r + 1) * n] for r in range(n)]


def scorer(task) -> Callable[[Any, list[list[int]] | str], tuple[float, str]]:
    """``score(problem, grid_or_text)`` -> (score, reason) of the task's verifier."""

    def score(problem, grid: list[list[int]] | str) -> tuple[float, str]:
        verdict = task.verify(problem, wrap(grid if isinstance(grid, str) else text_of(grid)))
        return verdict.score, verdict.reason

    return score


def other_latin_squares(problem, limit: int) -> list[list[list[int]]]:
    """Latin squares (as rows) that keep the payload's givens but differ from the answer,
    among the first ``limit`` the shared solver finds."""
    n = problem.payload["n"]
    givens = {c: v for c, v in problem.payload["givens"]}
    answer = [v for row in grid_of(problem.answer) for v in row]
    found = LatinSolver(n).solve(with_givens(n, givens), limit=limit)
    return [rows_of(s, n) for s in found if s != answer]


def check_cell_change_and_row_swap(
    score, problem, cell: tuple[int, int], row: int, cols: tuple[int, int]
) -> list[list[int]]:
    """Changing one answer cell fails; swapping two cells of a row fails on a column.
    Returns the answer grid."""
    grid = grid_of(problem.answer)
    n = len(grid)
    changed = [line[:] for line in grid]
    changed[cell[0]][cell[1]] = changed[cell[0]][cell[1]] % n + 1
    assert score(problem, changed)[0] == 0.0
    swapped = [line[:] for line in grid]
    a, b = cols
    swapped[row][a], swapped[row][b] = swapped[row][b], swapped[row][a]
    value, reason = score(problem, swapped)
    assert value == 0.0 and "column" in reason
    return grid


def malformed_grids_test(task, texts: Sequence[str]):
    """A test that each malformed grid text scores zero, with a reason, on level 1."""

    @pytest.mark.parametrize("text", texts)
    def test(text):
        problem = problem_at(task, 1, 0)
        verdict = task.verify(problem, wrap(text))
        assert verdict.score == 0.0 and verdict.reason

    return test


def config_bounds_test(task, cases: Sequence[dict]):
    """A test that each single-knob config is refused, naming the knob in the error."""

    @pytest.mark.parametrize("knobs", cases)
    def test(knobs):
        with pytest.raises(ValidationError) as error:
            task.Config(**knobs)
        assert next(iter(knobs)) in str(error.value)

    return test


def out_of_range_knobs_test(task, cases: Sequence[tuple[dict, str]]):
    """A test that each config is refused with an error matching the named field."""

    @pytest.mark.parametrize(("knobs", "field"), cases)
    def test(knobs: dict, field: str):
        with pytest.raises(ValidationError, match=field):
            task.Config(**knobs)

    return test


def check_prompts_state_format_and_vary(task, level: int, phrases: Sequence[str]) -> None:
    """30 prompts at ``level`` end with the answer instruction, contain every phrase,
    open with at least three different first lines and are all different."""
    prompts = [problem_at(task, level, i).prompt for i in range(30)]
    assert all(p.rstrip().endswith(ANSWER_INSTRUCTION) for p in prompts)
    assert all(all(phrase in p for phrase in phrases) for p in prompts)
    assert len({p.splitlines()[0] for p in prompts}) >= 3
    assert len(set(prompts)) == 30


def verdict_of(task) -> Callable[[Any, list[list[int]] | str], Any]:
    """``verdict(problem, grid_or_text)``: the task's verdict on a grid (via format_grid)."""

    def verdict(problem, grid: list[list[int]] | str):
        return task.verify(problem, wrap(grid if isinstance(grid, str) else format_grid(grid)))

    return verdict


def assert_z3_unique(
    s: z3.Solver,
    x: list[list[Any]],
    expected: list[list[int]],
    value: Callable[[z3.ModelRef, Any], int] = lambda m, v: m.eval(v).as_long(),
    differs: Callable[[Any, int], Any] = operator.ne,
) -> None:
    """The z3 model of the grid ``x`` equals ``expected``, and no other model exists."""
    assert s.check() == z3.sat
    m = s.model()
    found = [[value(m, v) for v in row] for row in x]
    assert found == expected
    flat = [v for row in x for v in row]
    s.add(z3.Or([differs(v, w) for v, w in zip(flat, sum(found, []), strict=True)]))
    assert s.check() == z3.unsat


def check_malformed_refused(task, problem, sol: list[list[int]], extra: Sequence[str]) -> None:
    """The solution less its last row, less its last column, and each ``extra`` text score
    zero and make ``check_answer`` raise AnswerFormatError."""
    for malformed in (format_grid(sol[:-1]), format_grid([row[:-1] for row in sol]), *extra):
        assert task.verify(problem, wrap(malformed)).score == 0.0
        with pytest.raises(AnswerFormatError):
            task.check_answer(problem, malformed)
