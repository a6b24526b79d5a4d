"""Kukurasu: contract, z3 uniqueness, rule-checking verifier, hidden clues, config bounds."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest
import z3

from generators.synlogic.grid import format_grid
from generators.synlogic.kukurasu import Kukurasu
from generators.synlogic.kukurasu.count import count_up_to
from generators.synlogic.kukurasu.solver import Solver, clues_of
from tests.contract import contract_tests, problem_at
from tests.synlogic_helpers_latin import (
    assert_z3_unique,
    check_malformed_refused,
    check_prompts_state_format_and_vary,
    out_of_range_knobs_test,
    verdict_of,
)

TASK = Kukurasu()
globals().update(contract_tests(TASK))


verdict = verdict_of(TASK)


@pytest.mark.parametrize("level", [1, 2, 9, 10])
def test_unique_solution_by_z3(level: int):
    for index in range(5):
        p = problem_at(TASK, level, index)
        rows, cols = p.payload["row_clues"], p.payload["col_clues"]
        x = [[z3.Bool(f"b{r}_{c}") for c in range(len(cols))] for r in range(len(rows))]
        s = z3.Solver()
        for r, clue in enumerate(rows):
            if clue is not None:
                s.add(z3.Sum([z3.If(b, c + 1, 0) for c, b in enumerate(x[r])]) == clue)
        for c, clue in enumerate(cols):
            if clue is not None:
                s.add(z3.Sum([z3.If(row[c], r + 1, 0) for r, row in enumerate(x)]) == clue)
        assert_z3_unique(
            s,
            x,
            p.payload["solution"],
            value=lambda m, b: int(z3.is_true(m.eval(b, model_completion=True))),
            differs=lambda b, v: b != bool(v),
        )


def test_high_levels_hide_clues_and_say_so():
    batch = [problem_at(TASK, 10, i) for i in range(10)]
    counts = [(p.payload["row_clues"] + p.payload["col_clues"]).count(None) for p in batch]
    assert max(counts) == TASK.config_for_level(10).hidden  # "up to": only while unique
    assert all("'?' is unknown" in p.prompt for p, k in zip(batch, counts, strict=True) if k)
    assert "'?' is unknown" not in problem_at(TASK, 1, 0).prompt


def test_perturbed_answers_fail():
    for level in (3, 7, 10):
        for index in range(3):
            p = problem_at(TASK, level, index)
            sol = p.payload["solution"]
            R, C = len(sol), len(sol[0])
            flipped = [row[:] for row in sol]
            flipped[R - 1][C - 1] ^= 1
            mirrored = [row[::-1] for row in sol]
            wrong = [flipped]
            if mirrored != sol:
                wrong.append(mirrored)
            wrong.append([[1] * C for _ in range(R)])
            wrong.append([[0] * C for _ in range(R)])
            for grid in wrong:
                v = verdict(p, grid)
                assert v.score == 0.0 and "sums to" in v.reason
            check_malformed_refused(
                TASK,
                p,
                sol,
                [format_grid([[2, *row[1:]] for row in sol]), format_grid(sol).replace("1", "B")],
            )


def test_rules_not_strings_are_checked():
    """A grid meeting every clue scores 1 whatever symbols it uses; one rule broken, 0."""
    p = problem_at(TASK, 5, 2)
    sol = p.payload["solution"]
    symbols = "\n".join("".join("X" if v else "." for v in row) for row in sol)
    assert verdict(p, symbols).score == 1.0
    assert verdict(p, format_grid(sol, ",")).score == 1.0
    assert verdict(p, "\n".join(str(row) for row in sol)).score == 1.0
    # Swapping two cells of a row keeps the number of black cells but breaks sums.
    row = next(r for r in sol if 0 < sum(r) < len(r))
    i, j = row.index(1), row.index(0)
    row[i], row[j] = 0, 1
    assert verdict(p, sol).score == 0.0


def test_solver_counts_solutions_like_brute_force():
    size = 4
    grids = [
        [[mask >> (size * r + c) & 1 for c in range(size)] for r in range(size)]
        for mask in range(1 << size * size)
    ]
    counts = Counter(repr(clues_of(g)) for g in grids)
    ambiguous = [g for g in grids if counts[repr(clues_of(g))] > 1]  # rare: under 2%
    rng = Random(4)
    for grid in rng.sample(grids, 40) + rng.sample(ambiguous, 40):
        rows, cols = clues_of(grid)
        assert len(Solver(rows, cols).solve(1000)) == counts[repr((rows, cols))]


def test_enumeration_count_matches_the_solver():
    """The row-enumeration counter (small grids) agrees with the solver, hidden clues too."""
    rng = Random(7)
    for _ in range(200):
        R, C = rng.randint(2, 4), rng.randint(2, 4)
        grid = [[int(rng.random() < 0.5) for _ in range(C)] for _ in range(R)]
        rows, cols = clues_of(grid)
        for _ in range(rng.randint(0, 2)):
            (rows if rng.random() < 0.5 else cols)[rng.randrange(min(R, C))] = None
        counted = count_up_to(rows, cols, 1000, 10**6)
        assert counted == len(Solver(rows, cols).solve(1000)) >= 1
        assert count_up_to(rows, cols, 2, 10**6) == min(counted, 2)
    assert count_up_to([None] * 5, [None] * 5, 2, 64) is None  # over budget: not counted


def test_prompt_states_format_and_varies():
    check_prompts_state_format_and_vary(TASK, 4, ["1 for a black cell and 0 for a white cell"])


test_out_of_range_knobs_are_refused = out_of_range_knobs_test(
    TASK,
    [
        ({"rows": 1}, "rows"),
        ({"cols": 10}, "cols"),
        ({"density": 0.0}, "density"),
        ({"hidden": 9}, "hidden"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"colour": 1}, "colour"),
    ],
)
