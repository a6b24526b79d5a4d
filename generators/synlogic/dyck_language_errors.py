"""Dyck language errors: find the first position where a bracket sequence goes wrong.

A random balanced sequence gets one corruption: the position of the first error is drawn
first, uniformly over the whole sequence, then a closer there is replaced by one of another
type or a closer that matches nothing is inserted there; at a fair share (one chance in as
many as there are positions) closers are dropped from the end instead.
The answer is computed by a stack scan, so it is unique: the 1-based position of the first
closer that matches nothing, or length + 1 when the sequence only ends with brackets open.
Effort is the characters scanned.
"""

from __future__ import annotations

import re
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import AnswerFormatError, Instance, Solution, Task, TaskConfig
from generators.canonical import digest
from generators.synlogic.dyck import (
    CLOSER_OF,
    CLOSERS,
    canonical_brackets,
    compose_prompt,
    random_balanced,
    scan,
    scan_lines,
    spaced,
    stack_text,
)
from generators.synlogic.normalize import parse_number
from schemas.records import Problem


class DyckLanguageErrorsConfig(TaskConfig):
    length: int = Field(default=30, ge=4, le=200, description="length of the sound sequence")
    types: int = Field(default=4, ge=1, le=4, description="bracket pairs used: ( [ { <")
    spacing: float = Field(
        default=0.5, ge=0.0, le=1.0, description="chance the sequence is shown with spaces"
    )


# Lengths grow by about a third a level: the error may be anywhere in the sequence, so the
# characters read vary widely within a level and only a steep rise keeps effort rising.
LEVELS: dict[int, dict[str, Any]] = {
    1: {"length": 8, "types": 2},
    2: {"length": 12, "types": 2},
    3: {"length": 18, "types": 3},
    4: {"length": 26, "types": 3},
    5: {"length": 36, "types": 4},
    6: {"length": 48, "types": 4},
    7: {"length": 62, "types": 4},
    8: {"length": 80, "types": 4},
    9: {"length": 100, "types": 4},
    10: {"length": 124, "types": 4},
}

_INTROS = (
    "Below is a sequence of brackets over the pairs ( ), [ ], { } and < >. It is not "
    "correctly balanced.",
    "The following bracket sequence contains a mistake.",
    "Someone tried to write a properly nested bracket sequence but made an error.",
)
_RULES = (
    "Read the sequence from left to right. Each closing bracket must match the most recent "
    "opening bracket that is still open; the sequence becomes invalid at the first closing "
    "bracket that does not (including a closing bracket when nothing is open). Positions "
    "count bracket characters only, starting at 1."
)
_QUESTIONS = (
    "At which position does the sequence first become invalid?",
    "What is the position of the first character that breaks the sequence?",
    "Find the first position where the sequence goes wrong.",
)
_FORMAT = (
    "If every closing bracket matches but some brackets are never closed, the error is at "
    "the end: answer {end} (the length plus one). Answer with a single whole number."
)
_INTEGER = re.compile(r"[+-]?\d+")
_WORD = re.compile(r"[^\W\d_]+")
# The words a short phrase around the number may hold ("Position 7", "the 7th", "It is at
# position 7"): any other word ("not 7", "7 is wrong") may say something else than 7.
_PHRASE_WORDS = frozenset(
    {
        "the",
        "first",
        "error",
        "is",
        "at",
        "position",
        "pos",
        "index",
        "character",
        "char",
        "symbol",
        "answer",
        "it",
        "s",
        "st",
        "nd",
        "rd",
        "th",
    }
)


def _corrupt(rng: Random, sound: str, types: int) -> str:
    """One corruption of ``sound`` whose first error is uniform over its positions, the end
    included, so that no position is a likely guess."""
    spots = range(len(sound) + 1)
    if rng.randrange(len(spots) + 1) == 0:
        trailing = len(sound) - len(sound.rstrip(CLOSERS))
        return sound[: len(sound) - rng.randint(1, min(3, trailing))]
    options = [_breakings(sound, spot, types) for spot in spots]
    return rng.choice(rng.choice([found for found in options if found]))


