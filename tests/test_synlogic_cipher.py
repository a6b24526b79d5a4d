"""Cipher: contract, independent implementations, round trips, wrong and malformed answers."""

from __future__ import annotations

import random
import string

import pytest
from pydantic import ValidationError

from generators.synlogic.cipher import Cipher, Step
from tests.contract import contract_tests, problem_at, wrap

TASK = Cipher()
globals().update(contract_tests(TASK))
ABC = string.ascii_lowercase


def encrypt(name: str, key: int | str, text: str) -> str:
    """Encryption written independently of the task module."""
    if name == "caesar":
        return text.translate(str.maketrans(ABC, ABC[key:] + ABC[:key]))
    if name == "atbash":
        return text.translate(str.maketrans(ABC, ABC[::-1]))
    if name == "vigenere":
        out, i = [], 0
        for ch in text:
            if ch == " ":
                out.append(ch)
                continue
            out.append(ABC[(ABC.index(ch) + ABC.index(key[i % len(key)])) % 26])
            i += 1
        return "".join(out)
    rows: list[list[str]] = [[] for _ in range(key)]
    rail, step = 0, 1
    for ch in text.replace(" ", ""):
        rows[rail].append(ch)
        if key > 1:
            if rail == 0:
                step = 1
            elif rail == key - 1:
                step = -1
            rail += step
    return "".join("".join(row) for row in rows)


def letters(text: str) -> str:
    return text.replace(" ", "")


@pytest.mark.parametrize("level", range(1, 11))
def test_answers_agree_with_an_independent_encryption(level: int) -> None:
    for index in range(6):
        problem = problem_at(TASK, level, index)
        p = problem.payload
        source = problem.answer if p["decrypt"] else p["text"]
        for name, key in p["steps"]:
            source = encrypt(name, key, source)
        target = p["text"] if p["decrypt"] else problem.answer
        assert letters(source) == letters(target)


@pytest.mark.parametrize(
    "step",
    [
        Step("caesar", 7),
        Step("atbash"),
        Step("vigenere", "lemon"),
        *map(lambda r: Step("rail_fence", r), range(2, 7)),
    ],
)
def test_every_cipher_round_trips(step: Step) -> None:
    rng = random.Random(5)
    for length in range(1, 30):
        text = "".join(rng.choice(ABC) for _ in range(length))
        assert step.apply(step.apply(text, decrypt=False), decrypt=True) == text


def test_wrong_answers_fail() -> None:
    problem = problem_at(TASK, 8, 2)
    answer = letters(problem.answer)
    changed = answer[:3] + ABC[(ABC.index(answer[3]) + 1) % 26] + answer[4:]
    swapped = answer[:1] + answer[2] + answer[1] + answer[3:]
    for text in (changed, answer[:-1], answer + "a", problem.payload["text"]):
        if letters(text) != answer:
            assert TASK.verify(problem, wrap(text)).score == 0.0, text
    if swapped != answer:
        assert TASK.verify(problem, wrap(swapped)).score == 0.0


def test_partial_chain_is_wrong() -> None:
    for index in range(10):
        problem = problem_at(TASK, 10, index)
        p = problem.payload
        if p["decrypt"]:
            continue
        name, key = p["steps"][0]
        first_only = encrypt(name, key, p["text"])
        if letters(first_only) != letters(problem.answer):
            assert TASK.verify(problem, wrap(first_only)).score == 0.0


def test_harmless_formatting_is_accepted() -> None:
    problem = problem_at(TASK, 3, 0)
    for text in (problem.answer.upper(), letters(problem.answer), f'"{problem.answer}."'):
        assert TASK.verify(problem, wrap(text)).passed, text


@pytest.mark.parametrize("text", ["abc1", "hello_world", "a+b", "…", "ab#cd"])
def test_malformed_answers_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("words", 0), ("chain", 4), ("max_rails", 1), ("ciphers", ["enigma"]), ("key_length", 9)],
)
def test_config_bounds_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(5, {field: value})


def test_prompts_vary_across_indices() -> None:
    prompts = [problem_at(TASK, 5, i).prompt.split("\n\n") for i in range(12)]
    assert len({p[0] for p in prompts}) >= 2 and len({p[3] for p in prompts}) >= 2
    assert len({p[1] for p in prompts}) == 12
