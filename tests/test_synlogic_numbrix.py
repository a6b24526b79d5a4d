"""Numbrix: contract, verifier perturbations, z3 uniqueness, config bounds, prompts."""

from __future__ import annotations

import pytest
import z3

from generators.synlogic.grid import format_grid
from generators.synlogic.numbrix import Numbrix
from generators.synlogic.numbrix.search import neighbours
from tests.contract import contract_tests, problem_at, wrap
from tests.synlogic_helpers_paths import shared_tests

TASK = Numbrix()
globals().update(contract_tests(TASK))
globals().update(
    shared_tests(
        TASK,
        malformed=lambda problem: ("1 2 3", "a b c d\n" * 4, problem.answer.replace("1", "x", 1)),
        bad_knobs=(
            ({"size": 3}, "size"),
            ({"size": 10}, "size"),
            ({"given_fraction": 0.05}, "given_fraction"),
            ({"node_budget": 1}, "node_budget"),
        ),
        trace_index=2,
    )
)


def grid(answer: str) -> list[list[int]]:
    return [[int(x) for x in line.split()] for line in answer.splitlines()]


def score(problem, grid_rows) -> float:
    return TASK.verify(problem, wrap(format_grid(grid_rows))).score


def z3_solutions(problem, limit: int = 2) -> list[list[int]]:
    n = problem.payload["size"]
    total = n * n
    xs = [z3.Int(f"x{c}") for c in range(total)]
    solver = z3.Solver()
    solver.add(z3.Distinct(*xs))
    for c, x in enumerate(xs):
        solver.add(x >= 1, x <= total)
        solver.add(z3.Or(x == total, *[xs[d] == x + 1 for d in neighbours(n)[c]]))
    for value, c in problem.payload["givens"]:
        solver.add(xs[c] == value)
    found = []
    while len(found) < limit and solver.check() == z3.sat:
        model = solver.model()
        values = [model.eval(x).as_long() for x in xs]
        found.append(values)
        solver.add(z3.Or(*[x != v for x, v in zip(xs, values, strict=True)]))
    return found


@pytest.mark.parametrize(("level", "index"), [(1, 0), (2, 1), (9, 0), (10, 0), (10, 1)])
def test_z3_confirms_unique_solution(level, index):
    problem = problem_at(TASK, level, index)
    found = z3_solutions(problem)
    assert len(found) == 1
    assert format_grid(grid(problem.answer)) == problem.answer
    assert sum(grid(problem.answer), []) == found[0]


def test_one_and_last_are_given_and_givens_match_answer():
    problem = problem_at(TASK, 6, 3)
    cells = sum(grid(problem.answer), [])
    values = {v for v, _ in problem.payload["givens"]}
    assert {1, problem.payload["size"] ** 2} <= values
    assert all(cells[c] == v for v, c in problem.payload["givens"])


def test_perturbed_answers_fail():
    problem = problem_at(TASK, 5, 2)
    rows = grid(problem.answer)
    n = len(rows)
    assert score(problem, rows) == 1.0
    given_cells = {c for _, c in problem.payload["givens"]}
    free = [c for c in range(n * n) if c not in given_cells]
    a, b = free[0], free[-1]
    swapped = [row[:] for row in rows]
    swapped[a // n][a % n], swapped[b // n][b % n] = rows[b // n][b % n], rows[a // n][a % n]
    assert score(problem, swapped) == 0.0
    changed = [row[:] for row in rows]
    changed[a // n][a % n] = rows[b // n][b % n]  # duplicate value
    assert score(problem, changed) == 0.0
    # a valid Hamiltonian path that ignores the givens: the plain serpentine
    snake = [[r * n + (c + 1 if r % 2 == 0 else n - c) for c in range(n)] for r in range(n)]
    if snake != rows:
        assert score(problem, snake) == 0.0
    assert score(problem, rows[:-1]) == 0.0
    assert score(problem, [row + [1] for row in rows]) == 0.0
    too_big = [row[:] for row in rows]
    too_big[0][0] = n * n + 1
    assert TASK.verify(problem, wrap(format_grid(too_big))).score == 0.0


def test_valid_path_breaking_a_given_fails_even_when_adjacency_holds():
    problem = problem_at(TASK, 3, 0)
    rows = grid(problem.answer)
    reversed_path = [[len(rows) ** 2 + 1 - v for v in row] for row in rows]
    assert score(problem, reversed_path) == 0.0


def test_tolerated_formatting():
    problem = problem_at(TASK, 2, 0)
    rows = grid(problem.answer)
    text = "\n\n".join("[" + ", ".join(str(v) for v in row) + "]" for row in rows)
    assert TASK.verify(problem, wrap(text)).score == 1.0
