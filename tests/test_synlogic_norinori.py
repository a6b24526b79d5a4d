"""Norinori: contract, z3 cross-check, rule-checking verifier (several valid answers), config."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.cell_search import search
from generators.synlogic.norinori import Norinori
from generators.synlogic.norinori.rules import NorinoriRules
from generators.synlogic.norinori.task import puzzle_from_payload, render_shading
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = Norinori()
globals().update(contract_tests(TASK))


def score(problem: Problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def z3_shading(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """The rules in z3, read straight from the payload's region letters."""
    rows, cols = problem.payload["rows"], problem.payload["cols"]
    labels = [label for line in problem.payload["regions"] for label in line]
    shaded = [z3.Bool(f"x{cell}") for cell in range(rows * cols)]
    solver = z3.Solver()
    for label in sorted(set(labels)):
        cells = [x for x, own in zip(shaded, labels, strict=True) if own == label]
        solver.add(z3.PbEq([(x, 1) for x in cells], 2))
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
        solver.add(z3.Or([x != value for x, value in zip(shaded, expected, strict=True)]))
        other = solver.check()
        assert other == (z3.unsat if problem.payload["unique"] else z3.sat)
        if other == z3.sat:  # z3's different shading is accepted too
            model = solver.model()
            found = [z3.is_true(model.eval(x, model_completion=True)) for x in shaded]
            puzzle = puzzle_from_payload(problem.payload)
            assert score(problem, "\n".join(render_shading(puzzle, found))) == 1.0


def test_unique_flag_matches_an_exhaustive_search():
    flags = []
    for index in range(10):
        problem = problem_at(TASK, 3, index)
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
    grid = [list(line) for line in problem.payload["solution"]]
    rows, cols = len(grid), len(grid[0])
    shaded = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "X"]
    empty = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "."]

    def edited(changes: dict[tuple[int, int], str]) -> str:
        copy = [row[:] for row in grid]
        for (r, c), symbol in changes.items():
            copy[r][c] = symbol
        return "\n".join("".join(row) for row in copy)

    return [
        edited({shaded[0]: "."}),  # half a domino
        edited({empty[0]: "X"}),  # an extra cell
        edited({shaded[0]: ".", shaded[1]: "."}),  # a whole domino gone: region counts fail
        edited({shaded[0]: ".", empty[-1]: "X"}),  # one cell moved
        "\n".join("." * cols for _ in range(rows)),  # nothing shaded
        "\n".join("X" * cols for _ in range(rows)),  # everything shaded
    ]


def test_perturbed_answers_fail():
    for level in (1, 5, 10):
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
        "\n".join([lines[0].replace(".", "O", 1), *lines[1:]]),
        "\n".join(["#" * len(lines[0]), *lines[1:]]),
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
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)
