"""Word sorting: put a list of words in order under a stated rule.

Rules: usual alphabetical order, reverse order, a custom alphabet (a permutation of a..z),
or by last letter with ties broken by the whole word in usual order. A word that is a
prefix of another comes first (before reversing, for reverse order). Words are distinct
and every rule is a total order, so the sorted list is unique; the verifier compares
the exact order. Effort is the number of comparisons a merge sort makes. Generation
draws the phrasing and the words at once from a :class:`~generators.hashrandom.HashRandom`
(repeated words redrawn; words from a few initials and custom alphabets drawn apart).

The ordering helpers (:class:`Ordering`, :func:`draw_words`) are shared with
``word_sorting_mistake``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache, cached_property
from math import factorial
from random import Random
from typing import Any, ClassVar, Literal

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
    config_cached,
)
from generators.canonical import digest
from generators.hashrandom import Pools, distinct
from generators.synlogic.normalize import split_list
from generators.wordlists import load_words
from schemas.records import Problem

Order = Literal["ascending", "descending", "custom", "last_letter"]


@dataclass(frozen=True)
class Ordering:
    """A total order on lowercase words: ``order`` plus the alphabet it ranks letters by."""

    order: str
    alphabet: str = string.ascii_lowercase

    @cached_property
    def _ranks(self) -> dict[int, str]:
        """str.translate table sending each letter to the letter of its rank in a..z, so that
        plain string comparison of translated words follows this alphabet."""
        return str.maketrans(self.alphabet, string.ascii_lowercase)

    def key(self, word: str) -> str | tuple[str, str]:
        """Sort key (ascending sense): the word spelled in ranks, last letter first for
        ``last_letter``; a prefix sorts first, as string comparison does."""
        ranked = word.translate(self._ranks)
        return (ranked[-1], ranked) if self.order == "last_letter" else ranked

    def before(self, a: str, b: str) -> bool:
        """Whether ``a`` comes strictly before ``b``."""
        ka, kb = self.key(a), self.key(b)
        return ka > kb if self.order == "descending" else ka < kb

    def sort(self, words: list[str]) -> list[str]:
        """The words in this order (what :meth:`merge_sort` returns, without counting)."""
        return sorted(words, key=self.key, reverse=self.order == "descending")

    def rule(self) -> str:
        """The rule in words, as the prompt states it."""
        if self.order == "ascending":
            return "in alphabetical order (a to z); a word that is a prefix of another comes first"
        if self.order == "descending":
            return (
                "in reverse alphabetical order (z to a); a word that is a prefix of another "
                "comes after it"
            )
        if self.order == "custom":
            return (
                "alphabetically, but using this alien alphabet instead of the usual one "
                f"(first letter to last): {' '.join(self.alphabet)}; compare words letter by "
                "letter in that alphabet, and a word that is a prefix of another comes first"
            )
        return (
            "by their last letter in the usual alphabet (a to z); words with the same last "
            "letter are ordered alphabetically as whole words"
        )

    def explain(self, a: str, b: str) -> str:
        """Why ``a`` comes before ``b``: the first position where their keys differ."""
        if self.order == "descending":
            return "reverse order: " + Ordering("ascending").explain(b, a)
        if self.order == "last_letter":
            if a[-1] != b[-1]:
                return f"last letter '{a[-1]}' before '{b[-1]}'"
            prefix = f"same last letter '{a[-1]}', then whole words: "
            return prefix + Ordering("ascending").explain(a, b)
        for pos, (x, y) in enumerate(zip(a, b, strict=False), start=1):
            if x != y:
                return f"letter {pos}: '{x}' before '{y}'"
        shorter, longer = (a, b) if len(a) < len(b) else (b, a)
        return f"'{shorter}' is a prefix of '{longer}'"

    def merge_sort(self, words: list[str]) -> tuple[list[str], int]:
        """The sorted words and the number of comparisons made."""
        if len(words) <= 1:
            return list(words), 0
        mid = len(words) // 2
        left, c1 = self.merge_sort(words[:mid])
        right, c2 = self.merge_sort(words[mid:])
        merged: list[str] = []
        i = j = 0
        comparisons = c1 + c2
        while i < len(left) and j < len(right):
            comparisons += 1
            if self.before(right[j], left[i]):
                merged.append(right[j])
                j += 1
            else:
                merged.append(left[i])
                i += 1
        merged += left[i:] + right[j:]
        return merged, comparisons


def draw_ordering(order: str, rng: Random) -> Ordering:
    if order != "custom":
        return Ordering(order)
    letters = list(string.ascii_lowercase)
    rng.shuffle(letters)
    return Ordering(order, "".join(letters))


def draw_words(rng: Random, count: int, first_letters: int) -> list[str]:
    """``count`` distinct words; with ``first_letters`` > 0 they share few initial letters
    (more letters are added if the chosen ones have too few words), so ties go deeper."""
    words = load_words("english_words")
    if first_letters:
        per_initial = _initial_counts()
        initials = sorted(per_initial)
        rng.shuffle(initials)
        chosen = set(initials[:first_letters])
        total = sum(per_initial[c] for c in chosen)
        for extra in initials[first_letters:]:
            if total >= 2 * count:
                break
            chosen.add(extra)
            total += per_initial[extra]
        words = _words_starting_with(chosen)
    return rng.sample(words, count)


@cache
def _by_initial() -> dict[str, tuple[str, ...]]:
    """The word list's words per initial letter, in file order (the file is sorted, so each
    initial's words form one run and concatenating runs in letter order keeps file order)."""
    groups: dict[str, list[str]] = {}
    for word in load_words("english_words"):
        groups.setdefault(word[0], []).append(word)
    return {initial: tuple(words) for initial, words in groups.items()}


