"""Sudoku: contract, uniqueness re-proven by z3, clue targets, verifier, sizes, config."""

from __future__ import annotations

import json

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.grid import int_cell, parse_grid
from generators.synlogic.sudoku import Sudoku
from generators.synlogic.sudoku.geometry import geometry
from generators.synlogic.sudoku.search import count_solutions
from generators.synlogic.sudoku.table import all_grids
from generators.synlogic.sudoku.task import PuzzleGenerationError
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = Sudoku()
globals().update(contract_tests(TASK))


def rows_text(rows: list[list[int]]) -> str:
    return "\n".join(" ".join(map(str, row)) for row in rows)


def score(problem: Problem, answer: str) -> float:
    verdict = TASK.verify(problem, wrap(answer))
    assert verdict.reason
    return verdict.score


# --- uniqueness ----------------------------------------------------------------------------


def z3_unique(problem: Problem) -> bool:
    """z3 finds the payload's solution, and nothing else once that solution is blocked."""
    n = problem.payload["size"]
    box_rows, box_cols = problem.payload["box"]
    cell = [[z3.Int(f"x{r}_{c}") for c in range(n)] for r in range(n)]
    solver = z3.Solver()
    for r in range(n):
        for c in range(n):
            solver.add(cell[r][c] >= 1, cell[r][c] <= n)
            if problem.payload["givens"][r][c]:
                solver.add(cell[r][c] == problem.payload["givens"][r][c])
        solver.add(z3.Distinct(cell[r]))
        solver.add(z3.Distinct([cell[k][r] for k in range(n)]))
    for top in range(0, n, box_rows):
        for left in range(0, n, box_cols):
            solver.add(
                z3.Distinct(
                    [cell[top + i][left + j] for i in range(box_rows) for j in range(box_cols)]
                )
            )
    assert solver.check() == z3.sat
    model = solver.model()
    found = [[model.eval(cell[r][c]).as_long() for c in range(n)] for r in range(n)]
    assert found == problem.payload["solution"]
    solver.add(z3.Or([cell[r][c] != found[r][c] for r in range(n) for c in range(n)]))
    return solver.check() == z3.unsat


@pytest.mark.parametrize("level", [1, 2, 5, 10])
def test_solutions_are_unique_by_z3(level: int):
    for index in range(4):
        assert z3_unique(problem_at(TASK, level, index, seed=7))


def test_symmetric_givens_and_their_uniqueness():
    for index in range(3):
        p = problem_at(TASK, None, index, clues=30, symmetric=True)
        flat = [d for row in p.payload["givens"] for d in row]
        assert all(bool(a) == bool(b) for a, b in zip(flat, reversed(flat), strict=True))
        assert p.payload["clues"] <= 30
        assert z3_unique(p)


def test_fast_solver_counts_agree_on_known_cases():
    g = geometry(4)
    assert count_solutions([0] * 16, g, limit=1000) == 288  # all 4×4 grids
    p = problem_at(TASK, 10, 0)
    givens = [d for row in p.payload["givens"] for d in row]
    assert count_solutions(givens, geometry(9)) == 1
    first = next(x for x, d in enumerate(givens) if d)
    givens[first] = 0
    assert count_solutions(givens, geometry(9)) == 2  # level 10 stops at a minimal-ish puzzle


def test_four_by_four_table_lists_every_grid_and_its_puzzles_are_unique():
    g = geometry(4)
    grids = all_grids(4)
    assert len(set(grids)) == 288
    assert all(count_solutions(list(grid), g) == 1 for grid in grids[::17])
    for index in range(30):  # as few as 4 clues: unique by the independent search as well
        p = problem_at(TASK, None, index, size=4, clues=4 + index % 5)
        givens = [d for row in p.payload["givens"] for d in row]
        assert p.payload["clues"] <= 4 + index % 5
        assert count_solutions(givens, g) == 1


def test_reference_layout_and_other_layouts_get_the_same_verdict():
    """Answers in the reference layout take the checker's fast read; the same grids with
    commas go through the general grid parser: same score and reason."""
    for level in (1, 2, 10):
        p = problem_at(TASK, level, 1)
        n = p.payload["size"]
        solution = p.payload["solution"]
        wrong = [row.copy() for row in solution]
        wrong[0][0], wrong[0][1] = wrong[0][1], wrong[0][0]
        changed = [row.copy() for row in solution]
        changed[n - 1][n - 1] = changed[n - 1][n - 1] % n + 1
        for rows in (solution, wrong, changed):
            plain = rows_text(rows)
            commas = "\n".join(", ".join(map(str, row)) for row in rows)
            assert TASK.check_answer(p, plain) == TASK.check_answer(p, commas)


