"""Space reasoning: contract, z3 re-derivation of the displacement, tolerant but exact verifier."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.space_reasoning import LATTICES, SpaceReasoning, decompose, parse_moves
from tests.contract import contract_tests, problem_at, wrap

TASK = SpaceReasoning()
globals().update(contract_tests(TASK))


def position_problem(level: int, index: int = 0):
    problem = problem_at(TASK, level, index, distance_share=0.0)
    assert problem.payload["kind"] == "position"
    return problem


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


@pytest.mark.parametrize("level", [1, 5, 10])
def test_z3_finds_the_same_displacement_and_no_other(level):
    for index in range(3):
        p = problem_at(TASK, level, index)
        vecs = LATTICES[p.payload["lattice"]]
        xs = [z3.Int(f"x{i}") for i in range(len(p.payload["objects"]))]
        ys = [z3.Int(f"y{i}") for i in range(len(p.payload["objects"]))]
        solver = z3.Solver()
        solver.add(xs[0] == 0, ys[0] == 0)
        for a, b, steps, direction in p.payload["statements"]:
            dx, dy = vecs[direction]
            solver.add(xs[a] == xs[b] + steps * dx, ys[a] == ys[b] + steps * dy)
        src, tgt = p.payload["source"], p.payload["target"]
        dx, dy = xs[tgt] - xs[src], ys[tgt] - ys[src]
        assert solver.check() == z3.sat
        model = solver.model()
        found = (model.eval(dx).as_long(), model.eval(dy).as_long())
        expected = decompose(p.payload["lattice"], found)
        if p.payload["kind"] == "distance":
            assert int(p.answer) == sum(k for k, _ in expected)
        else:
            assert parse_moves(p.payload["lattice"], p.answer) == found
        solver.add(z3.Or(dx != found[0], dy != found[1]))
        assert solver.check() == z3.unsat


def test_decompose_is_shortest_by_brute_force():
    for lattice, vecs in LATTICES.items():
        dist = {(0, 0): 0}
        frontier = [(0, 0)]
        for d in range(1, 6):
            frontier = [(x + u, y + v) for x, y in frontier for u, v in vecs.values()]
            frontier = [q for q in frontier if q not in dist]
            for q in frontier:
                dist[q] = d
        for point, d in dist.items():
            if point != (0, 0):
                moves = decompose(lattice, point)
                assert sum(k for k, _ in moves) == d
                assert parse_moves(lattice, ", ".join(f"{k} {n}" for k, n in moves)) == point


def test_other_correct_move_lists_score_one():
    p = position_problem(3, 1)
    reordered = ", ".join(reversed(p.answer.split(", "))) + ", 1 step north, 1 step south"
    assert score(p, reordered) == 1.0
    assert score(p, p.answer.upper().replace(",", " and")) == 1.0
    assert score(p, p.answer.replace("steps ", "").replace("step ", "")) == 1.0
    detours = 0
    for index in range(10):
        q = position_problem(10, index)
        head, _, last = q.answer.rpartition(", ")
        if last.endswith(" east") and "-" not in last:
            k = last.split()[0]
            detours += score(q, f"{head}, {k} ne, {k} south-east")
    assert detours >= 1
    assert score(q, q.answer + ", 2 steps east then 2 steps west") == 1.0


def test_perturbed_answers_fail():
    for level in (2, 6, 9):
        p = position_problem(level, 4)
        first = p.answer.split(",")[0]
        count, _, rest = first.partition(" ")
        wrong = p.answer.replace(first, f"{int(count) + 1} {rest}", 1)
        assert score(p, wrong) == 0.0
        assert score(p, p.answer + ", 1 step " + next(iter(LATTICES[p.payload["lattice"]]))) == 0
        assert score(p, p.answer.split(",")[0] if "," in p.answer else "") == 0.0
    d = problem_at(TASK, 5, 0, distance_share=1.0)
    assert score(d, d.answer) == 1.0 and score(d, str(int(d.answer) + 1)) == 0.0


def test_malformed_and_off_lattice_answers_score_zero_with_reason():
    p = position_problem(1)
    for text in ["1 step up", "north", "2.5 steps north", "-1 steps north", "print(1)"]:
        verdict = TASK.verify(p, wrap(text))
        assert verdict.score == 0.0 and "malformed" in verdict.reason, text
    diamond = position_problem(6)
    assert "not a direction" in TASK.verify(diamond, wrap("1 step north")).reason


def test_config_bounds_are_refused():
    for knob, value in [("chain_length", 0), ("chain_length", 99), ("max_steps", 9)]:
        with pytest.raises(ValidationError, match=knob):
            TASK.config_for_level(3, {knob: value})
    with pytest.raises(ValidationError, match="lattice"):
        TASK.config_for_level(3, {"lattice": "hexagon"})


def test_prompts_vary_and_end_with_the_instruction():
    prompts = [problem_at(TASK, 4, i).prompt for i in range(12)]
    assert len({p.splitlines()[0] for p in prompts}) >= 3
    assert all(p.endswith(ANSWER_INSTRUCTION) for p in prompts)
