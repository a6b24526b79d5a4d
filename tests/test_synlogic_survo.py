"""Survo: contract, z3 uniqueness, rule-checking verifier, solver vs brute force, config."""

from __future__ import annotations

import itertools
from random import Random

import pytest
import z3

from generators.hashrandom import Draws
from generators.synlogic.grid import format_grid
from generators.synlogic.survo import Survo
from generators.synlogic.survo.count import Counter
from generators.synlogic.survo.solver import Solver, sums_of
from generators.synlogic.survo.task import blank_while_unique
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_latin import (
    assert_z3_unique,
    check_malformed_refused,
    check_prompts_state_format_and_vary,
    out_of_range_knobs_test,
    verdict_of,
)

TASK = Survo()
globals().update(contract_tests(TASK))


verdict = verdict_of(TASK)


@pytest.mark.parametrize("level", [1, 2, 9, 10])
def test_unique_solution_by_z3(level: int):
    for index in range(5):
        p = problem_at(TASK, level, index)
        rows, cols, puzzle = p.payload["row_sums"], p.payload["col_sums"], p.payload["puzzle"]
        x = [[z3.Int(f"v{r}_{c}") for c in range(len(cols))] for r in range(len(rows))]
        flat = [v for row in x for v in row]
        s = z3.Solver()
        s.add(z3.Distinct(flat), *[z3.And(v >= 1, v <= len(flat)) for v in flat])
        s.add(*[z3.Sum(row) == total for row, total in zip(x, rows, strict=True)])
        s.add(*[z3.Sum([row[c] for row in x]) == total for c, total in enumerate(cols)])
        s.add(*[x[r][c] == v for r, row in enumerate(puzzle) for c, v in enumerate(row) if v])
        assert_z3_unique(s, x, p.payload["solution"])


def test_blank_counts_follow_the_config():
    for level in (1, 6, 10):
        blanks = TASK.config_for_level(level).blanks
        for index in range(5):
            p = problem_at(TASK, level, index)
            assert sum(v == 0 for row in p.payload["puzzle"] for v in row) == blanks


def test_solver_counts_solutions_like_brute_force():
    rng = Random(2)
    for _ in range(40):
        values = rng.sample(range(1, 10), 9)
        grid = [values[0:3], values[3:6], values[6:9]]
        rows, cols = sums_of(grid)
        puzzle = [[v if rng.random() < 0.45 else 0 for v in row] for row in grid]
        flat = sum(puzzle, [])
        blanks = [i for i, v in enumerate(flat) if not v]
        brute = 0
        for fill in itertools.permutations(sorted(set(range(1, 10)) - set(flat))):
            candidate = flat[:]
            for i, v in zip(blanks, fill, strict=True):
                candidate[i] = v
            brute += sums_of([candidate[0:3], candidate[3:6], candidate[6:9]]) == (rows, cols)
        solver = Solver(puzzle, rows, cols)
        solver.search(10_000)
        assert len(solver.solutions) == brute
        assert Counter(puzzle, rows, cols).count(10_000) == brute


