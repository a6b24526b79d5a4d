"""Helpers the math task tests share (no tests here): oracle-passes / perturbed-fails over
several levels, and agreement with an independent second computation."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

from generators.base import Task
from generators.math.answers import parse_answer, parse_expr, same_set, same_value, value_list
from schemas.records import Problem
from tests.contract import problem_at, wrap

LEVELS = (1, 3, 5, 7, 10)


def problems(task: Task, levels: Iterable[int] = LEVELS, count: int = 6) -> list[Problem]:
    return [problem_at(task, level, index) for level in levels for index in range(count)]


def score(task: Task, problem: Problem, answer: str) -> float:
    return task.verify(problem, wrap(answer)).score


def check_oracle_and_perturbed(
    task: Task, perturb: Callable[[Problem], str], levels: Iterable[int] = LEVELS
) -> None:
    """The reference answer scores 1 and ``perturb(problem)`` scores 0, on every problem."""
    for problem in problems(task, levels, 4):
        assert score(task, problem, problem.answer) == 1.0, problem.answer
        wrong = perturb(problem)
        assert score(task, problem, wrong) == 0.0, (problem.answer, wrong)


def check_value_against(
    task: Task, recompute: Callable[[Problem], sp.Expr], variables=("x",), count: int = 6
) -> None:
    """The reference answer equals an independent computation of the value."""
    for problem in problems(task, range(1, 11), count):
        expected = recompute(problem)
        assert same_value(parse_expr(problem.answer, variables), expected), problem.answer


def check_set_against(
    task: Task, recompute: Callable[[Problem], list[sp.Expr]], count: int = 6
) -> None:
    for problem in problems(task, range(1, 11), count):
        found = value_list(parse_answer(problem.answer, ("x",)))
        ok, reason = same_set(found, recompute(problem))
        assert ok, (problem.answer, reason)
