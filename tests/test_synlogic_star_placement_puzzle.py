"""Star placement (Star Battle): contract, z3 uniqueness, rule-checking verifier, config bounds."""

from __future__ import annotations

import pytest
import z3

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.cell_search import search
from generators.synlogic.star_placement_puzzle import StarPlacementPuzzle
from generators.synlogic.star_placement_puzzle.rules import StarBattle, StarRules
from generators.synlogic.star_placement_puzzle.task import render_regions, render_stars
from schemas.records import Problem
from tests import synlogic_helpers_placement as placement
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_placement import cells_holding, edited, solution_grid

TASK = StarPlacementPuzzle()
globals().update(contract_tests(TASK))
score = placement.scorer(TASK)


def z3_stars(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """The rules in z3, read straight from the payload's region letters."""
    n, k = problem.payload["size"], problem.payload["stars"]
    solver, star = placement.z3_cells("s", n * n)
    placement.add_line_counts(solver, star, [k] * n, [k] * n)
    placement.add_region_quotas(solver, star, problem.payload["regions"], k)
    placement.add_no_touching(solver, star, n, n)
    return solver, star


@pytest.mark.parametrize(
    ("level", "knobs"), [(1, {}), (4, {}), (7, {}), (10, {}), (None, {"size": 8, "stars": 2})]
)
def test_unique_layout_by_z3(level: int | None, knobs: dict):
    for index in range(4):
        problem = problem_at(TASK, level, index, **knobs)
        assert len(set("".join(problem.payload["regions"]))) == problem.payload["size"]
        solver, star = z3_stars(problem)
        expected = [s == "*" for line in problem.payload["solution"] for s in line]
        placement.assert_unique_model(solver, star, expected)


def test_regions_are_connected():
    for level in (3, 10):
        for index in range(5):
            lines = problem_at(TASK, level, index).payload["regions"]
            n = len(lines)
            for label in set("".join(lines)):
                cells = {(r, c) for r in range(n) for c in range(n) if lines[r][c] == label}
                stack, seen = [min(cells)], {min(cells)}
                while stack:
                    r, c = stack.pop()
                    for step in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                        if step in cells and step not in seen:
                            seen.add(step)
                            stack.append(step)
                assert seen == cells


def test_prompt_states_format_and_varies():
    problems = [problem_at(TASK, 5, index) for index in range(12)]
    assert len({p.prompt.splitlines()[0] for p in problems}) >= 3
    for p in problems:
        assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
        assert "* for a star" in p.prompt
        assert p.payload["regions"][0].replace("", " ").strip() in p.prompt
    assert "exactly 2 stars" in problem_at(TASK, None, 0, size=8, stars=2).prompt


def perturbations(problem: Problem) -> list[str]:
    grid = solution_grid(problem)
    n = len(grid)
    star_cells = cells_holding(grid, "*")

    (r0, c0) = star_cells[0]
    other_row = next(cell for cell in star_cells if cell[0] != r0 and cell[1] != c0)
    wrong = [
        edited(grid, {(r0, c0): "."}),  # a star missing
        edited(
            grid, {(r0, (c0 + 2) % n): "*"} if grid[r0][(c0 + 2) % n] == "." else {(r0, c0): "."}
        ),
        # two stars swap columns: rows and columns still hold k each, regions or touching fail
        edited(
            grid, {(r0, c0): ".", other_row: ".", (r0, other_row[1]): "*", (other_row[0], c0): "*"}
        ),
        "\n".join("".join(row) for row in grid[1:] + grid[:1]),  # rows rotated
        "\n".join("".join(row[1:] + row[:1]) for row in grid),  # columns rotated
    ]
    return wrong


def test_perturbed_answers_fail():
    placement.assert_perturbations_fail(TASK, (2, 6, 10), perturbations)


def test_wrong_shape_and_symbols_are_malformed():
    placement.assert_malformed_refused(TASK, foreign="X", junk="1")


def test_harmless_formatting_is_tolerated():
    placement.assert_formatting_tolerated(TASK, lower=False)


def test_any_valid_layout_scores_one_when_several_exist():
    regions = (0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 2, 2, 2, 3, 3, 4, 4, 4, 4, 4)
    puzzle = StarBattle(5, 1, regions)
    solutions = search(StarRules(puzzle), [0] * 25, limit=3).solutions
    assert len(solutions) >= 2
    payload = {
        "size": 5,
        "stars": 1,
        "regions": render_regions(puzzle),
        "solution": render_stars(5, solutions[0]),
    }
    problem = problem_at(TASK, 2, 0).model_copy(update={"payload": payload})
    for stars in solutions:
        assert score(problem, "\n".join(render_stars(5, stars))) == 1.0


def test_trace_shows_search_with_two_stars():
    solutions = [TASK.solve(problem_at(TASK, None, i, size=8, stars=2)) for i in range(10)]
    assert any("Guess: suppose" in s.reasoning for s in solutions)
    assert all(len(s.reasoning) < 15_000 for s in solutions)


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"size": 3}, "size"),
        ({"size": 11}, "size"),
        ({"stars": 3}, "stars"),
        ({"size": 6, "stars": 2}, "stars"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_repairs": -1}, "max_repairs"),
        ({"regions": 3}, "regions"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    placement.assert_knob_refused(TASK, knobs, field)