def test_counter_matches_the_solver_with_a_forbidden_value():
    """Generation's fast counter agrees with the readable solver on 4x4 grids, with and
    without the forbidden (cell, value) it uses to prove a blank keeps the answer unique."""
    rng = Random(5)
    for _ in range(30):
        values = rng.sample(range(1, 17), 16)
        grid = [values[r * 4 : r * 4 + 4] for r in range(4)]
        rows, cols = sums_of(grid)
        puzzle = [[v if rng.random() < 0.4 else 0 for v in row] for row in grid]
        blank = next(r * 4 + c for r in range(4) for c in range(4) if not puzzle[r][c])
        forbid = (blank // 4, blank % 4, grid[blank // 4][blank % 4])
        for rule in (None, forbid):
            solver = Solver(puzzle, rows, cols)
            solver.search(10_000, forbid=rule)
            counter = Counter(puzzle, rows, cols)
            cell_rule = None if rule is None else (blank, rule[2])
            assert counter.count(10_000, cell_rule) == len(solver.solutions)
            assert counter.values == [v for row in puzzle for v in row]  # state restored


def test_counter_shortcut_for_a_cell_alone_in_its_line():
    """A forbidden value in a cell alone empty in its row or column is settled without a
    search; the count still matches the solver (with the true value and a wrong one)."""
    rng = Random(9)
    for trial in range(40):
        values = rng.sample(range(1, 17), 16)
        grid = [values[r * 4 : r * 4 + 4] for r in range(4)]
        rows, cols = sums_of(grid)
        puzzle = [[v if rng.random() < 0.4 else 0 for v in row] for row in grid]
        r, c = rng.randrange(4), rng.randrange(4)
        if trial % 2:
            puzzle[r] = [*grid[r]]  # row r: only (r, c) empty
        else:
            for k in range(4):
                puzzle[k][c] = grid[k][c]  # column c: only (r, c) empty
        puzzle[r][c] = 0
        for value in (grid[r][c], grid[r][(c + 1) % 4]):
            solver = Solver(puzzle, rows, cols)
            solver.search(10_000, forbid=(r, c, value))
            counter = Counter(puzzle, rows, cols)
            assert counter.count(10_000, (r * 4 + c, value)) == len(solver.solutions)


def test_perturbed_answers_fail():
    for level in (2, 7, 10):
        for index in range(3):
            p = problem_at(TASK, level, index)
            sol = p.payload["solution"]
            n = len(sol) * len(sol[0])
            blank = next(
                (r, c)
                for r, row in enumerate(p.payload["puzzle"])
                for c, v in enumerate(row)
                if not v
            )
            changed = [row[:] for row in sol]
            r, c = blank
            changed[r][c] = sol[r][c] % n + 1  # duplicates another number
            swapped = [row[:] for row in sol]
            swapped[0][0], swapped[1][1] = swapped[1][1], swapped[0][0]
            shifted = [[(v % n) + 1 for v in row] for row in sol]  # a permutation, wrong sums
            for grid in (changed, swapped, shifted):
                v = verdict(p, grid)
                assert v.score == 0.0 and v.reason
            assert "once" in TASK.check_answer(p, format_grid(changed))[1]
            check_malformed_refused(
                TASK,
                p,
                sol,
                [
                    format_grid([[0, *row[1:]] for row in sol]),
                    format_grid([[n + 1, *row[1:]] for row in sol]),
                    format_grid(sol).replace("1", "a"),
                ],
            )


def test_givens_are_checked():
    """Swapping a given with another cell of its row keeps the numbers and row sums."""
    p = problem_at(TASK, 1, 0)
    wrong = [row[:] for row in p.payload["solution"]]
    r, c = next((r, c) for r, row in enumerate(p.payload["puzzle"]) for c, v in enumerate(row) if v)
    wrong[r][c], wrong[r][c - 1] = wrong[r][c - 1], wrong[r][c]
    score, reason = TASK.check_answer(p, format_grid(wrong))
    assert score == 0.0 and "given" in reason


def test_tolerant_formatting():
    p = problem_at(TASK, 5, 1)
    sol = p.payload["solution"]
    for text in (
        format_grid(sol, ", "),
        "\n\n".join(str(row) for row in sol),
        format_grid(sol, " | "),
    ):
        assert verdict(p, text).score == 1.0, text


def test_prompt_states_format_and_varies():
    check_prompts_state_format_and_vary(TASK, 4, ["3 lines", "4 numbers separated by spaces"])


test_out_of_range_knobs_are_refused = out_of_range_knobs_test(
    TASK,
    [
        ({"rows": 1}, "rows"),
        ({"cols": 6}, "cols"),
        ({"blanks": 0}, "blanks"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"colour": 1}, "colour"),
    ],
)


@pytest.mark.parametrize(("rows", "cols", "target"), [(3, 3, 4), (3, 4, 6), (4, 4, 9), (4, 5, 10)])
def test_blanking_keeps_the_puzzle_unique(rows: int, cols: int, target: int):
    """Blanks that join two unlinked lines are taken without a search: the puzzle stays
    unique all the same (the counter, with no shortcut, finds one completion)."""
    rng = Random(rows * 10 + cols)
    for _ in range(25):
        values = rng.sample(range(1, rows * cols + 1), rows * cols)
        solution = [values[r * cols : r * cols + cols] for r in range(rows)]
        sums = sums_of(solution)
        blanks = blank_while_unique(values, sums, Draws(rng.getrandbits(128)), target)
        puzzle = [values[r * cols : r * cols + cols] for r in range(rows)]
        assert sum(v == 0 for v in values) == blanks >= min(target, rows + cols - 1)
        assert Counter(puzzle, *sums).count(2) == 1
