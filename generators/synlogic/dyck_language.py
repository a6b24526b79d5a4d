"""Dyck language: complete a prefix of a balanced bracket sequence.

The prefix is a random walk that never goes wrong and ends with ``depth`` brackets
open; the shortest completion closes them innermost first, so it is unique (any other
completion is longer). Effort is the characters scanned plus the closers written.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, Task
from generators.canonical import digest
from generators.synlogic.dyck import (
    PrefixConfig,
    canonical_brackets,
    closing_of,
    compose_prompt,
    parse_brackets,
    random_walk,
    scan,
    scan_lines,
    spaced,
    stack_text,
)
from schemas.records import Problem


class DyckLanguageConfig(PrefixConfig):
    length: int = Field(default=20, ge=2, le=120, description="characters in the prefix")
    depth: int = Field(default=4, ge=1, le=30, description="brackets still open after it")
    types: int = Field(default=4, ge=1, le=4, description="bracket pairs used: ( [ { <")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"length": 6, "depth": 2, "types": 2},
    2: {"length": 9, "depth": 3, "types": 2},
    3: {"length": 13, "depth": 3, "types": 3},
    4: {"length": 18, "depth": 4, "types": 3},
    5: {"length": 24, "depth": 4, "types": 4},
    6: {"length": 31, "depth": 5, "types": 4},
    7: {"length": 38, "depth": 6, "types": 4},
    8: {"length": 46, "depth": 6, "types": 4},
    9: {"length": 55, "depth": 7, "types": 4},
    10: {"length": 66, "depth": 8, "types": 4},
}

_INTROS = (
    "Here is the beginning of a bracket sequence over the pairs ( ), [ ], { } and < >.",
    "A sequence of brackets has been cut off before all of its brackets were closed.",
    "Consider this unfinished bracket sequence (pairs: ( ), [ ], { }, < >).",
)
_QUESTIONS = (
    "Which closing brackets must be appended, in order, so that every bracket is closed "
    "by its own type in the correct nesting order? Give the shortest such completion.",
    "Complete the sequence so that it becomes properly balanced and nested, using as few "
    "characters as possible. What do you append?",
    "What is the shortest sequence of closing brackets that makes the whole sequence "
    "correctly balanced?",
)
_FORMAT = (
    "Answer with only the closing brackets to append, in order, separated by spaces "
    "(for example: ] ) >)."
)


class DyckLanguage(Task[DyckLanguageConfig]):
    """Complete a bracket-sequence prefix with its unique shortest closing sequence."""

    name: ClassVar[str] = "dyck_language"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Dyck language: append the shortest sequence of closing brackets that balances a "
        "given prefix over ( ) [ ] { } < >; the completion is unique."
    )
    Config = DyckLanguageConfig
    LEVELS = LEVELS

    def generate(self, config: DyckLanguageConfig, rng: Random, index: int) -> Instance:
        prefix = random_walk(rng, config.length, config.depth, config.types)
        return Instance(
            prompt=compose_prompt(rng, _INTROS, f"Sequence: {spaced(prefix)}", _QUESTIONS, _FORMAT),
            answer=spaced(closing_of(scan(prefix).stack)),
            payload={"prefix": prefix},
        )

    def solve(self, problem: Problem) -> Solution:
        prefix = problem.payload["prefix"]
        steps, result = scan_lines(prefix)
        lines = ["I read the prefix left to right, keeping a stack of open brackets.", *steps]
        stack = result.stack
        completion = closing_of(stack)
        lines.append(
            f"The prefix ends with {len(stack)} open brackets, bottom to top: {stack_text(stack)}. "
            f"Closing them from the top gives: {spaced(completion)}"
        )
        return Solution(
            answer=spaced(completion),
            reasoning="\n".join(lines),
            stats={"effort": len(prefix) + len(completion), "depth": len(stack)},
        )

    def structural_key(self, problem: Problem) -> str:
        return digest(canonical_brackets(problem.payload["prefix"]))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        prefix = problem.payload["prefix"]
        text = parse_brackets(answer)
        expected = closing_of(scan(prefix).stack)
        if text in (expected, prefix + expected):
            return 1.0, "correct completion"
        result = scan(prefix + text)
        if result.error is not None:
            return 0.0, f"character {result.error} of the completed sequence does not match"
        if result.stack:
            return 0.0, f"{len(result.stack)} brackets are still open"
        return 0.0, "balanced, but not the shortest completion"
