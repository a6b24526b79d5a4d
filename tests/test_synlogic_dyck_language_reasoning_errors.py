"""Dyck reasoning errors: contract, independent replay of the prompt text, answer checks."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from generators.synlogic.dyck_language_reasoning_errors import DyckLanguageReasoningErrors
from tests.contract import contract_tests, problem_at, wrap
from tests.test_synlogic_dyck_language import common_tests

TASK = DyckLanguageReasoningErrors()
globals().update(contract_tests(TASK))

MATCH = {")": "(", "]": "[", "}": "{", ">": "<"}


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def wrong_from_prompt(prompt: str) -> list[int]:
    """Independent: re-read the prefix and thoughts from the prompt text and replay them."""
    prefix = re.search(r"^Prefix: (.*)$", prompt, re.MULTILINE).group(1).split()
    lines = re.findall(r"^Thought (\d+): (.*)$", prompt, re.MULTILINE)
    stack: list[str] = []
    wrong = []
    for (number, text), char in zip(lines, prefix, strict=False):
        if char in MATCH:
            top = stack.pop()
            expected = f"we see '{char}', pop '{top}' -> stack: "
        else:
            stack.append(char)
            expected = f"we see '{char}', push it -> stack: "
        if text != expected + (" ".join(stack) or "empty"):
            wrong.append(int(number))
    closing = " ".join({v: k for k, v in MATCH.items()}[o] for o in reversed(stack))
    number, text = lines[-1]
    assert int(number) == len(prefix) + 1
    if not text.endswith(f"needs: {closing}"):
        wrong.append(int(number))
    return wrong


@pytest.mark.parametrize("level", [1, 5, 10])
def test_independent_replay_agrees(level):
    for index in range(10):
        problem = problem_at(TASK, level, index)
        expected = ", ".join(map(str, wrong_from_prompt(problem.prompt))) or "none"
        assert expected == problem.answer


def test_error_counts_vary_and_no_answer_is_likely():
    answers = [problem_at(TASK, 1, i).answer for i in range(300)]
    assert "none" in answers
    assert {len(a.split(",")) for a in answers if a != "none"} == {1, 2}
    assert max(Counter(answers).values()) <= 15
    assert any(len(problem_at(TASK, 10, i).answer.split(",")) >= 3 for i in range(30))


def _with_errors(level: int = 8):
    return next(p for i in range(50) if (p := problem_at(TASK, level, i)).answer.count(",") >= 1)


def test_wrong_sets_fail():
    problem = _with_errors()
    numbers = [int(n) for n in problem.answer.split(", ")]
    extra = next(n for n in range(1, 99) if n not in numbers)
    for wrong in [numbers[1:], numbers + [extra], [numbers[0] + 1, *numbers[1:]], [999], []]:
        text = ", ".join(map(str, sorted(set(wrong)))) or "none"
        if sorted(set(wrong)) != numbers:
            assert score(problem, text) == 0.0, text


def test_none_is_wrong_when_there_are_errors_and_right_otherwise():
    problem = _with_errors()
    assert score(problem, "none") == 0.0
    clean = problem_at(TASK, 6, 0, max_errors=0)
    assert score(clean, "None.") == 1.0 and score(clean, "[]") == 1.0
    assert score(clean, "1") == 0.0


def test_harmless_formatting_is_tolerated():
    problem = _with_errors()
    numbers = problem.answer.split(", ")
    variants = [
        " ".join(numbers),
        "; ".join(reversed(numbers)),
        "[" + ",".join(numbers) + "]",
        " and ".join(f"Thought {n}" for n in numbers),
        "\n".join(numbers + numbers[:1]),
    ]
    for text in variants:
        assert score(problem, text) == 1.0, text


def test_knobs_are_honoured():
    problem = problem_at(TASK, None, 0, length=30, depth=4, types=1, max_errors=0)
    assert problem.answer == "none" and len(problem.payload["thoughts"]) == 31
    assert set(problem.payload["prefix"]) <= {"(", ")"}


globals().update(
    common_tests(
        TASK,
        ["all wrong", "3.5", "1-4", "???", "thought x", "3 x"],
        ("separated by commas", "the word none"),
        [
            ({"length": 101}, "length"),
            ({"depth": 0}, "depth"),
            ({"types": 5}, "types"),
            ({"max_errors": -1}, "max_errors"),
            ({"length": 6, "depth": 3}, "length"),
            ({"colour": 1}, "colour"),
        ],
    )
)
