"""Calcudoko: contract, z3 uniqueness, cage structure, verifier strictness, config bounds."""

from __future__ import annotations

import itertools
import math
from random import Random

import pytest
import z3

from generators.synlogic.calcudoko import Calcudoko
from generators.synlogic.calcudoko.cages import (
    cage_tuples,
    components,
    make_cage,
    possible_ops,
    random_partition,
)
from generators.synlogic.grid import format_grid
from tests.contract import contract_tests, problem_at, wrap
from tests.synlogic_helpers_latin import (
    assert_z3_unique,
    check_malformed_refused,
    check_prompts_state_format_and_vary,
    out_of_range_knobs_test,
)

TASK = Calcudoko()
globals().update(contract_tests(TASK))


def score(problem, grid: list[list[int]] | str) -> float:
    text = grid if isinstance(grid, str) else format_grid(grid)
    return TASK.verify(problem, wrap(text)).score


def z3_solutions(payload: dict) -> tuple[z3.Solver, list[list[z3.ArithRef]]]:
    n = payload["size"]
    x = [[z3.Int(f"x{r}{c}") for c in range(n)] for r in range(n)]
    s = z3.Solver()
    for r in range(n):
        s.add(z3.Distinct(x[r]), z3.Distinct([x[c][r] for c in range(n)]))
        s.add(*[z3.And(x[r][c] >= 1, x[r][c] <= n) for c in range(n)])
    for cage in payload["cages"]:
        v = [x[r][c] for r, c in cage["cells"]]
        t, op = cage["target"], cage["op"]
        if op == "=":
            s.add(v[0] == t)
        elif op == "+":
            s.add(z3.Sum(v) == t)
        elif op == "*":
            s.add(math.prod(v[1:], start=v[0]) == t)
        elif op == "-":
            s.add(z3.Or(v[0] - v[1] == t, v[1] - v[0] == t))
        else:
            s.add(z3.Or(v[0] == t * v[1], v[1] == t * v[0]))
    return s, x


@pytest.mark.parametrize(("level", "samples"), [(1, 4), (2, 4), (9, 3), (10, 2)])
def test_unique_solution_by_z3(level: int, samples: int):
    for index in range(samples):
        p = problem_at(TASK, level, index)
        s, x = z3_solutions(p.payload)
        assert_z3_unique(s, x, p.payload["solution"])


def test_cage_tuples_match_brute_force():
    rng = Random(3)
    for _ in range(300):
        n = rng.randint(3, 6)
        values = [rng.randint(1, n) for _ in range(n * n)]
        for cells in random_partition(rng, n, 4, 0.1):
            cage = make_cage(cells, values, rng.choice(possible_ops([values[c] for c in cells])))
            expected = {
                tuple(1 << v for v in t)
                for t in itertools.product(range(1, n + 1), repeat=len(cells))
                if cage.holds(t)
                and all(
                    t[i] != t[j] or not (a // n == b // n or a % n == b % n)
                    for (i, a), (j, b) in itertools.combinations(enumerate(cells), 2)
                )
            }
            assert set(cage_tuples(cage, n)) == expected


@pytest.mark.parametrize("level", [3, 10])
def test_cages_are_connected_and_follow_the_operation_rules(level: int):
    config = TASK.config_for_level(level)
    for index in range(10):
        p = problem_at(TASK, level, index)
        n = p.payload["size"]
        seen = []
        for cage in p.payload["cages"]:
            cells = [r * n + c for r, c in cage["cells"]]
            seen += cells
            assert len(components(cells, n)) == 1
            assert len(cells) <= config.max_cage
            assert (cage["op"] == "=") == (len(cells) == 1)
            if cage["op"] in "-/":
                assert len(cells) == 2
        assert sorted(seen) == list(range(n * n))


def test_perturbed_answers_fail():
    for level in (2, 6, 10):
        for index in range(3):
            p = problem_at(TASK, level, index)
            sol = p.payload["solution"]
            n = len(sol)
            changed = [row[:] for row in sol]
            changed[0][0] = changed[0][0] % n + 1
            swapped = [row[:] for row in sol]
            swapped[1][0], swapped[1][1] = swapped[1][1], swapped[1][0]
            latin_but_wrong = sol[1:] + sol[:1]  # rows and columns fine, cages broken
            for wrong in (changed, swapped, latin_but_wrong):
                verdict = TASK.verify(p, wrap(format_grid(wrong)))
                assert verdict.score == 0.0 and verdict.reason
            assert "cage" in TASK.check_answer(p, format_grid(latin_but_wrong))[1]
            check_malformed_refused(
                TASK,
                p,
                sol,
                [
                    format_grid([[0, *row[1:]] for row in sol]),
                    format_grid([[n + 1, *row[1:]] for row in sol]),
                    format_grid(sol).replace("1", "x"),
                ],
            )


def test_tolerant_formatting():
    p = problem_at(TASK, 4, 1)
    sol = p.payload["solution"]
    for text in (
        format_grid(sol, ", "),
        "\n\n".join(str(row) for row in sol),
        "\n".join("".join(map(str, row)) for row in sol),
        "```\n" + format_grid(sol, " | ") + "\n```",
    ):
        assert score(p, text) == 1.0, text


def test_prompt_states_format_and_varies():
    check_prompts_state_format_and_vary(TASK, 5, ["5 lines", "separated by spaces"])


def test_reasoning_shows_guesses_when_needed():
    traces = [TASK.solve(problem_at(TASK, 10, i)) for i in range(15)]
    guessed = [t for t in traces if t.stats["guesses"]]
    assert guessed and all("Guess r" in t.reasoning for t in guessed)
    assert all(len(t.reasoning) < 15_000 for t in traces)


test_out_of_range_knobs_are_refused = out_of_range_knobs_test(
    TASK,
    [
        ({"size": 2}, "size"),
        ({"size": 10}, "size"),
        ({"max_cage": 1}, "max_cage"),
        ({"max_cage": 6}, "max_cage"),
        ({"singleton_rate": 0.9}, "singleton_rate"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"colour": 1}, "colour"),
    ],
)


def test_large_sizes_generate():
    p = problem_at(TASK, None, 0, size=9, max_cage=3)
    assert TASK.solve(p).answer == p.answer
