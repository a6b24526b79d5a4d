"""Number Wall: contract, rule checks, z3 and brute-force uniqueness, config bounds, prompts."""

from __future__ import annotations

import itertools

import pytest
import z3

from generators.synlogic.number_wall import NumberWall
from tests.contract import contract_tests, problem_at, wrap
from tests.synlogic_helpers_paths import rows_of, shared_tests, text

TASK = NumberWall()
globals().update(contract_tests(TASK))
globals().update(
    shared_tests(
        TASK,
        malformed=lambda problem: ("# #", "? ? ? ?\n" * 4, problem.answer.replace("#", "@", 1)),
        bad_knobs=(
            ({"rows": 2}, "rows"),
            ({"cols": 13}, "cols"),
            ({"max_island": 8}, "max_island"),
            ({"grow_chance": 1.5}, "grow_chance"),
            ({"node_budget": 5}, "node_budget"),
        ),
        trace_index=3,
    )
)


def score(problem, rows) -> float:
    return TASK.verify(problem, wrap(text(rows))).score


def z3_walls(problem, limit: int = 2) -> list[list[bool]]:
    """Wall patterns satisfying the rules, by an encoding independent of the generator."""
    r, c = problem.payload["rows"], problem.payload["cols"]
    clues = problem.payload["clues"]
    n, k = r * c, len(clues)

    def nbrs(x):
        i, j = divmod(x, c)
        return [
            a * c + b
            for a, b in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1))
            if 0 <= a < r and 0 <= b < c
        ]

    wall = [z3.Bool(f"w{x}") for x in range(n)]
    owner = [z3.Int(f"o{x}") for x in range(n)]
    depth = [z3.Int(f"d{x}") for x in range(n)]
    root = [z3.Bool(f"r{x}") for x in range(n)]
    s = z3.Solver()
    clue_at = {cell: i for i, (cell, _) in enumerate(clues)}
    for x in range(n):
        s.add(owner[x] >= 0, owner[x] < k, depth[x] >= 0)
        s.add(z3.Implies(root[x], wall[x]))
        same = [
            z3.And(z3.Not(wall[y]), owner[y] == owner[x], depth[y] == depth[x] - 1) for y in nbrs(x)
        ]
        down = [z3.And(wall[y], depth[y] == depth[x] - 1) for y in nbrs(x)]
        for y in nbrs(x):
            s.add(z3.Implies(z3.And(z3.Not(wall[x]), z3.Not(wall[y])), owner[x] == owner[y]))
        if x in clue_at:
            s.add(z3.Not(wall[x]), owner[x] == clue_at[x], depth[x] == 0)
        else:
            s.add(z3.Implies(z3.Not(wall[x]), z3.And(depth[x] > 0, z3.Or(*same))))
        s.add(z3.Implies(z3.And(wall[x], z3.Not(root[x])), z3.And(depth[x] > 0, z3.Or(*down))))
        s.add(z3.Implies(root[x], depth[x] == 0))
    s.add(z3.PbEq([(b, 1) for b in root], 1))
    for i, (_, size) in enumerate(clues):
        s.add(
            z3.Sum([z3.If(z3.And(z3.Not(wall[x]), owner[x] == i), 1, 0) for x in range(n)]) == size
        )
    for i, j in itertools.product(range(r - 1), range(c - 1)):
        x = i * c + j
        s.add(z3.Not(z3.And(wall[x], wall[x + 1], wall[x + c], wall[x + c + 1])))
    found = []
    while len(found) < limit and s.check() == z3.sat:
        model = s.model()
        pattern = [z3.is_true(model.eval(b, model_completion=True)) for b in wall]
        found.append(pattern)
        s.add(z3.Or(*[b != v for b, v in zip(wall, pattern, strict=True)]))
    return found


def walls_of(answer: str) -> list[bool]:
    return [cell == "#" for row in rows_of(answer) for cell in row]


@pytest.mark.parametrize(("level", "index"), [(1, 0), (3, 1), (9, 0), (10, 0)])
def test_z3_confirms_unique_solution(level, index):
    problem = problem_at(TASK, level, index)
    found = z3_walls(problem)
    assert found == [walls_of(problem.answer)]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_brute_force_confirms_uniqueness_at_level_one(index):
    problem = problem_at(TASK, 1, index)
    r, c = problem.payload["rows"], problem.payload["cols"]
    clue_cells = {cell for cell, _ in problem.payload["clues"]}
    free = [x for x in range(r * c) if x not in clue_cells]
    valid = []
    for bits in itertools.product("#.", repeat=len(free)):
        cells = ["."] * (r * c)
        for x, b in zip(free, bits, strict=True):
            cells[x] = b
        rows = [cells[i * c : (i + 1) * c] for i in range(r)]
        if TASK.check_answer(problem, text(rows))[0] == 1.0:
            valid.append(text(rows))
    assert valid == [problem.answer]


def test_perturbed_answers_fail():
    problem = problem_at(TASK, 6, 0)
    rows = rows_of(problem.answer)
    assert score(problem, rows) == 1.0
    r, c = len(rows), len(rows[0])
    for x in range(r * c):  # flipping any single cell breaks a rule
        flipped = [row[:] for row in rows]
        i, j = divmod(x, c)
        flipped[i][j] = "." if rows[i][j] == "#" else "#"
        assert score(problem, flipped) == 0.0, x
    assert score(problem, rows[:-1]) == 0.0
    assert score(problem, [row + ["#"] for row in rows]) == 0.0
    bad = [row[:] for row in rows]
    bad[0][0] = "X"
    assert score(problem, bad) == 0.0
    all_wall = [["#"] * c for _ in range(r)]
    assert score(problem, all_wall) == 0.0
    all_land = [["."] * c for _ in range(r)]
    assert score(problem, all_land) == 0.0


def test_numbers_in_place_and_compact_rows_are_accepted():
    problem = problem_at(TASK, 4, 1)
    rows = rows_of(problem.answer)
    c = len(rows[0])
    with_numbers = [row[:] for row in rows]
    for cell, size in problem.payload["clues"]:
        with_numbers[cell // c][cell % c] = str(size)
    assert score(problem, with_numbers) == 1.0
    compact = "\n".join("".join(row) for row in with_numbers)
    assert TASK.verify(problem, wrap(compact)).score == 1.0
    wrong_number = [row[:] for row in with_numbers]
    cell, size = problem.payload["clues"][0]
    wrong_number[cell // c][cell % c] = str(size + 1)
    assert score(problem, wrong_number) == 0.0


@pytest.mark.parametrize(("level", "seed"), [(4, 902), (4, 905), (7, 1234), (10, 1234)])
def test_a_clue_shaded_as_wall_fails(level, seed):
    """A walled clue lies in no island, whatever the islands left are (walling a 1 keeps
    every other rule, so only this check refuses it)."""
    for index in range(4):
        problem = problem_at(TASK, level, index, seed=seed)
        rows = rows_of(problem.answer)
        c = len(rows[0])
        for cell, size in problem.payload["clues"]:
            walled = [row[:] for row in rows]
            walled[cell // c][cell % c] = "#"
            verdict = TASK.verify(problem, wrap(text(walled)))
            assert verdict.score == 0.0, (index, cell)
            assert f"holds the clue {size}" in verdict.reason
