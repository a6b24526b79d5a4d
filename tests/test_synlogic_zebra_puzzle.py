"""Zebra puzzle: contract, uniqueness re-proven by z3, verifier strictness and tolerance."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.zebra_puzzle import ZebraPuzzle
from generators.synlogic.zebra_puzzle.puzzle import Clue, Puzzle
from generators.synlogic.zebra_puzzle.solver import Solver
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = ZebraPuzzle()
globals().update(contract_tests(TASK))


def z3_clue(clue: Clue, h: list[z3.ArithRef], n: int) -> z3.BoolRef:
    """The clue's meaning written directly over integer houses (not bitmasks)."""
    match clue.kind:
        case "same":
            return h[0] == h[1]
        case "not_same":
            return h[0] != h[1]
        case "next_to":
            return z3.Or(h[0] - h[1] == 1, h[1] - h[0] == 1)
        case "right_after":
            return h[1] == h[0] + 1
        case "left_of":
            return h[0] < h[1]
        case "between":
            return z3.Or(z3.And(h[0] < h[1], h[1] < h[2]), z3.And(h[2] < h[1], h[1] < h[0]))
        case "position":
            return h[0] == clue.house
        case "not_position":
            return h[0] != clue.house
        case "at_end":
            return z3.Or(h[0] == 0, h[0] == n - 1)
    raise AssertionError(clue.kind)


def z3_model(puzzle: Puzzle, clues: list[Clue]) -> tuple[z3.Solver, dict]:
    """An encoding independent of the bitmask solver: one integer house per value."""
    n, m = puzzle.n, len(puzzle.categories)
    house = {(c, v): z3.Int(f"h_{c}_{v}") for c in range(m) for v in range(n)}
    solver = z3.Solver()
    for var in house.values():
        solver.add(var >= 0, var < n)
    for c in range(m):
        solver.add(z3.Distinct([house[(c, v)] for v in range(n)]))
    for clue in clues:
        solver.add(z3_clue(clue, [house[item] for item in clue.items], n))
    return solver, house


def z3_grid(puzzle: Puzzle, model: z3.ModelRef, house: dict) -> list[list[int]]:
    grid = [[0] * len(puzzle.categories) for _ in range(puzzle.n)]
    for (c, v), var in house.items():
        grid[model.eval(var).as_long()][c] = v
    return grid


def lines(p: Problem) -> list[str]:
    return p.answer.splitlines()


def score(p: Problem, answer: str) -> float:
    return TASK.verify(p, wrap(answer)).score


def true_house(puzzle: Puzzle) -> dict[tuple[int, int], int]:
    return {(c, v): h for h, row in enumerate(puzzle.grid) for c, v in enumerate(row)}


def answer_for(puzzle: Puzzle, grid: list[list[int]]) -> str:
    return "\n".join(
        f"House {h}: " + ", ".join(puzzle.values[c][v] for c, v in enumerate(row))
        for h, row in enumerate(grid, start=1)
    )


# --- uniqueness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "guessing"), [(1, False), (3, False), (9, False), (10, False), (6, True), (10, True)]
)
def test_solution_is_unique_by_z3(level: int, guessing: bool):
    for index in range(4):
        p = problem_at(TASK, level, index, guessing=guessing)
        puzzle = Puzzle.from_payload(p.payload)
        solver, house = z3_model(puzzle, puzzle.clues)
        assert solver.check() == z3.sat
        assert z3_grid(puzzle, solver.model(), house) == puzzle.grid
        truth = true_house(puzzle)
        solver.add(z3.Or([var != truth[item] for item, var in house.items()]))
        assert solver.check() == z3.unsat


def test_every_clue_is_true_and_each_is_needed_by_propagation():
    for level in (2, 7):
        for index in range(3):
            puzzle = Puzzle.from_payload(problem_at(TASK, level, index).payload)
            truth = true_house(puzzle)
            assert all(clue.holds(truth, puzzle.n) for clue in puzzle.clues)
            for k in range(len(puzzle.clues)):
                solver = Solver(
                    puzzle.n, len(puzzle.categories), puzzle.clues[:k] + puzzle.clues[k + 1 :]
                )
                masks = solver.start()
                assert solver.propagate(masks, None) and not solver.solved(masks)


def test_guessing_puzzles_show_their_case_splits():
    seen = False
    for index in range(12):
        p = problem_at(TASK, 10, index, guessing=True)
        solution = TASK.solve(p)
        if solution.stats["guesses"]:
            seen = True
            assert "suppose" in solution.reasoning
        assert len(solution.reasoning) < 15_000
        assert TASK.verify(p, solution.trace_text()).passed
    assert seen