def test_fast_read_of_the_reference_layout_agrees_with_the_grid_parser():
    """Every one-character edit of a reference answer is read by the layout check as the
    general grid parser reads it (or refused by both)."""
    p = problem_at(TASK, 1, 2)
    checker = TASK.answer_checker(p)
    reference = p.answer
    for position in range(len(reference)):
        for char in "0145 \n\tx١":
            edited = reference[:position] + char + reference[position + 1 :]
            try:
                parsed = "".join(
                    str(d)
                    for row in parse_grid(edited, 4, 4, int_cell(1, 4), compact=True)
                    for d in row
                )
            except AnswerFormatError:
                with pytest.raises(AnswerFormatError):
                    checker.read(edited)
                with pytest.raises(AnswerFormatError):
                    checker.score_only(edited)
                continue
            assert checker.read(edited) == parsed, repr(edited)
            assert TASK.check_answer(p, edited) == checker(edited)
            assert checker.score_only(edited) == checker(edited)[0], repr(edited)


def test_the_score_alone_is_the_verdicts_score():
    """score_only (what rewards call) scores every grid as the full check does: the
    solution in any layout, edited digits, swapped cells, relabelled digits."""
    for level in (1, 2, 10):
        p = problem_at(TASK, level, 4)
        checker = TASK.answer_checker(p)
        n = p.payload["size"]
        solution = p.payload["solution"]
        grids = [solution, [[n + 1 - d for d in row] for row in solution]]
        for r in range(n):
            for c in range(n):
                wrong = [row.copy() for row in solution]
                wrong[r][c] = wrong[r][c] % n + 1
                swapped = [row.copy() for row in solution]
                swapped[r][c], swapped[r][0] = swapped[r][0], swapped[r][c]
                grids += [wrong, swapped]
        for rows in grids:
            for text in (rows_text(rows), "\n".join(",".join(map(str, row)) for row in rows)):
                assert checker.score_only(text) == checker(text)[0], text
        assert checker.score_only(p.answer) == 1.0


# --- clue targets and sizes ----------------------------------------------------------------


def test_level_ten_has_at_most_25_clues():
    for index in range(10):
        p = problem_at(TASK, 10, index)
        givens = [d for row in p.payload["givens"] for d in row]
        assert p.payload["clues"] == sum(1 for d in givens if d) <= 25


@pytest.mark.parametrize(("size", "box"), [(4, [2, 2]), (6, [2, 3]), (9, [3, 3])])
def test_every_size_generates_solves_and_verifies(size: int, box: list[int]):
    for index in range(3):
        p = problem_at(TASK, None, index, size=size, clues=size * 2 if size < 9 else 32)
        assert p.payload["box"] == box
        assert len(p.payload["solution"]) == size == len(p.answer.splitlines())
        assert f"{size}×{size}" in p.prompt or f"{size} rows" in p.prompt
        assert TASK.solve(p).answer == p.answer
        assert score(p, p.answer) == 1.0


def test_unreachable_target_raises_a_clear_error():
    with pytest.raises(PuzzleGenerationError, match="max_attempts"):
        for index in range(30):
            problem_at(TASK, None, index, clues=22, max_attempts=1)


# --- prompt, payload and trace -------------------------------------------------------------


def test_prompt_shows_the_givens_and_asks_for_the_format():
    p = problem_at(TASK, 5, 1)
    assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
    assert "9 lines" in p.prompt and "separated by single spaces" in p.prompt
    for row in p.payload["givens"]:
        for digit in row:
            if digit:
                assert str(digit) in p.prompt


def test_prompts_vary_across_indices():
    batch = [problem_at(TASK, 4, index) for index in range(30)]
    assert len({p.prompt.splitlines()[0] for p in batch}) >= 3
    assert len({p.prompt.splitlines()[1] for p in batch}) >= 3
    assert len({p.prompt for p in batch}) == 30


def test_payload_round_trips_through_json():
    p = problem_at(TASK, 6, 2)
    restored = Problem.model_validate(json.loads(p.model_dump_json()))
    assert restored == p
    assert TASK.solve(restored).answer == p.answer


def test_trace_names_units_shows_guesses_and_stays_short():
    seen_guess = False
    for index in range(15):
        p = problem_at(TASK, 10, index)
        solution = TASK.solve(p)
        assert set(solution.stats) == {"effort", "placements", "guesses"}
        assert len(solution.reasoning) < 15_000
        assert "the only cell of" in solution.reasoning
        if solution.stats["guesses"]:
            seen_guess = True
            assert "Guess: r" in solution.reasoning
        assert solution.reasoning.rstrip().endswith(p.answer.splitlines()[-1])
    assert seen_guess


