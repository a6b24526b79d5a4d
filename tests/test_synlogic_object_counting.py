"""Object counting: contract, an independent re-count from the prompt text, answers, config."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.object_counting import CATEGORY_NAMES, ObjectCounting, items
from tests.contract import contract_tests, problem_at, wrap

TASK = ObjectCounting()
globals().update(contract_tests(TASK))

# The test's own number words, kept apart from generators.synlogic.normalize on purpose:
# recount() is an independent oracle and must not share the code it checks.
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
WORDS = {word: n for n, word in enumerate(NUMBER_WORDS)}
WORDS.update({"a": 1, "an": 1, "another": 1})


def recount(prompt: str) -> int:
    """Re-count from the prompt's text alone: every '<quantity> [more] <noun>' phrase."""
    story, _, rest = prompt.partition("\n\n")
    question = rest.splitlines()[0]
    asked = [key for key, name in CATEGORY_NAMES.items() if name in question]
    nouns = {}
    for category, members in items().items():
        for item in members:
            nouns[item.singular] = nouns[item.plural] = category
    total = 0
    for sentence in re.split(r"(?<=\.) ", story):
        sign = -1 if re.search(r"\b(sells?|loses?|gives? away)\b", sentence) else 1
        for qty, noun in re.findall(r"\b(\w+) (?:more )?([a-z]+)\b(?=,| and|\.)", sentence):
            if qty in WORDS and noun in nouns and nouns[noun] in asked:
                total += sign * WORDS[qty]
    return total


@pytest.mark.parametrize("level", [1, 3, 6, 8, 10])
def test_answer_agrees_with_a_recount_of_the_text(level: int):
    for index in range(8):
        p = problem_at(TASK, level, index)
        assert str(recount(p.prompt)) == p.answer, p.prompt


def test_wrong_answers_fail_and_formats_are_tolerated():
    p = problem_at(TASK, 7, 1)
    value = int(p.answer)
    for wrong in (value + 1, value - 1, value * 2 + 1, -value - 1):
        assert TASK.verify(p, wrap(str(wrong))).score == 0.0, wrong
    variants = [f" {value}. ", f"{value}.0", f"'{value}'"]
    if value <= 20:
        variants.append(NUMBER_WORDS[value].upper())
    for variant in variants:
        assert TASK.verify(p, wrap(variant)).score == 1.0, variant


@pytest.mark.parametrize("answer", ["", "many", "3 apples and 2 pears", "4 2", "5 or 6", "1/0"])
def test_malformed_answers_raise(answer: str):
    with pytest.raises(AnswerFormatError):
        TASK.check_answer(problem_at(TASK, 2, 0), answer)


def test_word_list_is_sound():
    grouped = items()
    assert set(grouped) == set(CATEGORY_NAMES) and all(len(v) >= 10 for v in grouped.values())
    singulars = [i.singular for members in grouped.values() for i in members]
    assert len(singulars) == len(set(singulars))


def test_prompts_vary_and_trace_is_short():
    batch = [problem_at(TASK, 6, i) for i in range(20)]
    assert len({p.prompt.split("\n\n")[1].splitlines()[0][:8] for p in batch}) == 3
    assert len({p.prompt.split(" ")[0] for p in batch}) >= 3  # "I" and several names
    assert all(p.prompt.endswith(ANSWER_INSTRUCTION) for p in batch)
    for p in batch:
        assert len(TASK.solve(p).reasoning) < 15_000


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_items": 1}, "n_items"),
        ({"n_categories": 7}, "n_categories"),
        ({"n_events": 21}, "n_events"),
        ({"max_quantity": 0}, "max_quantity"),
        ({"n_asked": 3}, "n_asked"),
        ({"n_items": 2, "n_categories": 3}, "n_items"),
        ({"n_asked": 2, "n_categories": 2}, "n_asked"),
    ],
)
def test_config_bounds_are_refused(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(1, knobs)
