"""Skyscrapers: contract, z3 uniqueness, perturbed and malformed answers, rendering, config."""

from __future__ import annotations

import pytest
import z3

from generators.synlogic.skyscraper_puzzle import SIDES, SkyscraperPuzzle, tables, visible
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_latin import (
    BAD_SHAPES_4X4,
    check_cell_change_and_row_swap,
    config_bounds_test,
    grid_of,
    malformed_grids_test,
    other_latin_squares,
    scorer,
    text_of,
)

TASK = SkyscraperPuzzle()
globals().update(contract_tests(TASK))


score = scorer(TASK)


def z3_solutions(payload: dict, limit: int = 2) -> list[list[list[int]]]:
    """An independent encoding (bit-vectors, solved by bit-blasting): a building counts
    when it is taller than every building before it."""
    n = payload["n"]
    x = [[z3.BitVec(f"x{r}_{c}", 4) for c in range(n)] for r in range(n)]
    solver = z3.SolverFor("QF_BV")
    for r in range(n):
        solver.add([z3.And(z3.UGE(v, 1), z3.ULE(v, n)) for v in x[r]])
        solver.add(z3.Distinct(x[r]), z3.Distinct([x[i][r] for i in range(n)]))

    def seen(line: list[z3.BitVecRef]) -> z3.BitVecRef:
        taller = [z3.And([z3.UGT(line[i], line[j]) for j in range(i)] or [True]) for i in range(n)]
        return z3.Sum([z3.If(t, z3.BitVecVal(1, 4), z3.BitVecVal(0, 4)) for t in taller])

    for i in range(n):
        row, col = x[i], [x[j][i] for j in range(n)]
        for line, clue in (
            (row, payload["left"][i]),
            (row[::-1], payload["right"][i]),
            (col, payload["top"][i]),
            (col[::-1], payload["bottom"][i]),
        ):
            if clue:
                solver.add(seen(line) == clue)
    solver.add([x[cell // n][cell % n] == value for cell, value in payload["givens"]])
    found = []
    while len(found) < limit and solver.check() == z3.sat:
        model = solver.model()
        grid = [[model.eval(v).as_long() for v in row] for row in x]
        found.append(grid)
        cells = [v for row in x for v in row]
        values = [g for row in grid for g in row]
        solver.add(z3.Or([v != g for v, g in zip(cells, values, strict=True)]))
    return found


def test_visibility_counts():
    assert visible([1, 2, 3, 4]) == 4
    assert visible([4, 3, 2, 1]) == 1
    assert visible([2, 1, 4, 3]) == 2
    assert visible([3, 1, 2, 5, 4]) == 2
    t = tables(4)
    assert bin(t.front[1]).count("1") == 6 and bin(t.front[4]).count("1") == 1


@pytest.mark.parametrize("level", [1, 3, 8, 10])
def test_z3_confirms_the_unique_solution(level):
    for index in range(2):
        problem = problem_at(TASK, level, index)
        found = z3_solutions(problem.payload)
        assert len(found) == 1
        assert text_of(found[0]) == problem.answer


def test_hard_levels_omit_clues_and_easy_levels_give_cells():
    for index in range(3):
        hard = problem_at(TASK, 10, index).payload
        assert 10 <= sum(1 for side in SIDES for k in hard[side] if k == 0) <= 15
    easy = problem_at(TASK, 1, 0).payload
    assert all(k for side in SIDES for k in easy[side]) and len(easy["givens"]) >= 4


def test_perturbed_answers_fail_with_the_broken_rule():
    problem = problem_at(TASK, 6, 0)
    grid = check_cell_change_and_row_swap(score, problem, cell=(2, 3), row=1, cols=(0, 2))
    assert score(problem, grid[::-1])[0] == 0.0
    transposed = [list(col) for col in zip(*grid, strict=True)]
    assert transposed == grid or score(problem, transposed)[0] == 0.0


def test_a_latin_square_that_breaks_only_a_clue_fails():
    problem = problem_at(TASK, 9, 2)
    value, reason = score(problem, other_latin_squares(problem, limit=3)[0])
    assert value == 0.0 and "seen from the" in reason


test_malformed_grids_score_zero = malformed_grids_test(
    TASK,
    [
        *BAD_SHAPES_4X4,
        "1 2 3 5\n2 3 4 1\n3 4 1 2\n4 1 2 3",
        "x 2 3 4\n2 3 4 1\n3 4 1 2\n4 1 2 3",
        "-1 2 3 4\n2 3 4 1\n3 4 1 2\n4 1 2 3",
    ],
)


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 2, 1)
    grid = grid_of(problem.answer)
    for text in (
        "\n".join(",".join(map(str, row)) for row in grid),
        "\n\n".join(str(row) for row in grid),
        "\n".join("".join(map(str, row)) for row in grid),
    ):
        assert score(problem, text)[0] == 1.0, text


def test_picture_shows_the_payload():
    seen = 0
    for index in range(10):
        problem = problem_at(TASK, 5, index)
        if "```" not in problem.prompt:
            continue
        seen += 1
        payload, n = problem.payload, problem.payload["n"]
        rows = [line.split() for line in problem.prompt.split("```")[1].strip("\n").split("\n")]

        def clue(token: str) -> int:
            return 0 if token == "-" else int(token)

        assert [clue(t) for t in rows[0]] == payload["top"]
        assert [clue(t) for t in rows[-1]] == payload["bottom"]
        assert [clue(row[0]) for row in rows[1:-1]] == payload["left"]
        assert [clue(row[-1]) for row in rows[1:-1]] == payload["right"]
        givens = {
            r * n + c: int(token)
            for r, row in enumerate(rows[1:-1])
            for c, token in enumerate(row[1:-1])
            if token != "_"
        }
        assert givens == {cell: value for cell, value in payload["givens"]}
    assert seen


def test_prompts_vary_and_state_the_format():
    prompts = [problem_at(TASK, 3, i).prompt for i in range(30)]
    assert len({p.split(".")[0] for p in prompts}) >= 3
    assert all("lines" in p and "<answer>" in p for p in prompts)


test_config_bounds_are_refused = config_bounds_test(
    TASK, [{"n": 3}, {"n": 9}, {"givens": -1}, {"omit": 33}, {"x": 1}]
)
