"""Norinori: contract, z3 cross-check, rule-checking verifier (several valid answers), config."""

from __future__ import annotations

from random import Random

import pytest
import z3

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.cell_search import search
from generators.synlogic.norinori import Norinori
from generators.synlogic.norinori.count import shadings
from generators.synlogic.norinori.generate import random_dominoes
from generators.synlogic.norinori.rules import NorinoriGrid, NorinoriRules
from generators.synlogic.norinori.task import puzzle_from_payload, render_shading
from generators.synlogic.star_placement_puzzle.generate import grow_regions
from schemas.records import Problem
from tests import synlogic_helpers_placement as placement
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_placement import cells_holding, edited, solution_grid

TASK = Norinori()
globals().update(contract_tests(TASK))
score = placement.scorer(TASK)


def z3_shading(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """The rules in z3, read straight from the payload's region letters."""
    rows, cols = problem.payload["rows"], problem.payload["cols"]
    solver, shaded = placement.z3_cells("x", rows * cols)
    placement.add_region_quotas(solver, shaded, problem.payload["regions"], 2)
    for cell in range(rows * cols):
        r, c = divmod(cell, cols)
        near = [
            shaded[y * cols + x]
            for y, x in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            if 0 <= y < rows and 0 <= x < cols
        ]
        solver.add(z3.Implies(shaded[cell], z3.PbEq([(x, 1) for x in near], 1)))
    return solver, shaded


@pytest.mark.parametrize("level", [1, 3, 6, 10])
def test_z3_agrees_with_the_solver(level: int):
    for index in range(5):
        problem = problem_at(TASK, level, index)
        solver, shaded = z3_shading(problem)
        expected = [s == "X" for line in problem.payload["solution"] for s in line]
        solver.push()
        solver.add([x == value for x, value in zip(shaded, expected, strict=True)])
        assert solver.check() == z3.sat  # the stored shading obeys the rules
        solver.pop()
        placement.exclude(solver, shaded, expected)
        other = solver.check()
        assert other == (z3.unsat if problem.payload["unique"] else z3.sat)
        if other == z3.sat:  # z3's different shading is accepted too
            found = placement.model_values(solver, shaded)
            puzzle = puzzle_from_payload(problem.payload)
            assert score(problem, "\n".join(render_shading(puzzle, found))) == 1.0


def test_unique_flag_matches_an_exhaustive_search():
    flags = []
    for index in range(20):
        # levels rarely reach a unique shading; many repairs often do
        knobs = {"rows": 6, "cols": 6, "max_repairs": 30} if index % 2 else {}
        problem = problem_at(TASK, None if knobs else 3, index, **knobs)
        puzzle = puzzle_from_payload(problem.payload)
        found = search(NorinoriRules(puzzle), [0] * (puzzle.rows * puzzle.cols)).solutions
        assert (len(found) == 1) == problem.payload["unique"]
        flags.append(problem.payload["unique"])
    assert any(flags)


def test_prompt_states_format_and_varies():
    problems = [problem_at(TASK, 4, index) for index in range(12)]
    assert len({p.prompt.splitlines()[0] for p in problems}) >= 3
    for p in problems:
        assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
        assert "X for a shaded cell" in p.prompt
        assert " ".join(p.payload["regions"][0]) in p.prompt


def perturbations(problem: Problem) -> list[str]:
    grid = solution_grid(problem)
    rows, cols = len(grid), len(grid[0])
    shaded, empty = cells_holding(grid, "X"), cells_holding(grid, ".")

    return [
        edited(grid, {shaded[0]: "."}),  # half a domino
        edited(grid, {empty[0]: "X"}),  # an extra cell
        edited(grid, {shaded[0]: ".", shaded[1]: "."}),  # a whole domino gone: region counts fail
        edited(grid, {shaded[0]: ".", empty[-1]: "X"}),  # one cell moved
        "\n".join("." * cols for _ in range(rows)),  # nothing shaded
        "\n".join("X" * cols for _ in range(rows)),  # everything shaded
    ]


def test_perturbed_answers_fail():
    placement.assert_perturbations_fail(TASK, (1, 5, 10), perturbations)


def test_wrong_shape_and_symbols_are_malformed():
    placement.assert_malformed_refused(TASK, foreign="O", junk="#")


def test_harmless_formatting_is_tolerated():
    placement.assert_formatting_tolerated(TASK)


def test_trace_is_bounded_and_says_whether_other_shadings_exist():
    for index in range(8):
        problem = problem_at(TASK, 10, index)
        reasoning = TASK.solve(problem).reasoning
        assert len(reasoning) < 15_000
        assert ("only shading" in reasoning) == problem.payload["unique"]


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"rows": 2}, "rows"),
        ({"cols": 13}, "cols"),
        ({"density": 0.9}, "density"),
        ({"max_repairs": -1}, "max_repairs"),
        ({"regions": 3}, "regions"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    placement.assert_knob_refused(TASK, knobs, field)


def test_domino_counter_finds_every_shading_the_cell_search_finds():
    """The generator's bitmask counter against the traced cell search, all shadings listed."""
    for index in range(12):
        rng = Random(index)
        rows, cols = rng.choice([(4, 4), (4, 5), (5, 5), (5, 6)])
        dominoes = random_dominoes(rng, rows, cols, round(rows * cols * 0.3))
        regions = tuple(grow_regions(rng, rows, cols, dominoes, balanced=True))
        puzzle = NorinoriGrid(rows, cols, regions)
        expected = search(NorinoriRules(puzzle), [0] * (rows * cols), limit=10**6).solutions
        found = shadings(rows, cols, regions, limit=10**6)
        assert sorted(found) == sorted(expected) and len(expected) >= 1
        assert shadings(rows, cols, regions)[:2] == found[:2]  # the limit stops, same order
        guided = shadings(rows, cols, regions, limit=10**6, prefer=expected[-1])
        assert guided[0] == expected[-1] and sorted(guided) == sorted(expected)
