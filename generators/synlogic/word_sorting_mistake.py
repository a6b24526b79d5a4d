"""Word sorting mistake: find the first wrong step of an insertion-sort trace.

The trace starts with the first word; step k inserts word k+1 into the list shown after
step k-1. A step is correct when its list is exactly the previous *shown* list with the
word inserted at its right place. With probability ``mistake_rate`` (by default all but
the fair share 1/count of "none") one step, drawn uniformly, puts its word one place off,
so every answer is equally likely; later steps are then done correctly from the wrong
list, so the first wrong step is unique by construction, and the solver finds it by
replaying every step. The answer is that step's number or "none". Effort is the number of
steps checked.
"""

from __future__ import annotations

import re
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import normalize_text, parse_number
from generators.synlogic.word_sorting import (
    Order,
    Ordering,
    draw_ordering,
    draw_words,
    levels_with_counts,
)
from schemas.records import Problem

_NONE = {"none", "no mistake", "no mistakes", "no error", "no errors", "no wrong step"}
_STEP_PREFIX = re.compile(r"^(?:the first (?:wrong|mistaken) step is |step )")


def insertion_place(ordering: Ordering, shown: list[str], word: str) -> int:
    """Where ``word`` belongs in the sorted list ``shown`` (scanning from the front)."""
    return next(
        (pos for pos, other in enumerate(shown) if ordering.before(word, other)), len(shown)
    )


def placement(ordering: Ordering, shown: list[str], pos: int, word: str) -> str:
    """Why ``word`` goes at ``pos`` of ``shown``: its neighbours there and the letters deciding."""
    parts = []
    if pos > 0:
        parts.append(f"after {shown[pos - 1]} ({ordering.explain(shown[pos - 1], word)})")
    if pos < len(shown):
        parts.append(f"before {shown[pos]} ({ordering.explain(word, shown[pos])})")
    return " and ".join(parts)


class WordSortingMistakeConfig(TaskConfig):
    """Trace length, ordering rule, shared initial letters and the chance of a mistake."""

    count: int = Field(default=8, ge=3, le=40, description="words sorted in the trace")
    order: Order = Field(default="ascending", description="the sorting rule")
    first_letters: int = Field(
        default=0, ge=0, le=26, description="initial letters to draw words from (0: any)"
    )
    mistake_rate: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="chance that one step is wrong (default: 1 - 1/count, so 'none' is as "
        "likely as each step)",
    )


_INTROS = (
    "A student used insertion sort and wrote down every step, sorting some words {rule}.",
    "Below is a step-by-step insertion sort of a list of words, sorting them {rule}.",
    "Someone inserted these words one at a time into a growing sorted list, ordering them "
    "{rule}. Here is their work.",
)
_RULES = (
    "Step k takes the next word of the original list and inserts it into the list shown "
    "after step k-1 (the start list for step 1). A step is wrong if its list is not exactly "
    "that previous list with the new word put in its correct place. Later steps always "
    "continue from the list actually shown, even if it was wrong."
)
_QUESTIONS = (
    "Which is the first wrong step? Answer with its number, or 'none' if every step is correct.",
    "Find the first step that contains a mistake. Answer with the step number only, or 'none' "
    "if there is no mistake.",
    "Is there a mistake in this trace? Answer with the number of the first wrong step, or "
    "'none' if all steps are correct.",
)


class WordSortingMistake(Task[WordSortingMistakeConfig]):
    name: ClassVar[str] = "word_sorting_mistake"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = "Find the first wrong step in an insertion-sort trace of words."
    Config: ClassVar[type[TaskConfig]] = WordSortingMistakeConfig
    # The first wrong step is anywhere in the trace, so the steps checked vary widely within
    # a level; the word count rises steeply enough to keep effort rising level on level.
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = levels_with_counts(
        (4, 6, 8, 10, 12, 14, 17, 20, 24, 28)
    )

    def generate(self, config: WordSortingMistakeConfig, rng: Random, index: int) -> Instance:
        ordering = draw_ordering(config.order, rng)
        words = draw_words(rng, config.count, config.first_letters)
        wrong = self._wrong_step(config, rng, index)
        steps = [[words[0]]]
        for number, word in enumerate(words[1:], start=1):
            shown = steps[-1]
            pos = insertion_place(ordering, shown, word)
            if number == wrong:
                pos = rng.choice([p for p in (pos - 1, pos + 1) if 0 <= p <= len(shown)])
            steps.append([*shown[:pos], word, *shown[pos:]])
        lines = [f"Original list: {', '.join(words)}", f"Start: {words[0]}"]
        lines += [
            f"Step {n}: insert {words[n]} -> {', '.join(steps[n])}" for n in range(1, len(words))
        ]
        prompt = "\n\n".join(
            [
                rng.choice(_INTROS).format(rule=ordering.rule()),
                _RULES,
                "\n".join(lines),
                rng.choice(_QUESTIONS),
                ANSWER_INSTRUCTION,
            ]
        )
        payload = {"order": ordering.order, "alphabet": ordering.alphabet, "steps": steps}
        answer = "none" if wrong is None else str(wrong)
        return Instance(prompt=prompt, answer=answer, payload=payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        ordering, steps = Ordering(p["order"], p["alphabet"]), p["steps"]
        lines = [
            f"Rule: sort {ordering.rule()}.",
            "Replay each step from the list shown before it.",
        ]
        checked, answer = 0, "none"
        for number in range(1, len(steps)):
            checked += 1
            previous, shown = steps[number - 1], steps[number]
            (word,) = set(shown) - set(previous)
            pos = insertion_place(ordering, previous, word)
            where = placement(ordering, previous, pos, word)
            expected = [*previous[:pos], word, *previous[pos:]]
            if shown == expected:
                lines.append(f"Step {number}: {word} goes {where}. Correct.")
                continue
            lines.append(
                f"Step {number}: {word} goes {where}, so the list should be "
                f"{', '.join(expected)}, but the trace shows {', '.join(shown)}. Wrong."
            )
            answer = str(number)
            break
        lines.append(
            f"The first wrong step is step {answer}."
            if answer != "none"
            else "Every step is correct, so there is no mistake: none."
        )
        return Solution(answer=answer, reasoning="\n".join(lines), stats={"effort": checked})

    @staticmethod
    def _wrong_step(config: WordSortingMistakeConfig, rng: Random, index: int) -> int | None:
        """The first wrong step (None: no mistake). By default 'none' and each step are the
        answer equally often at every level, by :func:`balanced_choice` (a draw per problem
        strays by √n: at 200 problems a level it broke the audit's label tolerance one build
        in seven); with a ``mistake_rate``, a coin of that bias."""
        if config.mistake_rate is None:
            return balanced_choice(index, config.count, salt=0.53) or None
        return rng.randrange(1, config.count) if rng.random() < config.mistake_rate else None

    def labels(self, problem: Problem) -> tuple[str, ...]:
        """'none' or a step number."""
        return ("none", *(str(step) for step in range(1, len(problem.payload["steps"]))))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        text = _STEP_PREFIX.sub("", normalize_text(answer))
        if not text:
            raise AnswerFormatError("empty answer")
        if text in _NONE:
            given = "none"
        else:
            value = parse_number(text)
            if value.denominator != 1:
                raise AnswerFormatError(f"{text[:30]!r} is not a step number")
            given = str(value.numerator)
        if given == problem.answer:
            return 1.0, "correct"
        return 0.0, f"answered {given}, expected {problem.answer}"
