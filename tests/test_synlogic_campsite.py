"""Campsite (Tents and Trees): contract, z3 uniqueness, rule-checking verifier, config bounds."""

from __future__ import annotations

from random import Random

import pytest
import z3

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.campsite import Campsite
from generators.synlogic.campsite.generate import random_layout
from generators.synlogic.campsite.rules import Camp, CampRules
from generators.synlogic.campsite.task import camp_from_payload, render_grid
from generators.synlogic.cell_search import search
from schemas.records import Problem
from tests import synlogic_helpers_placement as placement
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_placement import cells_holding, edited, solution_grid

TASK = Campsite()
globals().update(contract_tests(TASK))
score = placement.scorer(TASK)


def z3_placements(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """Tents and trees in z3, with the tent-tree pairing as explicit edge variables."""
    camp = camp_from_payload(problem.payload)
    rows, cols, trees = camp.rows, camp.cols, set(camp.trees)
    solver, tent = placement.z3_cells("t", rows * cols)
    edges: dict[int, list[z3.BoolRef]] = {tree: [] for tree in trees}
    for cell in range(rows * cols):
        r, c = divmod(cell, cols)
        if cell in trees:
            solver.add(z3.Not(tent[cell]))
            continue
        mine = []
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            y, x = r + dr, c + dc
            if 0 <= y < rows and 0 <= x < cols and y * cols + x in trees:
                edge = z3.Bool(f"e{cell}_{y * cols + x}")
                mine.append(edge)
                edges[y * cols + x].append(edge)
        solver.add(tent[cell] == z3.PbEq([(e, 1) for e in mine], 1) if mine else z3.Not(tent[cell]))
    placement.add_no_touching(solver, tent, rows, cols)
    for tree_edges in edges.values():
        solver.add(z3.PbEq([(e, 1) for e in tree_edges], 1))
    placement.add_line_counts(solver, tent, list(camp.row_counts), list(camp.col_counts))
    return solver, tent


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_unique_placement_by_z3(level: int):
    for index in range(4):
        problem = problem_at(TASK, level, index)
        solver, tent = z3_placements(problem)
        expected = [s == "C" for line in problem.payload["solution"] for s in line]
        placement.assert_unique_model(solver, tent, expected)


def test_prompt_states_format_counts_and_varies():
    problems = [problem_at(TASK, 3, index) for index in range(12)]
    assert len({p.prompt.splitlines()[0] for p in problems}) >= 3
    for p in problems:
        assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
        assert "C for a tent" in p.prompt
        assert " ".join(map(str, p.payload["col_counts"])) in p.prompt


def perturbations(problem: Problem) -> list[str]:
    grid = solution_grid(problem)
    tents, empty, trees = (cells_holding(grid, symbol) for symbol in "C.T")

    same_row = [(r, c) for r, c in empty if r == tents[0][0]]
    wrong = [
        edited(grid, {tents[0]: "."}),  # a tent missing
        edited(grid, {empty[0]: "C"}),  # an extra tent
        edited(grid, {tents[0]: "T", trees[0]: "C"}),  # tent and tree swapped
        edited(grid, {tents[0]: ".", empty[0]: "C"}),  # a tent moved
        edited(grid, {trees[0]: "."}),  # a tree removed
    ]
    if same_row:  # row counts still hold, column counts do not
        wrong.append(edited(grid, {tents[0]: ".", same_row[0]: "C"}))
    return wrong


def test_perturbed_answers_fail():
    placement.assert_perturbations_fail(TASK, (2, 6, 10), perturbations)


def test_wrong_shape_and_symbols_are_malformed():
    placement.assert_malformed_refused(TASK, foreign="X", junk="?")


def test_harmless_formatting_is_tolerated():
    placement.assert_formatting_tolerated(TASK)


def test_any_valid_placement_scores_one_when_several_exist():
    rng = Random(3)
    for _ in range(200):
        tents, trees = random_layout(rng, 6, 6, 7)
        on = set(tents)
        camp = Camp(
            6,
            6,
            tuple(trees),
            tuple(sum(r * 6 + c in on for c in range(6)) for r in range(6)),
            tuple(sum(r * 6 + c in on for r in range(6)) for c in range(6)),
        )
        rules = CampRules(camp)
        solutions = search(rules, rules.initial_state()).solutions
        if len(solutions) == 2:
            break
    else:
        pytest.fail("no ambiguous layout found")
    base = problem_at(TASK, 3, 0)
    payload = {
        "rows": 6,
        "cols": 6,
        "grid": render_grid(camp),
        "row_counts": list(camp.row_counts),
        "col_counts": list(camp.col_counts),
        "solution": render_grid(camp, solutions[0]),
    }
    problem = base.model_copy(update={"payload": payload})
    for tents_on in solutions:
        assert score(problem, "\n".join(render_grid(camp, tents_on))) == 1.0


def test_trace_shows_search_at_high_levels():
    solutions = [TASK.solve(problem_at(TASK, 10, index)) for index in range(10)]
    assert any("Guess: suppose" in s.reasoning for s in solutions)
    assert any("Contradiction" in s.reasoning for s in solutions)
    assert all(len(s.reasoning) < 15_000 for s in solutions)


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"rows": 2}, "rows"),
        ({"cols": 17}, "cols"),
        ({"density": 0.5}, "density"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"trees": 3}, "trees"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    placement.assert_knob_refused(TASK, knobs, field)


def test_remembered_quiet_lines_do_not_change_the_search():
    """A rules object reused after a full search (its memo of lines that fix nothing
    filled) finds the same solutions, with the same effort, as a fresh one."""
    rng = Random(11)
    for _ in range(30):
        tents, trees = random_layout(rng, 8, 8, 12)
        on = set(tents)
        camp = Camp(
            8,
            8,
            tuple(trees),
            tuple(sum(r * 8 + c in on for c in range(8)) for r in range(8)),
            tuple(sum(r * 8 + c in on for r in range(8)) for c in range(8)),
        )
        warm = CampRules(camp)
        search(warm, warm.initial_state(), limit=10)
        fresh = CampRules(camp)
        first = search(fresh, fresh.initial_state(), limit=10)
        again = search(warm, warm.initial_state(), limit=10)
        assert again.solutions == first.solutions and again.stats == first.stats
        assert on in [{cell for cell, tent in enumerate(s) if tent} for s in first.solutions]
