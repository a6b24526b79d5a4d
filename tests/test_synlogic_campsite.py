"""Campsite (Tents and Trees): contract, z3 uniqueness, rule-checking verifier, config bounds."""

from __future__ import annotations

from random import Random

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.campsite import Campsite
from generators.synlogic.campsite.generate import random_layout
from generators.synlogic.campsite.rules import Camp, CampRules
from generators.synlogic.campsite.task import camp_from_payload, render_grid
from generators.synlogic.cell_search import search
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = Campsite()
globals().update(contract_tests(TASK))


def score(problem: Problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def z3_placements(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """Tents and trees in z3, with the tent-tree pairing as explicit edge variables."""
    camp = camp_from_payload(problem.payload)
    rows, cols, trees = camp.rows, camp.cols, set(camp.trees)
    tent = [z3.Bool(f"t{cell}") for cell in range(rows * cols)]
    solver = z3.Solver()
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
        for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
            y, x = r + dr, c + dc
            if 0 <= y < rows and 0 <= x < cols:
                solver.add(z3.Not(z3.And(tent[cell], tent[y * cols + x])))
    for tree_edges in edges.values():
        solver.add(z3.PbEq([(e, 1) for e in tree_edges], 1))
    for r, need in enumerate(camp.row_counts):
        solver.add(z3.PbEq([(tent[r * cols + c], 1) for c in range(cols)], need))
    for c, need in enumerate(camp.col_counts):
        solver.add(z3.PbEq([(tent[r * cols + c], 1) for r in range(rows)], need))
    return solver, tent


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_unique_placement_by_z3(level: int):
    for index in range(4):
        problem = problem_at(TASK, level, index)
        solver, tent = z3_placements(problem)
        assert solver.check() == z3.sat
        model = solver.model()
        found = [z3.is_true(model.eval(t, model_completion=True)) for t in tent]
        expected = [s == "C" for line in problem.payload["solution"] for s in line]
        assert found == expected
        solver.add(z3.Or([t != value for t, value in zip(tent, found, strict=True)]))
        assert solver.check() == z3.unsat


def test_prompt_states_format_counts_and_varies():
    problems = [problem_at(TASK, 3, index) for index in range(12)]
    assert len({p.prompt.splitlines()[0] for p in problems}) >= 3
    for p in problems:
        assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
        assert "C for a tent" in p.prompt
        assert " ".join(map(str, p.payload["col_counts"])) in p.prompt


def perturbations(problem: Problem) -> list[str]:
    grid = [list(line) for line in problem.payload["solution"]]
    rows, cols = len(grid), len(grid[0])
    tents = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "C"]
    empty = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "."]
    trees = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "T"]

    def edited(changes: dict[tuple[int, int], str]) -> str:
        copy = [row[:] for row in grid]
        for (r, c), symbol in changes.items():
            copy[r][c] = symbol
        return "\n".join("".join(row) for row in copy)

    same_row = [(r, c) for r, c in empty if r == tents[0][0]]
    wrong = [
        edited({tents[0]: "."}),  # a tent missing
        edited({empty[0]: "C"}),  # an extra tent
        edited({tents[0]: "T", trees[0]: "C"}),  # tent and tree swapped
        edited({tents[0]: ".", empty[0]: "C"}),  # a tent moved
        edited({trees[0]: "."}),  # a tree removed
    ]
    if same_row:  # row counts still hold, column counts do not
        wrong.append(edited({tents[0]: ".", same_row[0]: "C"}))
    return wrong


def test_perturbed_answers_fail():
    for level in (2, 6, 10):
        for index in range(5):
            problem = problem_at(TASK, level, index)
            for answer in perturbations(problem):
                verdict = TASK.verify(problem, wrap(answer))
                assert verdict.score == 0.0 and verdict.reason, answer


def test_wrong_shape_and_symbols_are_malformed():
    problem = problem_at(TASK, 3, 0)
    lines = problem.answer.splitlines()
    for answer in (
        "\n".join(lines[:-1]),
        "\n".join(line[:-1] for line in lines),
        "\n".join([lines[0].replace(".", "X", 1), *lines[1:]]),
        "\n".join(["?" * len(lines[0]), *lines[1:]]),
    ):
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(problem, answer)
        assert score(problem, answer) == 0.0


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 4, 1)
    lines = problem.answer.splitlines()
    for answer in (
        "\n".join(" ".join(line) for line in lines),
        "\n\n".join(",".join(line).lower() for line in lines),
        "\n".join(f"[{' '.join(line)}]" for line in lines),
    ):
        assert score(problem, answer) == 1.0, answer


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
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)