def _breakings(sound: str, spot: int, types: int) -> list[str]:
    """Every corruption of ``sound`` whose first error is at 0-based ``spot``: a closer
    inserted there that does not close the innermost open bracket, or the closer there
    replaced by another type."""
    stack = scan(sound[:spot]).stack
    needed = CLOSER_OF[stack[-1]] if stack else None
    head, tail = sound[:spot], sound[spot:]
    found = [head + closer + tail for closer in CLOSERS[:types] if closer != needed]
    if tail and tail[0] in CLOSERS:
        found += [head + closer + tail[1:] for closer in CLOSERS[:types] if closer != tail[0]]
    return found


def _first_error(sequence: str) -> int:
    result = scan(sequence)
    return result.error if result.error is not None else len(sequence) + 1


class DyckLanguageErrors(Task[DyckLanguageErrorsConfig]):
    """The first invalid position of a corrupted bracket sequence."""

    name: ClassVar[str] = "dyck_language_errors"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Dyck language errors: give the 1-based position where a corrupted bracket sequence "
        "first becomes invalid (length + 1 when it only leaves brackets open)."
    )
    Config = DyckLanguageErrorsConfig
    LEVELS = LEVELS

    def generate(self, config: DyckLanguageErrorsConfig, rng: Random, index: int) -> Instance:
        sequence = _corrupt(rng, random_balanced(rng, config.length, config.types), config.types)
        shown = spaced(sequence) if rng.random() < config.spacing else sequence
        body = f"Sequence ({len(sequence)} characters): {shown}\n\n{_RULES}"
        answer_format = _FORMAT.format(end=len(sequence) + 1)
        return Instance(
            prompt=compose_prompt(rng, _INTROS, body, _QUESTIONS, answer_format),
            answer=str(_first_error(sequence)),
            payload={"sequence": sequence},
        )

    def solve(self, problem: Problem) -> Solution:
        sequence = problem.payload["sequence"]
        steps, result = scan_lines(sequence)
        lines = ["I scan left to right with a stack of open brackets.", *steps]
        if result.error is None:
            lines.append(
                f"Every closer matched, but the sequence ends with {stack_text(result.stack)} "
                f"still open, so the error is at the end: position {len(sequence) + 1}."
            )
        else:
            lines.append(f"The sequence first becomes invalid at position {result.error}.")
        return Solution(
            answer=str(_first_error(sequence)),
            reasoning="\n".join(lines),
            stats={"effort": result.steps},
        )

    def answer_space(self, problem: Problem) -> int:
        """Positions 1 to the length plus one (the end)."""
        return len(problem.payload["sequence"]) + 1

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        end = str(len(problem.payload["sequence"]) + 1)
        return {**super().trivial_answers(problem), "the end": end}

    def structural_key(self, problem: Problem) -> str:
        return digest(canonical_brackets(problem.payload["sequence"]))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        value = _parse_position(answer)
        sequence = problem.payload["sequence"]
        expected = _first_error(sequence)
        if not 1 <= value <= len(sequence) + 1:
            return 0.0, f"position {value} is outside 1..{len(sequence) + 1}"
        if value == expected:
            return 1.0, "correct position"
        if value < expected:
            return 0.0, f"the sequence is still valid at position {value}"
        return 0.0, f"position {value} is after the first error"


def _parse_position(answer: str) -> int:
    """A whole number, written alone or as the only number in a short phrase of
    :data:`_PHRASE_WORDS`."""
    try:
        value = parse_number(answer)
    except AnswerFormatError:
        found = _INTEGER.findall(answer)
        if len(found) != 1 or len(answer) > 80:
            raise
        if any(word not in _PHRASE_WORDS for word in _WORD.findall(answer.lower())):
            raise AnswerFormatError(f"{answer.strip()[:40]!r} is not just a position") from None
        value = parse_number(found[0])
    if value.denominator != 1:
        raise AnswerFormatError(f"{answer.strip()[:40]!r} is not a whole number")
    return int(value)