@cache
def _initial_counts() -> dict[str, int]:
    return {initial: len(words) for initial, words in _by_initial().items()}


def _words_starting_with(initials: set[str]) -> tuple[str, ...]:
    """The word list (in file order) restricted to these initial letters."""
    groups = _by_initial()
    return tuple(word for initial in sorted(initials) for word in groups[initial])


def read_words(answer: str) -> list[str]:
    """Words of a list written with commas, newlines, 'and' or spaces; raises if not words."""
    items = [word for item in split_list(answer) for word in item.split()]
    if not items:
        raise AnswerFormatError("no words found")
    bad = [item for item in items if not item.isalpha() or not item.isascii()]
    if bad:
        raise AnswerFormatError(f"{bad[0][:30]!r} is not a word")
    return items


def compare_lists(expected: list[str], given: list[str]) -> tuple[float, str]:
    """Score 1 only for exactly the expected sequence; the reason names the first problem."""
    if len(given) != len(expected):
        return 0.0, f"expected {len(expected)} words, got {len(given)}"
    unknown = sorted(set(given) - set(expected))
    if unknown:
        return 0.0, f"{unknown[0]!r} is not one of the given words"
    for pos, (want, got) in enumerate(zip(expected, given, strict=True), start=1):
        if want != got:
            return 0.0, f"position {pos} should be {want!r}, not {got!r}"
    return 1.0, "correct order"


LEVEL_RULES: tuple[dict[str, Any], ...] = (
    {"order": "ascending"},
    {"order": "ascending"},
    {"order": "descending"},
    {"order": "ascending", "first_letters": 3},
    {"order": "last_letter"},
    {"order": "custom"},
    {"order": "descending", "first_letters": 3},
    {"order": "last_letter", "first_letters": 4},
    {"order": "custom", "first_letters": 4},
    {"order": "custom", "first_letters": 3},
)


def levels_with_counts(counts: tuple[int, ...]) -> dict[int, dict[str, Any]]:
    """Levels 1..10: the shared rule per level (harder rules, closer words) with a word count."""
    return {
        level: {"count": count, **rules}
        for level, (count, rules) in enumerate(zip(counts, LEVEL_RULES, strict=True), start=1)
    }


class WordSortingConfig(TaskConfig):
    """How many words, which order rule, and how many initial letters the words share."""

    count: int = Field(default=8, ge=2, le=60, description="words to sort")
    order: Order = Field(default="ascending", description="the sorting rule")
    first_letters: int = Field(
        default=0, ge=0, le=26, description="initial letters to draw words from (0: any)"
    )


