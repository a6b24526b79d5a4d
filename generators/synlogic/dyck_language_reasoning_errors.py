"""Dyck language reasoning errors: find the wrong thoughts in a stack trace.

A prefix of a balanced sequence is traced thought by thought (one per character, then
the completion); a few thoughts get an injected mistake: a bracket dropped from or
added to the stack, a bracket of the wrong type, the wrong bracket popped, a misread
character, or a wrong completion. The set of wrong thoughts is drawn uniformly among all
sets of at most ``max_errors`` thoughts, so no set (and not the empty one, 'none') is a
likely guess. Each thought is judged against a correct scan, not
against earlier thoughts, so the wrong set is unique and found by replaying the scan.
Effort is the number of thoughts checked.
"""

from __future__ import annotations

import re
from math import comb
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import AnswerFormatError, Instance, Solution, Task
from generators.canonical import digest
from generators.synlogic.dyck import (
    CLOSER_OF,
    CLOSERS,
    OPENER_OF,
    OPENERS,
    PrefixConfig,
    closing_of,
    compose_prompt,
    random_walk,
    spaced,
    stack_text,
    type_relabelling,
)
from generators.synlogic.normalize import normalize_text, parse_number, split_list
from schemas.records import Problem

Thought = dict[str, Any]


class DyckLanguageReasoningErrorsConfig(PrefixConfig):
    length: int = Field(default=20, ge=2, le=100, description="characters in the prefix")
    depth: int = Field(default=4, ge=1, le=20, description="brackets still open after it")
    types: int = Field(default=4, ge=1, le=4, description="bracket pairs used: ( [ { <")
    max_errors: int = Field(default=3, ge=0, le=10, description="most wrong thoughts")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"length": 8, "depth": 2, "types": 2, "max_errors": 2},
    2: {"length": 10, "depth": 2, "types": 2, "max_errors": 2},
    3: {"length": 11, "depth": 3, "types": 3, "max_errors": 2},
    4: {"length": 14, "depth": 2, "types": 3, "max_errors": 2},
    5: {"length": 18, "depth": 2, "types": 4, "max_errors": 2},
    6: {"length": 23, "depth": 3, "types": 4, "max_errors": 3},
    7: {"length": 28, "depth": 4, "types": 4, "max_errors": 3},
    8: {"length": 34, "depth": 4, "types": 4, "max_errors": 4},
    9: {"length": 41, "depth": 5, "types": 4, "max_errors": 4},
    10: {"length": 50, "depth": 6, "types": 4, "max_errors": 5},
}

_INTROS = (
    "A student was asked for the shortest closing sequence that balances a bracket prefix "
    "(pairs ( ), [ ], { }, < >) and wrote down the numbered thoughts below.",
    "Here is a bracket prefix and a step-by-step stack trace someone wrote while completing it.",
    "Check the following reasoning about completing a bracket sequence.",
)
_RULES = (
    "Thought i (for i = 1..{n}) handles character i: it is correct when it names that "
    "character, pushes it if it is an opening bracket or pops the matching opening bracket "
    "if it is a closing one, and lists exactly the stack a correct scan has after that "
    "character (bottom to top). Thought {last} is correct when it gives exactly the shortest "
    "closing sequence. Judge every thought against a correct scan of the sequence, not "
    "against earlier thoughts: a mistake is not carried forward."
)
_QUESTIONS = (
    "Which thoughts are wrong?",
    "List the numbers of all incorrect thoughts.",
    "Identify every thought that contains a mistake.",
)
_FORMAT = (
    "Answer with the thought numbers in increasing order, separated by commas (for example: "
    "3, 7), or with the word none if every thought is correct."
)
_NONE = frozenset({"none", "no errors", "no error", "no mistakes", "all correct"})
_LABEL = re.compile(r"\b(?:thoughts?|steps?)\b|#", re.IGNORECASE)


def correct_thoughts(prefix: str) -> list[Thought]:
    """The thoughts a correct scan writes: one per character, then the completion."""
    stack: list[str] = []
    thoughts: list[Thought] = []
    for char in prefix:
        popped = None
        if char in CLOSER_OF:
            stack.append(char)
        else:
            popped = stack.pop()
        thoughts.append({"char": char, "popped": popped, "stack": stack_text(stack)})
    thoughts.append({"completion": spaced(closing_of(stack))})
    return thoughts


def render(number: int, thought: Thought) -> str:
    if "completion" in thought:
        return (
            f"Thought {number}: the prefix is over; closing the stack from the top needs: "
            f"{thought['completion']}"
        )
    char = thought["char"]
    action = "push it" if thought["popped"] is None else f"pop '{thought['popped']}'"
    return f"Thought {number}: we see '{char}', {action} -> stack: {thought['stack']}"


def _other(rng: Random, choices: str, current: str) -> str:
    return rng.choice([c for c in choices if c != current])


def _mistake(rng: Random, thought: Thought) -> Thought:
    """A copy of ``thought`` that differs from it in one detail."""
    if "completion" in thought:
        closers = thought["completion"].split()
        spot = rng.randrange(len(closers))
        if rng.random() < 0.5 and len(closers) > 1:
            del closers[spot]
        else:
            closers[spot] = _other(rng, CLOSERS, closers[spot])
        return {"completion": " ".join(closers)}
    stack = [] if thought["stack"] == "empty" else thought["stack"].split()
    changed = dict(thought)
    kind = rng.choice(["drop", "swap", "extra", "misread", "popped"])
    if kind == "popped" and thought["popped"] is not None:
        changed["popped"] = _other(rng, OPENERS, thought["popped"])
    elif kind == "misread":
        char = thought["char"]
        changed["char"] = _other(rng, CLOSERS if char in OPENER_OF else OPENERS, char)
    elif kind == "drop" and stack:
        del stack[rng.randrange(len(stack))]
    elif kind == "swap" and stack:
        spot = rng.randrange(len(stack))
        stack[spot] = _other(rng, OPENERS, stack[spot])
    else:
        stack.append(rng.choice(OPENERS))
    changed["stack"] = stack_text(stack)
    return changed


