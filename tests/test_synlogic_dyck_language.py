"""Dyck language: contract, brute-force uniqueness, perturbed and malformed answers, config."""

from __future__ import annotations

from itertools import product

import pytest
from pydantic import ValidationError

from generators.synlogic.dyck import CLOSERS, OPENERS
from generators.synlogic.dyck_language import DyckLanguage
from tests.contract import contract_tests, problem_at, wrap

TASK = DyckLanguage()
globals().update(contract_tests(TASK))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def reduce_pairs(sequence: str) -> str:
    """Independent check: delete adjacent matched pairs until none is left."""
    pairs = [o + c for o, c in zip(OPENERS, CLOSERS, strict=True)]
    while True:
        shorter = sequence
        for pair in pairs:
            shorter = shorter.replace(pair, "")
        if shorter == sequence:
            return sequence
        sequence = shorter


@pytest.mark.parametrize("level", [1, 2, 3])
def test_brute_force_finds_exactly_one_shortest_completion(level):
    for index in range(4):
        problem = problem_at(TASK, level, index)
        prefix = problem.payload["prefix"]
        found = []
        for size in range(1, 6):
            found = [
                "".join(c)
                for c in product(CLOSERS, repeat=size)
                if reduce_pairs(prefix + "".join(c)) == ""
            ]
            if found:
                break
        assert found == [problem.answer.replace(" ", "")]


@pytest.mark.parametrize("level", [5, 10])
def test_pair_reduction_agrees_at_high_levels(level):
    for index in range(5):
        problem = problem_at(TASK, level, index)
        prefix = problem.payload["prefix"]
        rest = reduce_pairs(prefix)
        assert set(rest) <= set(OPENERS)
        assert reduce_pairs(prefix + problem.answer.replace(" ", "")) == ""
        assert len(rest) == len(problem.answer.split())


def test_perturbed_answers_fail():
    problem = problem_at(TASK, 6, 0)
    closers = problem.answer.split()
    assert len(closers) >= 2
    swapped = closers[:]
    swapped[0], swapped[-1] = swapped[-1], swapped[0]
    if swapped == closers:
        swapped[0] = ")" if closers[0] != ")" else "]"
    changed = closers[:]
    changed[0] = ")" if closers[0] != ")" else "]"
    wrong = [
        " ".join(swapped),
        " ".join(changed),
        " ".join(closers[:-1]),
        " ".join(closers + [")"]),
        " ".join(closers + ["(", ")"]),
        " ".join(reversed(closers)) if len(set(closers)) > 1 else "( " + problem.answer,
    ]
    for text in wrong:
        assert score(problem, text) == 0.0, text


def test_harmless_formatting_is_tolerated():
    problem = problem_at(TASK, 4, 1)
    plain = problem.answer.replace(" ", "")
    for text in [plain, ", ".join(plain), f"'{plain}'", problem.payload["prefix"] + plain]:
        assert score(problem, text) == 1.0, text


def test_knobs_are_honoured():
    problem = problem_at(TASK, None, 0, length=30, depth=6, types=1)
    assert len(problem.payload["prefix"]) == 30
    assert problem.answer == " ".join(")" * 6)


def common_tests(
    task, malformed: list[str], phrases: tuple[str, ...], bad_knobs: list[tuple[dict, str]]
) -> dict:
    """Tests every Dyck task shares: malformed answers, varied prompts, refused configs."""

    @pytest.mark.parametrize("text", malformed)
    def test_malformed_answers_score_zero(text):
        verdict = task.verify(problem_at(task, 1, 0), wrap(text))
        assert verdict.score == 0.0 and verdict.reason

    def test_prompts_vary_and_state_the_format():
        prompts = [problem_at(task, 4, i).prompt for i in range(30)]
        assert len({p.split("\n")[0] for p in prompts}) >= 3
        assert all(phrase in p for p in prompts for phrase in phrases)

    @pytest.mark.parametrize(("knobs", "field"), bad_knobs)
    def test_config_bounds_are_refused(knobs, field):
        with pytest.raises(ValidationError) as error:
            task.Config(**knobs)
        assert field in str(error.value)

    return {name: fn for name, fn in locals().items() if name.startswith("test_")}


globals().update(
    common_tests(
        TASK,
        ["abc", "] ) x", "12", "", "close them"],
        ("separated by spaces",),
        [
            ({"length": 1}, "length"),
            ({"length": 121}, "length"),
            ({"depth": 0}, "depth"),
            ({"types": 5}, "types"),
            ({"length": 5, "depth": 2}, "length"),
            ({"colour": 1}, "colour"),
        ],
    )
)