_INTROS = (
    "Sort the following words {rule}.",
    "Here is a list of words. Arrange them {rule}.",
    "A librarian needs these words ordered {rule}. Put them in that order.",
)
_FORMATS = (
    "Give all {n} words, each exactly once, as one comma-separated list in sorted order.",
    "Your answer must list all {n} words in sorted order, separated by commas.",
    "Answer with the {n} words in their sorted order, separated by commas.",
)


_ORDERINGS = {order: Ordering(order) for order in ("ascending", "descending", "last_letter")}
# Fisher–Yates on the alphabet as one draw: the swap partner of each place from the last
_SWAPS = Pools([range(place + 1) for place in range(25, 0, -1)])


def _ordering(order: str, rng: Random) -> Ordering:
    """The order's rule, a custom alphabet uniformly shuffled with one rng call."""
    if order != "custom":
        return _ORDERINGS[order]
    letters = list(string.ascii_lowercase)
    for place, partner in zip(range(25, 0, -1), _SWAPS.pick(rng), strict=True):
        letters[place], letters[partner] = letters[partner], letters[place]
    return Ordering(order, "".join(letters))


@config_cached
def _pools(config: WordSortingConfig) -> Pools[Any]:
    """One problem's draw: intro and format, then each word (unless they are drawn from a
    few initials, by :func:`draw_words`)."""
    phrasings = [(i, f.format(n=config.count)) for i in _INTROS for f in _FORMATS]
    words = [] if config.first_letters else [load_words("english_words")] * config.count
    return Pools([phrasings, *words])


class WordSorting(Task[WordSortingConfig]):
    name: ClassVar[str] = "word_sorting"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = "Sort words alphabetically, in reverse, by a custom alphabet."
    Config: ClassVar[type[TaskConfig]] = WordSortingConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = levels_with_counts(
        (4, 6, 8, 10, 12, 14, 17, 20, 24, 28)
    )
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: WordSortingConfig, rng: Random, index: int) -> Instance:
        (intro, answer_format), *words = _pools(config).pick(rng)
        if config.first_letters:
            words = draw_words(rng, config.count, config.first_letters)
        else:
            words = distinct(rng, words, load_words("english_words"))
        ordering = _ordering(config.order, rng)
        ordered = ordering.sort(words)
        while words == ordered:  # never list them presorted: copying the input must not score
            rng.shuffle(words)
        rule, listed = intro.format(rule=ordering.rule()), ", ".join(words)
        prompt = f"{rule}\n\nWords: {listed}\n\n{answer_format}\n\n{ANSWER_INSTRUCTION}"
        payload = {"words": words, "order": ordering.order, "alphabet": ordering.alphabet}
        return Instance(prompt, ", ".join(ordered), payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        ordering = Ordering(p["order"], p["alphabet"])
        ordered, comparisons = ordering.merge_sort(p["words"])
        lines = [f"Rule: sort {ordering.rule()}.", f"There are {len(ordered)} words."]
        lines.append(f"A merge sort ({comparisons} comparisons) gives this order:")
        lines += [f"{i}. {w}" for i, w in enumerate(ordered, start=1)]
        lines.append("Check each neighbouring pair:")
        lines += [
            f"- {a} before {b} ({ordering.explain(a, b)})"
            for a, b in zip(ordered, ordered[1:], strict=False)
        ]
        answer = ", ".join(ordered)
        lines.append(f"So the sorted list is: {answer}")
        return Solution(answer=answer, reasoning="\n".join(lines), stats={"effort": comparisons})

    def answer_space(self, problem: Problem) -> int:
        return factorial(len(problem.payload["words"]))

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        words = problem.payload["words"]
        guesses = {**super().trivial_answers(problem), "copy the input": ", ".join(words)}
        if problem.payload["order"] != "ascending":
            guesses["plain alphabetical order"] = ", ".join(sorted(words))
        return guesses

    def structural_key(self, problem: Problem) -> str:
        """The set of words (not their order of listing) and the rule."""
        p = problem.payload
        return digest([sorted(p["words"]), p["order"], p["alphabet"]])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return compare_lists(problem.answer.split(", "), read_words(answer))
