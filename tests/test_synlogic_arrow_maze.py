"""Arrow Maze: contract, rule checks, z3 uniqueness, config bounds, prompts."""

from __future__ import annotations

import pytest
import z3

from generators.synlogic.arrow_maze import ArrowMaze
from generators.synlogic.arrow_maze.solver import DIRECTIONS
from tests.contract import contract_tests, problem_at, wrap
from tests.synlogic_helpers_paths import rows_of, shared_tests, text

TASK = ArrowMaze()
globals().update(contract_tests(TASK))
globals().update(
    shared_tests(
        TASK,
        malformed=lambda problem: ("↑ ↓", "x y z\n" * 3, problem.answer.replace(" ", " ? ", 1)),
        bad_knobs=(
            ({"rows": 2}, "rows"),
            ({"cols": 13}, "cols"),
            ({"number_fraction": 0.9}, "number_fraction"),
            ({"given_fraction": -0.1}, "given_fraction"),
        ),
        trace_index=2,
    )
)
SYMBOLS = [d[2] for d in DIRECTIONS]


def score(problem, rows) -> float:
    return TASK.verify(problem, wrap(text(rows))).score


def z3_arrows(problem, limit: int = 2) -> list[dict[int, int]]:
    """Solutions by a local encoding: each arrow continues a same-direction string or leaves
    a number; a number's count is the sum of its same-direction runs."""
    r, c = problem.payload["rows"], problem.payload["cols"]
    numbers = {cell: n for cell, n in problem.payload["numbers"]}
    empty = [x for x in range(r * c) if x not in numbers]
    arrow = {x: z3.Int(f"a{x}") for x in empty}
    s = z3.Solver()

    def step(x, d, k):
        i, j = divmod(x, c)
        i, j = i + k * DIRECTIONS[d][0], j + k * DIRECTIONS[d][1]
        return i * c + j if 0 <= i < r and 0 <= j < c else None

    for x in empty:
        s.add(arrow[x] >= 0, arrow[x] < 8)
        for d in range(8):
            back = step(x, d, -1)
            if back is None:
                s.add(arrow[x] != d)
            elif back not in numbers:
                s.add(z3.Implies(arrow[x] == d, arrow[back] == d))
    for u, n in numbers.items():
        terms = []
        for d in range(8):
            run = []
            k = 1
            while (x := step(u, d, k)) is not None and x not in numbers:
                run.append(arrow[x] == d)
                terms.append(z3.If(z3.And(*run), 1, 0))
                k += 1
        s.add(z3.Sum(terms) == n if terms else n == 0)
    for x, d in problem.payload["givens"]:
        s.add(arrow[x] == d)
    found = []
    while len(found) < limit and s.check() == z3.sat:
        model = s.model()
        values = {x: model.eval(a).as_long() for x, a in arrow.items()}
        found.append(values)
        s.add(z3.Or(*[arrow[x] != v for x, v in values.items()]))
    return found


def arrows_of(problem) -> dict[int, int]:
    cells = [v for row in rows_of(problem.answer) for v in row]
    return {x: SYMBOLS.index(v) for x, v in enumerate(cells) if v in SYMBOLS}


@pytest.mark.parametrize(("level", "index"), [(1, 0), (2, 1), (9, 0), (10, 0), (10, 1)])
def test_z3_confirms_unique_solution(level, index):
    problem = problem_at(TASK, level, index)
    assert z3_arrows(problem) == [arrows_of(problem)]


def test_perturbed_answers_fail():
    problem = problem_at(TASK, 6, 0)
    rows = rows_of(problem.answer)
    assert score(problem, rows) == 1.0
    numbers = {cell for cell, _ in problem.payload["numbers"]}
    c = len(rows[0])
    for x in range(len(rows) * c):  # any other arrow in any cell breaks the answer
        if x in numbers:
            continue
        i, j = divmod(x, c)
        for symbol in SYMBOLS:
            if symbol != rows[i][j]:
                changed = [row[:] for row in rows]
                changed[i][j] = symbol
                assert score(problem, changed) == 0.0, (x, symbol)
    number = min(numbers)
    changed = [row[:] for row in rows]
    changed[number // c][number % c] = "9"
    assert score(problem, changed) == 0.0
    assert score(problem, rows[:-1]) == 0.0
    assert score(problem, [row + ["↑"] for row in rows]) == 0.0
    bad = [row[:] for row in rows]
    free = next(x for x in range(len(rows) * c) if x not in numbers)
    bad[free // c][free % c] = "X"
    assert score(problem, bad) == 0.0


def test_swapping_two_arrows_fails():
    problem = problem_at(TASK, 5, 1)
    rows = rows_of(problem.answer)
    cells = [(i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if v in SYMBOLS]
    (a, b), (x, y) = next(
        (p, q) for p in cells for q in cells if rows[p[0]][p[1]] != rows[q[0]][q[1]]
    )
    swapped = [row[:] for row in rows]
    swapped[a][b], swapped[x][y] = rows[x][y], rows[a][b]
    assert score(problem, swapped) == 0.0


def test_letters_and_case_are_accepted():
    problem = problem_at(TASK, 3, 2)
    letters = {d[2]: d[3] for d in DIRECTIONS}
    rows = [[letters.get(v, v).lower() for v in row] for row in rows_of(problem.answer)]
    assert score(problem, rows) == 1.0
    commas = "\n".join("[" + ", ".join(row) + "]" for row in rows_of(problem.answer))
    assert TASK.verify(problem, wrap(commas)).score == 1.0
