"""Checks shared by the on/off cell-placement tasks: campsite, star placement and norinori."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
import z3
from pydantic import ValidationError

from generators.base import AnswerFormatError, Task
from schemas.records import Problem
from tests.contract import problem_at, wrap

Cell = tuple[int, int]


def score(task: Task, problem: Problem, answer: str) -> float:
    return task.verify(problem, wrap(answer)).score


def scorer(task: Task) -> Callable[[Problem, str], float]:
    """``score(problem, answer)`` for ``task``."""
    return lambda problem, answer: score(task, problem, answer)


def solution_grid(problem: Problem) -> list[list[str]]:
    """The stored solution as a mutable grid of symbols."""
    return [list(line) for line in problem.payload["solution"]]


def cells_holding(grid: list[list[str]], symbol: str) -> list[Cell]:
    return [(r, c) for r, row in enumerate(grid) for c, s in enumerate(row) if s == symbol]


def edited(grid: list[list[str]], changes: dict[Cell, str]) -> str:
    """The answer text of ``grid`` with ``changes`` applied to a copy."""
    copy = [row[:] for row in grid]
    for (r, c), symbol in changes.items():
        copy[r][c] = symbol
    return "\n".join("".join(row) for row in copy)


def model_values(solver: z3.Solver, cells: list[z3.BoolRef]) -> list[bool]:
    model = solver.model()
    return [z3.is_true(model.eval(x, model_completion=True)) for x in cells]


def exclude(solver: z3.Solver, cells: list[z3.BoolRef], values: list[bool]) -> None:
    """Rule out the assignment ``values`` to ``cells``."""
    solver.add(z3.Or([x != value for x, value in zip(cells, values, strict=True)]))


def z3_cells(prefix: str, count: int) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """A fresh solver and one Boolean per cell, named ``prefix`` and the cell index."""
    return z3.Solver(), [z3.Bool(f"{prefix}{cell}") for cell in range(count)]


def add_line_counts(
    solver: z3.Solver, cells: list[z3.BoolRef], row_counts: list[int], col_counts: list[int]
) -> None:
    """Row r has exactly ``row_counts[r]`` cells on, column c ``col_counts[c]``."""
    rows, cols = len(row_counts), len(col_counts)
    for r, need in enumerate(row_counts):
        solver.add(z3.PbEq([(cells[r * cols + c], 1) for c in range(cols)], need))
    for c, need in enumerate(col_counts):
        solver.add(z3.PbEq([(cells[r * cols + c], 1) for r in range(rows)], need))


def add_region_quotas(
    solver: z3.Solver, cells: list[z3.BoolRef], regions: list[str], quota: int
) -> None:
    """Every region (cells sharing a letter in ``regions``) has exactly ``quota`` cells on."""
    labels = [label for line in regions for label in line]
    for label in sorted(set(labels)):
        mine = [x for x, own in zip(cells, labels, strict=True) if own == label]
        solver.add(z3.PbEq([(x, 1) for x in mine], quota))


def add_no_touching(solver: z3.Solver, cells: list[z3.BoolRef], rows: int, cols: int) -> None:
    """No two cells that are on touch, not even diagonally."""
    for cell in range(rows * cols):
        r, c = divmod(cell, cols)
        for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
            y, x = r + dr, c + dc
            if 0 <= y < rows and 0 <= x < cols:
                solver.add(z3.Not(z3.And(cells[cell], cells[y * cols + x])))


def assert_unique_model(solver: z3.Solver, cells: list[z3.BoolRef], expected: list[bool]) -> None:
    """z3 finds exactly the expected assignment, and no other one."""
    assert solver.check() == z3.sat
    found = model_values(solver, cells)
    assert found == expected
    exclude(solver, cells, found)
    assert solver.check() == z3.unsat


def assert_perturbations_fail(
    task: Task, levels: Iterable[int], perturbations: Callable[[Problem], list[str]]
) -> None:
    for level in levels:
        for index in range(5):
            problem = problem_at(task, level, index)
            for answer in perturbations(problem):
                verdict = task.verify(problem, wrap(answer))
                assert verdict.score == 0.0 and verdict.reason, answer


def assert_malformed_refused(task: Task, foreign: str, junk: str) -> None:
    """Missing lines or columns, a ``foreign`` symbol or a row of ``junk`` are malformed."""
    problem = problem_at(task, 3, 0)
    lines = problem.answer.splitlines()
    for answer in (
        "\n".join(lines[:-1]),
        "\n".join(line[:-1] for line in lines),
        "\n".join([lines[0].replace(".", foreign, 1), *lines[1:]]),
        "\n".join([junk * len(lines[0]), *lines[1:]]),
    ):
        with pytest.raises(AnswerFormatError):
            task.check_answer(problem, answer)
        assert score(task, problem, answer) == 0.0


def assert_formatting_tolerated(task: Task, lower: bool = True) -> None:
    """Spaces, commas, blank lines, brackets (and, if ``lower``, lower case) still score 1."""
    problem = problem_at(task, 4, 1)
    lines = problem.answer.splitlines()
    commas = [",".join(line) for line in lines]
    for answer in (
        "\n".join(" ".join(line) for line in lines),
        "\n\n".join(line.lower() if lower else line for line in commas),
        "\n".join(f"[{' '.join(line)}]" for line in lines),
    ):
        assert score(task, problem, answer) == 1.0, answer


def assert_knob_refused(task: Task, knobs: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        task.Config(**knobs)
