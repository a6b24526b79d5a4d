"""Wordscapes: contract, rule verifier (other fills pass, rule breaks fail), z3 cross-check."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.grid import format_grid
from generators.synlogic.wordscapes import Wordscapes
from generators.synlogic.wordscapes.layout import bank_for, slot_cells
from generators.wordlists import load_words
from schemas.records import Problem
from tests.contract import contract_tests, problem_at, wrap

TASK = Wordscapes()
globals().update(contract_tests(TASK))


def rows(answer: str) -> list[list[str]]:
    return [line.split() for line in answer.splitlines()]


def z3_fills(problem: Problem, limit: int) -> list[str]:
    """Up to ``limit`` distinct valid fills found by z3 (one letter variable per square)."""
    p = problem.payload
    bank = p["bank"]
    letter = {}
    solver = z3.Solver()
    for slot in p["slots"]:
        cells = slot_cells(slot)
        for cell in cells:
            letter.setdefault(cell, z3.Int(f"l{cell}"))
        words = [w for w in bank if len(w) == len(cells)]
        spelt = [[letter[c] == ord(ch) for c, ch in zip(cells, w, strict=True)] for w in words]
        solver.add(z3.Or([z3.And(word) for word in spelt]))
    slot_words = [[letter[c] for c in slot_cells(s)] for s in p["slots"]]
    for i, a in enumerate(slot_words):
        for b in slot_words[i + 1 :]:
            if len(a) == len(b):
                solver.add(z3.Or([x != y for x, y in zip(a, b, strict=True)]))
    fills = []
    while len(fills) < limit and solver.check() == z3.sat:
        model = solver.model()
        grid = [["#"] * p["cols"] for _ in range(p["rows"])]
        for (r, c), var in letter.items():
            grid[r][c] = chr(model.eval(var).as_long()).upper()
        fills.append(format_grid(grid))
        solver.add(z3.Or([var != model.eval(var) for var in letter.values()]))
    return fills


@pytest.mark.parametrize("level", [1, 5, 10])
def test_every_z3_fill_scores_one_and_the_oracle_is_among_the_valid(level):
    for index in range(3):
        problem = problem_at(TASK, level, index)
        fills = z3_fills(problem, 4)
        assert fills
        for fill in fills:
            assert TASK.verify(problem, wrap(fill)).passed, fill
        assert TASK.verify(problem, wrap(problem.answer)).passed


def test_bank_words_are_listed_and_spelt_from_the_letters():
    words = set(load_words("wordscapes_words"))
    assert 200 <= len(words) <= 600
    for level in (1, 10):
        p = problem_at(TASK, level, 0).payload
        assert p["bank"] == bank_for(p["letters"]) and set(p["bank"]) <= words


def test_rule_breaks_fail():
    problem = problem_at(TASK, 8, 0)
    grid = rows(problem.answer)
    open_cells = [(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch != "#"]
    blocked = [(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch == "#"]

    def changed(cell, value):
        copy = [row[:] for row in grid]
        copy[cell[0]][cell[1]] = value
        return format_grid(copy)

    r, c = open_cells[0]
    other = "Q" if grid[r][c] != "Q" else "Z"
    for bad in (
        changed((r, c), other),
        changed((r, c), "#"),
        changed(blocked[0], "A"),
        format_grid(grid[:-1]),
        format_grid([row[:-1] for row in grid]),
    ):
        assert TASK.verify(problem, wrap(bad)).score == 0.0, bad


def test_a_word_used_twice_fails():
    base = problem_at(TASK, 1, 0)
    slots = [
        {"label": "1-Across", "row": 0, "col": 0, "across": True, "length": 3},
        {"label": "1-Down", "row": 0, "col": 0, "across": False, "length": 3},
    ]
    payload = {
        **base.payload,
        "bank": ["tea", "tie"],
        "slots": slots,
        "rows": 3,
        "cols": 3,
        "blocked": [[False] * 3, [False, True, True], [False, True, True]],
    }
    problem = base.model_copy(update={"payload": payload})
    assert TASK.verify(problem, wrap("T E A\nI # #\nE # #")).passed
    verdict = TASK.verify(problem, wrap("T E A\nE # #\nA # #"))
    assert verdict.score == 0.0 and "twice" in verdict.reason


@pytest.mark.parametrize("text", ["1 2 3", "_ _ _", "TEA\nTIE"])
def test_malformed_grids_score_zero(text):
    verdict = TASK.verify(problem_at(TASK, 3, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


def test_formatting_is_tolerated():
    problem = problem_at(TASK, 6, 1)
    compact = "\n".join("".join(row).lower() for row in rows(problem.answer))
    commas = "\n".join("[" + ", ".join(row) + "]" for row in rows(problem.answer))
    for text in (compact, commas, "\n\n" + problem.answer.replace("#", ".") + "\n"):
        assert TASK.verify(problem, wrap(text)).passed, text


def test_prompts_vary_and_state_the_format():
    problems = [problem_at(TASK, 5, i) for i in range(8)]
    assert all(p.prompt.endswith(ANSWER_INSTRUCTION) for p in problems)
    assert all("one row per line" in p.prompt for p in problems)
    assert len({p.prompt.splitlines()[0] for p in problems}) > 1


@pytest.mark.parametrize("knob", [{"letters": 3}, {"letters": 7}, {"words": 1}, {"words": 11}])
def test_config_bounds_are_enforced(knob):
    with pytest.raises(ValidationError, match=next(iter(knob))):
        TASK.config_for_level(1, knob)