def test_level_knobs_and_effort_counts():
    for level in (1, 5, 10):
        config = TASK.config_for_level(level)
        p = problem_at(TASK, level, 0)
        assert len(p.payload["categories"]) == config.n_categories
        assert len(p.payload["solution"]) == config.n_houses
        stats = TASK.solve(p).stats
        assert stats["effort"] == stats["eliminations"] + stats["guesses"]


# --- verifier ------------------------------------------------------------------------------


def test_tolerant_formatting_of_the_exact_answer():
    p = problem_at(TASK, 5, 1)
    rows = lines(p)
    bodies = [row.split(": ", 1)[1] for row in rows]
    header = "| House | " + " | ".join(p.payload["categories"]) + " |"
    rule = "|" + "---|" * (len(p.payload["categories"]) + 1)
    variants = [
        p.answer.upper(),
        "\n\n".join(rows),
        "\n".join(reversed(rows)),
        "\n".join(bodies),
        "\n".join(body.replace(",", " ") for body in bodies),
        "\n".join(f"{h}. {body.replace(', ', ' | ')}" for h, body in enumerate(bodies, 1)),
        "\n".join(
            [
                header,
                rule,
                *(f"| {h} | {b.replace(', ', ' | ')} |" for h, b in enumerate(bodies, 1)),
            ]
        ),
        "```\n" + p.answer + "\n```",
    ]
    for variant in variants:
        assert score(p, variant) == 1.0, variant


def test_perturbed_answers_fail_naming_a_cell():
    for level in (1, 6, 10):
        for index in range(3):
            p = problem_at(TASK, level, index)
            puzzle = Puzzle.from_payload(p.payload)
            n, m = puzzle.n, len(puzzle.categories)
            wrong = []
            for c in range(m):  # swap one category's values between two houses
                grid = [list(row) for row in puzzle.grid]
                grid[0][c], grid[n - 1][c] = grid[n - 1][c], grid[0][c]
                wrong.append(answer_for(puzzle, grid))
            grid = [list(row) for row in puzzle.grid]
            grid[1][0] = grid[0][0]  # one cell changed (a value now twice)
            wrong.append(answer_for(puzzle, grid))
            wrong.append(answer_for(puzzle, puzzle.grid[1:] + puzzle.grid[:1]))  # rows rotated
            for answer in wrong:
                verdict = TASK.verify(p, wrap(answer))
                assert verdict.score == 0.0 and "house" in verdict.reason, answer


def test_an_answer_that_satisfies_all_but_one_clue_fails():
    checked = 0
    for index in range(6):
        p = problem_at(TASK, 7, index)
        puzzle = Puzzle.from_payload(p.payload)
        truth = true_house(puzzle)
        for k in range(len(puzzle.clues)):
            solver, house = z3_model(puzzle, puzzle.clues[:k] + puzzle.clues[k + 1 :])
            solver.add(z3.Or([var != truth[item] for item, var in house.items()]))
            if solver.check() == z3.sat:
                other = z3_grid(puzzle, solver.model(), house)
                assert score(p, answer_for(puzzle, other)) == 0.0
                checked += 1
                break
    assert checked >= 3


def test_wrong_size_and_unknown_words_are_malformed():
    p = problem_at(TASK, 4, 2)
    rows = lines(p)
    first_value = rows[0].split(": ", 1)[1].split(", ")[0]
    bad = [
        "\n".join(rows[:-1]),  # a house missing
        "\n".join([*rows, rows[0]]),  # a house repeated
        "\n".join([rows[0] + ", extra", *rows[1:]]),  # a value too many
        "\n".join([rows[0].rsplit(", ", 1)[0], *rows[1:]]),  # a value too few
        "\n".join([rows[0].replace(first_value, "unicorn", 1), *rows[1:]]),  # unknown word
        "\n".join([f"House 9: {rows[0].split(': ', 1)[1]}", *rows[1:]]),  # no such house
        "\n".join([rows[0], *(row.split(": ", 1)[1] for row in rows[1:])]),  # mixed labels
        "The fish belongs to the German.",
    ]
    for answer in bad:
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(p, answer)
        assert score(p, answer) == 0.0


# --- prompt and config ---------------------------------------------------------------------


def test_prompt_lists_values_clues_and_format_and_varies():
    batch = [problem_at(TASK, 4, index) for index in range(30)]
    for p in batch:
        puzzle = Puzzle.from_payload(p.payload)
        for values in puzzle.values:
            assert ", ".join(values) in p.prompt
        assert f"{len(puzzle.clues)}. " in p.prompt
        assert "House 1: <" in p.prompt and p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
    assert len({p.prompt.split(" ")[1] for p in batch}) == 3
    assert len({p.prompt.splitlines()[-3] for p in batch}) == 3


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_houses": 2}, "n_houses"),
        ({"n_houses": 7}, "n_houses"),
        ({"n_categories": 2}, "n_categories"),
        ({"n_categories": 9}, "n_categories"),
        ({"clue_set": "cryptic"}, "clue_set"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)
