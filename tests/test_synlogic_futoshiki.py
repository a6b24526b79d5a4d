"""Futoshiki: contract, z3 uniqueness, perturbed and malformed answers, rendering, config."""

from __future__ import annotations

import pytest
import z3

from generators.synlogic.futoshiki import Futoshiki
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_latin import (
    BAD_SHAPES_4X4,
    check_cell_change_and_row_swap,
    config_bounds_test,
    grid_of,
    malformed_grids_test,
    other_latin_squares,
    rows_of,
    scorer,
    text_of,
)

TASK = Futoshiki()
globals().update(contract_tests(TASK))


score = scorer(TASK)


def z3_solutions(payload: dict, limit: int = 2) -> list[list[int]]:
    """An independent encoding: integer cells, Distinct rows/columns, givens, signs."""
    n = payload["n"]
    cells = [z3.Int(f"c{i}") for i in range(n * n)]
    solver = z3.Solver()
    solver.add([z3.And(c >= 1, c <= n) for c in cells])
    for r in range(n):
        solver.add(z3.Distinct(cells[r * n : (r + 1) * n]))
        solver.add(z3.Distinct(cells[r::n]))
    solver.add([cells[c] == v for c, v in payload["givens"]])
    solver.add([cells[a] < cells[b] for a, b in payload["inequalities"]])
    found = []
    while len(found) < limit and solver.check() == z3.sat:
        model = solver.model()
        values = [model.eval(c).as_long() for c in cells]
        found.append(values)
        solver.add(z3.Or([c != v for c, v in zip(cells, values, strict=True)]))
    return found


@pytest.mark.parametrize("level", [1, 2, 6, 10])
def test_z3_confirms_the_unique_solution(level):
    for index in range(3):
        problem = problem_at(TASK, level, index)
        found = z3_solutions(problem.payload)
        assert len(found) == 1
        n = problem.payload["n"]
        assert text_of(rows_of(found[0], n)) == problem.answer


def test_perturbed_answers_fail_with_the_broken_rule():
    problem = problem_at(TASK, 5, 0)
    grid = check_cell_change_and_row_swap(score, problem, cell=(0, 0), row=0, cols=(0, 1))
    rows_swapped = [grid[1], grid[0], *grid[2:]]
    assert score(problem, rows_swapped)[0] == 0.0


def test_a_latin_square_that_breaks_only_a_sign_fails():
    problem = problem_at(TASK, 10, 1)
    others = other_latin_squares(problem, limit=5)
    assert others, "the givens alone should not pin the square"
    value, reason = score(problem, others[0])
    assert value == 0.0 and "<" in reason


def test_a_square_that_ignores_givens_fails():
    problem = problem_at(TASK, 1, 0)
    n = problem.payload["n"]
    cell, value = problem.payload["givens"][0]
    grid = grid_of(problem.answer)
    # Relabel two values everywhere: still a Latin square, but the given changes.
    other = value % n + 1
    relabelled = [
        [other if v == value else value if v == other else v for v in row] for row in grid
    ]
    verdict_score, _ = score(problem, relabelled)
    assert verdict_score == 0.0


test_malformed_grids_score_zero = malformed_grids_test(
    TASK,
    [
        *BAD_SHAPES_4X4,
        "1 2 3 9\n2 3 4 1\n3 4 1 2\n4 1 2 3",
        "a b c d\n2 3 4 1\n3 4 1 2\n4 1 2 3",
        "1 2 3 4.5\n2 3 4 1\n3 4 1 2\n4 1 2 3",
    ],
)


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 1, 0)
    grid = grid_of(problem.answer)
    variants = [
        "\n".join(", ".join(map(str, row)) for row in grid),
        "\n\n".join("[" + ", ".join(map(str, row)) + "]" for row in grid),
        "\n".join("".join(map(str, row)) for row in grid),
        "\n".join(" | ".join(map(str, row)) for row in grid),
    ]
    for text in variants:
        assert score(problem, text)[0] == 1.0, text


def _signs_from_picture(prompt: str, n: int) -> set[tuple[int, int]]:
    rows = prompt.split("```")[1].strip("\n").split("\n")
    assert len(rows) == 2 * n - 1
    signs = set()
    for r in range(n):
        line = rows[2 * r].ljust(4 * n)
        for c in range(n - 1):
            mark = line[4 * c + 2]
            a, b = r * n + c, r * n + c + 1
            if mark in "<>":
                signs.add((a, b) if mark == "<" else (b, a))
        if r < n - 1:
            below = rows[2 * r + 1].ljust(4 * n)
            for c in range(n):
                mark = below[4 * c]
                a, b = r * n + c, (r + 1) * n + c
                if mark in "^v":
                    signs.add((a, b) if mark == "^" else (b, a))
    return signs


def test_picture_shows_exactly_the_payload_signs():
    seen = 0
    for index in range(12):
        problem = problem_at(TASK, 6, index)
        if "'^'" not in problem.prompt:
            continue
        seen += 1
        n = problem.payload["n"]
        expected = {tuple(pair) for pair in problem.payload["inequalities"]}
        assert _signs_from_picture(problem.prompt, n) == expected
    assert seen


def test_prompts_vary_and_state_the_format():
    prompts = [problem_at(TASK, 4, i).prompt for i in range(12)]
    assert len({p.split(".")[0] for p in prompts}) >= 3
    assert all("lines" in p for p in prompts)


def test_knobs_are_honoured():
    problem = problem_at(TASK, 10, 0)
    assert problem.payload["n"] == 7 and len(problem.payload["inequalities"]) == 26
    assert len(problem_at(TASK, None, 0, n=4, givens=10).payload["givens"]) == 10


test_config_bounds_are_refused = config_bounds_test(
    TASK, [{"n": 3}, {"n": 10}, {"inequalities": -1}, {"givens": 82}, {"colour": 1}]
)
