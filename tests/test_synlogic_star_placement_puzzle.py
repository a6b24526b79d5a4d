"""Star placement (Star Battle): contract, z3 uniqueness, rule-checking verifier, config bounds."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.cell_search import search
from generators.synlogic.star_placement_puzzle import StarPlacementPuzzle
from generators.synlogic.star_placement_puzzle.rules import StarBattle, StarRules
from generators.synlogic.star_placement_puzzle.task import render_regions, render_stars
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = StarPlacementPuzzle()
globals().update(contract_tests(TASK))


def score(problem: Problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def z3_stars(problem: Problem) -> tuple[z3.Solver, list[z3.BoolRef]]:
    """The rules in z3, read straight from the payload's region letters."""
    n, k = problem.payload["size"], problem.payload["stars"]
    labels = [label for line in problem.payload["regions"] for label in line]
    star = [z3.Bool(f"s{cell}") for cell in range(n * n)]
    solver = z3.Solver()
    for r in range(n):
        solver.add(z3.PbEq([(star[r * n + c], 1) for c in range(n)], k))
        solver.add(z3.PbEq([(star[c * n + r], 1) for c in range(n)], k))
    for label in sorted(set(labels)):
        solver.add(
            z3.PbEq([(s, 1) for s, own in zip(star, labels, strict=True) if own == label], k)
        )
    for cell in range(n * n):
        r, c = divmod(cell, n)
        for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
            y, x = r + dr, c + dc
            if 0 <= y < n and 0 <= x < n:
                solver.add(z3.Not(z3.And(star[cell], star[y * n + x])))
    return solver, star


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_unique_layout_by_z3(level: int):
    for index in range(4):
        problem = problem_at(TASK, level, index)
        assert len(set("".join(problem.payload["regions"]))) == problem.payload["size"]
        solver, star = z3_stars(problem)
        assert solver.check() == z3.sat
        model = solver.model()
        found = [z3.is_true(model.eval(s, model_completion=True)) for s in star]
        assert found == [s == "*" for line in problem.payload["solution"] for s in line]
        solver.add(z3.Or([s != value for s, value in zip(star, found, strict=True)]))
        assert solver.check() == z3.unsat


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
    assert "exactly 2 stars" in problem_at(TASK, 10, 0).prompt


def perturbations(problem: Problem) -> list[str]:
    grid = [list(line) for line in problem.payload["solution"]]
    n = len(grid)
    star_cells = [(r, c) for r in range(n) for c in range(n) if grid[r][c] == "*"]

    def edited(changes: dict[tuple[int, int], str]) -> str:
        copy = [row[:] for row in grid]
        for (r, c), symbol in changes.items():
            copy[r][c] = symbol
        return "\n".join("".join(row) for row in copy)

    (r0, c0) = star_cells[0]
    other_row = next(cell for cell in star_cells if cell[0] != r0 and cell[1] != c0)
    wrong = [
        edited({(r0, c0): "."}),  # a star missing
        edited({(r0, (c0 + 2) % n): "*"} if grid[r0][(c0 + 2) % n] == "." else {(r0, c0): "."}),
        # two stars swap columns: rows and columns still hold k each, regions or touching fail
        edited({(r0, c0): ".", other_row: ".", (r0, other_row[1]): "*", (other_row[0], c0): "*"}),
        "\n".join("".join(row) for row in grid[1:] + grid[:1]),  # rows rotated
        "\n".join("".join(row[1:] + row[:1]) for row in grid),  # columns rotated
    ]
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
        "\n".join(["1" * len(lines[0]), *lines[1:]]),
    ):
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(problem, answer)
        assert score(problem, answer) == 0.0


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 4, 1)
    lines = problem.answer.splitlines()
    for answer in (
        "\n".join(" ".join(line) for line in lines),
        "\n\n".join(",".join(line) for line in lines),
        "\n".join(f"[{' '.join(line)}]" for line in lines),
    ):
        assert score(problem, answer) == 1.0, answer


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


def test_trace_shows_search_at_high_levels():
    solutions = [TASK.solve(problem_at(TASK, 10, index)) for index in range(10)]
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
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)
