"""Word sorting: contract, independent sort check, perturbed and malformed answers, bounds."""

from __future__ import annotations

from random import Random

import pytest
from pydantic import ValidationError

from generators.synlogic.word_sorting import Ordering, WordSorting, _words_starting_with
from generators.wordlists import load_words
from tests.contract import contract_tests, problem_at, wrap

TASK = WordSorting()
globals().update(contract_tests(TASK))


def independent_order(payload: dict) -> list[str]:
    """Python's sorted() with a key built separately from the task's comparator."""
    rank = {ch: i for i, ch in enumerate(payload["alphabet"])}
    words = payload["words"]
    if payload["order"] == "last_letter":
        return sorted(words, key=lambda w: (w[-1], w))
    ordered = sorted(words, key=lambda w: [rank[ch] for ch in w])
    return ordered[::-1] if payload["order"] == "descending" else ordered


@pytest.mark.parametrize("level", range(1, 11))
def test_answer_matches_an_independent_sort_and_is_unique(level: int) -> None:
    for index in range(5):
        problem = problem_at(TASK, level, index)
        words = problem.payload["words"]
        assert len(set(words)) == len(words)
        assert problem.answer.split(", ") == independent_order(problem.payload)


@pytest.mark.parametrize(("level", "knobs"), [(1, {}), (None, {"count": 2})])
def test_words_are_never_listed_presorted(level: int | None, knobs: dict) -> None:
    for index in range(60):
        problem = problem_at(TASK, level, index, **knobs)
        assert problem.answer != ", ".join(problem.payload["words"])


def test_perturbed_answers_fail() -> None:
    problem = problem_at(TASK, 6, 0)
    words = problem.answer.split(", ")
    swapped = words[:]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    variants = {
        "swap": swapped,
        "missing": words[:-1],
        "extra": [*words, words[0]],
        "duplicate": [*words[:-1], words[0]],
        "foreign": [*words[:-1], "zzzz"],
        "reversed": words[::-1],
        "given order": problem.payload["words"],
    }
    for kind, variant in variants.items():
        verdict = TASK.verify(problem, wrap(", ".join(variant)))
        assert verdict.score == 0.0 and verdict.reason, kind


def test_harmless_formatting_is_accepted() -> None:
    problem = problem_at(TASK, 3, 1)
    words = problem.answer.split(", ")
    for text in (
        " ".join(words),
        "\n".join(w.upper() for w in words),
        "[" + "; ".join(words) + "]",
        ", ".join(words[:-1]) + " and " + words[-1] + ".",
    ):
        assert TASK.verify(problem, wrap(text)).passed, text


@pytest.mark.parametrize("text", ["1, 2, 3", "apple, b4nana", "<answer>", "...", "ca$t, dog"])
def test_malformed_lists_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


def test_rules_tie_breaks_and_prefixes() -> None:
    assert Ordering("ascending").merge_sort(["card", "car", "cart"])[0] == ["car", "card", "cart"]
    assert Ordering("descending").merge_sort(["car", "card"])[0] == ["card", "car"]
    assert Ordering("last_letter").merge_sort(["rose", "cake", "lamb"])[0] == [
        "lamb",
        "cake",
        "rose",
    ]
    custom = Ordering("custom", "zyxwvutsrqponmlkjihgfedcba")
    assert custom.merge_sort(["apple", "zebra"])[0] == ["zebra", "apple"]


def test_fast_sort_matches_the_merge_sort() -> None:
    """Generation sorts with sorted() and a translated key; solve counts a merge sort."""
    rng = Random(3)
    words = list(load_words("english_words"))
    for order in ("ascending", "descending", "custom", "last_letter", "custom"):
        letters = list("abcdefghijklmnopqrstuvwxyz")
        rng.shuffle(letters)
        ordering = Ordering(
            order, "".join(letters) if order == "custom" else Ordering(order).alphabet
        )
        sample = [*rng.sample(words, 30), "car", "card", "cart"]
        sample = list(dict.fromkeys(sample))
        assert ordering.sort(sample) == ordering.merge_sort(sample)[0]


def test_words_by_initial_keep_file_order() -> None:
    rng = Random(4)
    words = load_words("english_words")
    initials = sorted({w[0] for w in words})
    for size in (1, 3, 4, 7):
        chosen = set(rng.sample(initials, size))
        assert _words_starting_with(chosen) == tuple(w for w in words if w[0] in chosen)


@pytest.mark.parametrize(
    ("field", "value"), [("count", 1), ("count", 61), ("first_letters", 27), ("order", "random")]
)
def test_config_bounds_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(5, {field: value})


def test_prompts_vary_across_indices() -> None:
    prompts = [problem_at(TASK, 5, i).prompt.split("\n\n") for i in range(12)]
    assert len({p[0] for p in prompts}) >= 2 and len({p[2] for p in prompts}) >= 2
