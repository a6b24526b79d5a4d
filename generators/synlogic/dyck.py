"""Bracket utilities shared by the Dyck-language tasks.

Four bracket pairs ``()``, ``[]``, ``{}``, ``<>``; random balanced sequences and
prefixes drawn from a :class:`random.Random`; and a stack scan that reports the first
position where a sequence goes wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from random import Random

from pydantic import model_validator

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError, TaskConfig

OPENERS = "([{<"
CLOSERS = ")]}>"
CLOSER_OF = dict(zip(OPENERS, CLOSERS, strict=True))
OPENER_OF = dict(zip(CLOSERS, OPENERS, strict=True))
BRACKETS = frozenset(OPENERS + CLOSERS)
_SEPARATORS = str.maketrans("", "", " \t\r\n,;")


def random_walk(rng: Random, length: int, end_depth: int, types: int) -> str:
    """A random prefix of ``length`` characters, never invalid, ending with ``end_depth`` open.

    Each step opens or closes with even odds whenever both moves can still reach
    ``end_depth``; closers always match the innermost open bracket.
    """
    if end_depth > length or (length - end_depth) % 2:
        raise ValueError(f"no walk of length {length} ends at depth {end_depth}")
    openers = OPENERS[:types]
    stack: list[str] = []
    out: list[str] = []
    for step in range(length):
        left = length - step - 1
        can_open = len(stack) + 1 - end_depth <= left
        can_close = bool(stack) and abs(len(stack) - 1 - end_depth) <= left
        if can_open and (not can_close or rng.random() < 0.5):
            opener = rng.choice(openers)
            stack.append(opener)
            out.append(opener)
        else:
            out.append(CLOSER_OF[stack.pop()])
    return "".join(out)


class PrefixConfig(TaskConfig):
    """Base of configs with ``length`` and ``depth`` knobs for :func:`random_walk`."""

    length: int
    depth: int

    @model_validator(mode="after")
    def _walk_exists(self) -> PrefixConfig:
        if self.depth > self.length or (self.length - self.depth) % 2:
            raise ValueError("length must be at least depth and have the same parity")
        return self


def random_balanced(rng: Random, length: int, types: int) -> str:
    """A random balanced sequence of ``length`` (even) characters over ``types`` pairs."""
    return random_walk(rng, length, 0, types)


@dataclass(frozen=True)
class Scan:
    """The result of reading a sequence left to right with a stack.

    ``error`` is the 1-based position of the first closer that does not match (or
    arrives with nothing open), None when there is none; ``stack`` is the open brackets
    when the scan stopped (at the error or at the end); ``steps`` counts characters read.
    """

    error: int | None
    stack: tuple[str, ...]
    steps: int

    @property
    def balanced(self) -> bool:
        return self.error is None and not self.stack


def scan_lines(sequence: str) -> tuple[list[str], Scan]:
    """A readable line per character read ("3. ']' closes '[' -> stack: ( {") and the scan.

    Stops at the first closer that cannot be matched, explaining why.
    """
    lines: list[str] = []
    stack: list[str] = []
    for position, char in enumerate(sequence, start=1):
        if char in CLOSER_OF:
            stack.append(char)
            lines.append(f"{position}. '{char}' opens -> stack: {stack_text(stack)}")
        elif stack and stack[-1] == OPENER_OF[char]:
            stack.pop()
            lines.append(
                f"{position}. '{char}' closes '{OPENER_OF[char]}' -> stack: {stack_text(stack)}"
            )
        else:
            need = (
                f"the top '{stack[-1]}' needs '{CLOSER_OF[stack[-1]]}'"
                if stack
                else "nothing is open"
            )
            lines.append(f"{position}. '{char}' cannot close anything: {need}.")
            return lines, Scan(position, tuple(stack), position)
    return lines, Scan(None, tuple(stack), len(sequence))


def scan(sequence: str) -> Scan:
    """Stack-check ``sequence`` and stop at the first closer that cannot be matched."""
    return scan_lines(sequence)[1]


def closing_of(stack: Sequence[str]) -> str:
    """The shortest text that closes ``stack`` (innermost first)."""
    return "".join(CLOSER_OF[opener] for opener in reversed(stack))


def stack_text(stack: Sequence[str]) -> str:
    """The stack bottom to top, space separated, or 'empty'."""
    return " ".join(stack) if stack else "empty"


def spaced(sequence: str) -> str:
    return " ".join(sequence)


def parse_brackets(answer: str) -> str:
    """Bracket characters of an answer, separators (spaces, commas) removed.

    Raises :class:`AnswerFormatError` on any other character or on an empty answer.
    """
    text = answer.translate(_SEPARATORS).strip("\"'`")
    if not text:
        raise AnswerFormatError("the answer holds no brackets")
    stray = sorted({char for char in text if char not in BRACKETS})
    if stray:
        raise AnswerFormatError(f"unexpected characters {''.join(stray)[:20]!r}")
    return text


def compose_prompt(
    rng: Random, intros: Sequence[str], body: str, questions: Sequence[str], answer_format: str
) -> str:
    """Intro, body, question (phrasings drawn with ``rng``), answer format and instruction."""
    intro, question = rng.choice(intros), rng.choice(questions)
    return f"{intro}\n\n{body}\n\n{question} {answer_format}\n\n{ANSWER_INSTRUCTION}"
