"""Minesweeper: contract, certain mines confirmed by z3, verifier strictness, config."""

from __future__ import annotations

import json

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.minesweeper import Minesweeper
from generators.synlogic.minesweeper.solver import BudgetExceeded, deduce, neighbours
from tests.contract import contract_tests, problem_at, wrap

TASK = Minesweeper()
globals().update(contract_tests(TASK))


def cells_text(cells) -> str:
    return ", ".join(f"({r + 1},{c + 1})" for r, c in cells)


def z3_certain_mines(board: list[list[int | None]]) -> list[tuple[int, int]]:
    """Hidden cells next to a number that are mines in every model of the numbers."""
    rows, cols = len(board), len(board[0])
    mine = {
        (r, c): z3.Bool(f"m{r}_{c}")
        for r in range(rows)
        for c in range(cols)
        if board[r][c] is None
    }
    s = z3.Solver()
    for r in range(rows):
        for c in range(cols):
            if board[r][c] is not None:
                hidden = [mine[n] for n in neighbours((r, c), rows, cols) if n in mine]
                s.add(
                    z3.PbEq([(m, 1) for m in hidden], board[r][c]) if hidden else z3.BoolVal(True)
                )
    assert s.check() == z3.sat
    frontier = sorted(
        {
            n
            for r in range(rows)
            for c in range(cols)
            if board[r][c] is not None
            for n in neighbours((r, c), rows, cols)
            if n in mine
        }
    )
    return [cell for cell in frontier if s.check(z3.Not(mine[cell])) == z3.unsat]


@pytest.mark.parametrize(("level", "count"), [(1, 4), (5, 4), (10, 3)])
def test_certain_mines_confirmed_by_z3(level: int, count: int) -> None:
    for index in range(count):
        problem = problem_at(TASK, level, index)
        expected = z3_certain_mines(problem.payload["board"])
        assert expected and expected == [tuple(c) for c in problem.payload["mines"]]


def test_payload_prompt_and_answer() -> None:
    for index in range(10):
        problem = problem_at(TASK, 6, index)
        assert json.loads(json.dumps(problem.payload)) == problem.payload
        assert problem.prompt.endswith(ANSWER_INSTRUCTION)
        assert "(1,1) the top-left" in problem.prompt and "not given" in problem.prompt
        assert problem.answer == cells_text(problem.payload["mines"])


def test_tolerated_formats_pass() -> None:
    problem = problem_at(TASK, 4, 3)
    mines = problem.payload["mines"][::-1]
    for text in (
        "[" + ", ".join(f"({r + 1}, {c + 1})" for r, c in mines) + "]",
        "\n".join(f"({r + 1},{c + 1})" for r, c in mines),
        " and ".join(f"[{r + 1}; {c + 1}]" for r, c in mines) + ".",
        cells_text(mines) + ", " + cells_text(mines[:1]),  # a repeated cell is harmless
    ):
        assert TASK.verify(problem, wrap(text)).score == 1.0, text


def _uncertain_hidden_cell(problem) -> tuple[int, int]:
    board = problem.payload["board"]
    mines = {tuple(c) for c in problem.payload["mines"]}
    return next(
        (r, c)
        for r, row in enumerate(board)
        for c, value in enumerate(row)
        if value is None and (r, c) not in mines
    )


def test_perturbed_answers_fail() -> None:
    problem = problem_at(TASK, 7, 1)
    mines = [tuple(c) for c in problem.payload["mines"]]
    rows, cols = len(problem.payload["board"]), len(problem.payload["board"][0])
    other = _uncertain_hidden_cell(problem)
    wrong_answers = [
        mines[1:],  # one missing
        [*mines, other],  # an uncertain cell added
        [other, *mines[1:]],  # one replaced
        [*mines, (rows, 0)],  # outside the board
    ]
    for wrong in wrong_answers:
        verdict = TASK.verify(problem, wrap(cells_text(wrong)))
        assert verdict.score == 0.0 and verdict.reason, wrong
    zero_based = ", ".join(f"({r},{c})" for r, c in mines)
    if {(r - 1, c - 1) for r, c in mines} != set(mines):
        assert TASK.verify(problem, wrap(zero_based)).score == 0.0
    assert TASK.verify(problem, wrap(f"({rows + 1},{cols + 1})")).score == 0.0


@pytest.mark.parametrize("text", ["1,2", "(1,2,3)", "row 1 column 2", "(a,b)", "(1,2) maybe"])
def test_malformed_answers_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and "malformed" in verdict.reason


def test_search_budget_is_enforced() -> None:
    board = problem_at(TASK, 10, 0).payload["board"]
    with pytest.raises(BudgetExceeded):
        deduce(board, budget=0)


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"rows": 3}, "rows"),
        ({"cols": 21}, "cols"),
        ({"density": 0.5}, "density"),
        ({"extra_reveals": -1}, "extra_reveals"),
        ({"max_effort": 10}, "max_effort"),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_config_bounds_refused(knobs: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)


def test_prompts_vary() -> None:
    prompts = [problem_at(TASK, 3, i).prompt for i in range(12)]
    assert len(set(prompts)) == 12
    assert len({p.split("\n\n")[0] for p in prompts}) >= 2
    assert len({p.split("\n\n")[3] for p in prompts}) >= 2


def test_trace_is_bounded_and_ends_with_the_answer() -> None:
    problem = problem_at(TASK, 10, 2)
    solution = TASK.solve(problem)
    assert len(solution.reasoning) < 15_000
    assert solution.answer == problem.answer
    assert solution.reasoning.rstrip().endswith(f"{problem.answer}.")