# --- verifier ------------------------------------------------------------------------------


def test_tolerated_formats_of_the_right_answer():
    p = problem_at(TASK, 3, 0)
    rows = p.payload["solution"]
    for text in (
        p.answer,
        "\n".join("".join(map(str, row)) for row in rows),
        "\n\n".join(", ".join(map(str, row)) for row in rows),
        "\n".join(f"[{', '.join(map(str, row))}]" for row in rows),
        f"```\n{p.answer}\n```",
    ):
        assert score(p, text) == 1.0, text


def test_perturbed_answers_fail_with_the_broken_rule_named():
    for level in (1, 2, 10):
        p = problem_at(TASK, level, 3)
        n = p.payload["size"]
        givens, solution = p.payload["givens"], p.payload["solution"]
        for r in range(n):
            for c in range(n):  # change one digit: breaks its row (or a given)
                wrong = [row.copy() for row in solution]
                wrong[r][c] = wrong[r][c] % n + 1
                verdict = TASK.verify(p, wrap(rows_text(wrong)))
                assert verdict.score == 0.0
                expected = "is given as" if givens[r][c] else "more than once"
                assert expected in verdict.reason, verdict.reason
        for r in range(n):  # swap two cells of a row: rows stay valid, a column breaks
            c1, c2 = 0, n - 1
            wrong = [row.copy() for row in solution]
            wrong[r][c1], wrong[r][c2] = wrong[r][c2], wrong[r][c1]
            verdict = TASK.verify(p, wrap(rows_text(wrong)))
            assert verdict.score == 0.0
            assert "is given as" in verdict.reason or "column" in verdict.reason


def test_a_rule_abiding_grid_that_changes_a_given_fails():
    p = problem_at(TASK, 3, 5)
    n = 9
    solution, givens = p.payload["solution"], p.payload["givens"]
    r, c = next((r, c) for r in range(n) for c in range(n) if givens[r][c])
    a, b = solution[r][c], solution[r][c] % n + 1  # relabel two digits everywhere
    relabelled = [[b if d == a else a if d == b else d for d in row] for row in solution]
    verdict = TASK.verify(p, wrap(rows_text(relabelled)))
    assert verdict.score == 0.0 and "is given as" in verdict.reason


@pytest.mark.parametrize(
    "mutate",
    [
        lambda rows: rows[:-1],  # a row missing
        lambda rows: [*rows, rows[0]],  # a row too many
        lambda rows: [row[:-1] for row in rows],  # a digit missing per row
        lambda rows: [[*rows[0][:-1], 0], *rows[1:]],  # digit 0
        lambda rows: [[*rows[0][:-1], 10], *rows[1:]],  # digit 10
        lambda rows: [["x", *rows[0][1:]], *rows[1:]],  # not a digit
    ],
)
def test_malformed_grids_raise_and_score_zero(mutate):
    for level in (1, 10):
        p = problem_at(TASK, level, 0)
        text = rows_text(mutate([row.copy() for row in p.payload["solution"]]))
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(p, text)
        verdict = TASK.verify(p, wrap(text))
        assert verdict.score == 0.0 and "malformed" in verdict.reason


def test_six_by_six_digit_seven_is_out_of_range():
    p = problem_at(TASK, 2, 0)
    rows = [row.copy() for row in p.payload["solution"]]
    rows[0][0] = 7
    assert score(p, rows_text(rows)) == 0.0


# --- config --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"size": 5}, "size"),
        ({"size": 9, "clues": 21}, "clues"),
        ({"size": 4, "clues": 17}, "clues"),
        ({"clues": 3}, "clues"),
        ({"clues": 82}, "clues"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)


def test_levels_grow_harder():
    sizes = [TASK.LEVELS[level]["size"] for level in range(1, 11)]
    clues = [TASK.LEVELS[level]["clues"] for level in range(3, 11)]
    assert sizes[:2] == [4, 6] and set(sizes[2:]) == {9}
    assert clues == sorted(clues, reverse=True) and clues[-1] <= 25


@pytest.mark.parametrize("limit", [2_000, 500])
def test_long_traces_fold_failed_branches_and_still_pass(monkeypatch, limit: int):
    from generators.synlogic.sudoku import render

    monkeypatch.setattr(render, "TRACE_LIMIT", limit)
    p = next(
        p
        for p in (problem_at(TASK, 10, index) for index in range(40))
        if TASK.solve(p).stats["guesses"] >= 3
    )
    solution = TASK.solve(p)
    assert "Forced: " not in solution.reasoning
    if limit == 500:
        assert "only to contradictions" in solution.reasoning
    assert TASK.verify(p, solution.trace_text()).passed