def _wrong_set(rng: Random, size: int, most: int) -> list[int]:
    """A set of at most ``most`` of ``size`` spots, uniform over all such sets: its size is
    weighted by how many sets have it."""
    sizes = range(min(most, size) + 1)
    count = rng.choices(sizes, weights=[comb(size, k) for k in sizes])[0]
    return rng.sample(range(size), count)


def wrong_numbers(prefix: str, thoughts: list[Thought]) -> list[int]:
    """Replay: the 1-based numbers of thoughts that differ from a correct scan."""
    truth = correct_thoughts(prefix)
    return [i for i, (got, want) in enumerate(zip(thoughts, truth, strict=True), 1) if got != want]


def _format(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers)) if numbers else "none"


def _parse_numbers(answer: str) -> set[int]:
    if not answer.strip():
        raise AnswerFormatError("the answer is empty")
    if normalize_text(answer) in _NONE or answer.strip() == "[]":
        return set()
    numbers = set()
    for item in split_list(_LABEL.sub(" ", answer)):
        for token in item.split():
            value = parse_number(token)
            if value.denominator != 1:
                raise AnswerFormatError(f"{token[:20]!r} is not a whole number")
            numbers.add(int(value))
    if not numbers:
        raise AnswerFormatError("no thought numbers found")
    return numbers


class DyckLanguageReasoningErrors(Task[DyckLanguageReasoningErrorsConfig]):
    """Which thoughts of a bracket-scan trace are wrong."""

    name: ClassVar[str] = "dyck_language_reasoning_errors"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Dyck language reasoning errors: list the wrong thoughts of a numbered stack trace "
        "that completes a bracket prefix (or none); the set is fixed by replaying the scan."
    )
    Config = DyckLanguageReasoningErrorsConfig
    LEVELS = LEVELS

    def generate(
        self, config: DyckLanguageReasoningErrorsConfig, rng: Random, index: int
    ) -> Instance:
        prefix = random_walk(rng, config.length, config.depth, config.types)
        thoughts = correct_thoughts(prefix)
        for spot in _wrong_set(rng, len(thoughts), config.max_errors):
            thoughts[spot] = _mistake(rng, thoughts[spot])
        trace = "\n".join(render(i, t) for i, t in enumerate(thoughts, 1))
        rules = _RULES.format(n=len(prefix), last=len(thoughts))
        body = f"Prefix: {spaced(prefix)}\n\n{trace}\n\n{rules}"
        return Instance(
            prompt=compose_prompt(rng, _INTROS, body, _QUESTIONS, _FORMAT),
            answer=_format(wrong_numbers(prefix, thoughts)),
            payload={"prefix": prefix, "thoughts": thoughts},
        )

    def solve(self, problem: Problem) -> Solution:
        prefix, thoughts = problem.payload["prefix"], problem.payload["thoughts"]
        truth = correct_thoughts(prefix)
        lines = ["I replay the scan myself and compare every thought with it."]
        run: list[int] = []
        for number, (got, want) in enumerate(zip(thoughts, truth, strict=True), 1):
            if got == want:
                run.append(number)
                continue
            if run:
                lines.append(_correct_run(run, truth))
                run = []
            lines.append(f"{render(number, got)} -- wrong; it should read: {render(number, want)}")
        if run:
            lines.append(_correct_run(run, truth))
        wrong = wrong_numbers(prefix, thoughts)
        lines.append(f"Wrong thoughts: {_format(wrong)}.")
        return Solution(
            answer=_format(wrong),
            reasoning="\n".join(lines),
            stats={"effort": len(thoughts), "wrong": len(wrong)},
        )

    def answer_space(self, problem: Problem) -> int:
        """Any subset of the thoughts ('none' being the empty one)."""
        return 2 ** len(problem.payload["thoughts"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        numbers = list(range(1, len(problem.payload["thoughts"]) + 1))
        return {
            **super().trivial_answers(problem),
            "none": "none",
            "the last thought": str(numbers[-1]),
            "every thought": _format(numbers),
        }

    def structural_key(self, problem: Problem) -> str:
        """Prefix and thoughts with the bracket types renamed canonically."""
        p = problem.payload
        texts = [v for thought in p["thoughts"] for v in thought.values() if isinstance(v, str)]
        table = type_relabelling(p["prefix"] + "".join(texts))
        thoughts = [
            {k: v.translate(table) if isinstance(v, str) else v for k, v in thought.items()}
            for thought in p["thoughts"]
        ]
        return digest([p["prefix"].translate(table), thoughts])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        given = _parse_numbers(answer)
        wrong = set(wrong_numbers(problem.payload["prefix"], problem.payload["thoughts"]))
        if given == wrong:
            return 1.0, "exactly the wrong thoughts"
        if given - wrong:
            return 0.0, f"thought {min(given - wrong)} is not wrong"
        return 0.0, f"thought {min(wrong - given)} is wrong but not listed"


def _correct_run(run: list[int], truth: list[Thought]) -> str:
    last = truth[run[-1] - 1]
    state = f"stack {last['stack']}" if "stack" in last else f"completion {last['completion']}"
    span = f"Thought {run[0]}" if len(run) == 1 else f"Thoughts {run[0]}-{run[-1]}"
    return f"{span}: correct (after thought {run[-1]}: {state})."
