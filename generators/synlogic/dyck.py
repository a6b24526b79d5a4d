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
from generators.canonical import first_seen

OPENERS = "([{<"
CLOSERS = ")]}>"
CLOSER_OF = dict(zip(OPENERS, CLOSERS, strict=True))
OPENER_OF = dict(zip(CLOSERS, OPENERS, strict=True))
BRACKETS = frozenset(OPENERS + CLOSERS)
_SEPARATORS = str.maketrans("", "", " \t\r\n,;")


def type_relabelling(text: str) -> dict[int, str]:
    """A ``str.translate`` table renaming bracket types in order of first appearance in
    ``text`` (``<[]>`` → ``([])``): types are interchangeable, so this keeps the structure."""
    ranks = first_seen(OPENER_OF.get(ch, ch) for ch in text if ch in BRACKETS)
    table = {opener: OPENERS[rank] for opener, rank in ranks.items()}
    table.update({CLOSER_OF[opener]: CLOSERS[rank] for opener, rank in ranks.items()})
    return str.maketrans(table)


def canonical_brackets(text: str) -> str:
    return text.translate(type_relabelling(text))


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

    Stops at the first closer that cannot be matched, explaining why. Each line shows the
    whole stack, so this is quadratic in the depth: for the solver's traces only.
    """
    lines: list[str] = []
    return lines, _scan(sequence, lines)


def scan(sequence: str) -> Scan:
    """Stack-check ``sequence`` and stop at the first closer that cannot be matched; linear
    in its length, so safe on any answer."""
    return _scan(sequence, None)


def _scan(sequence: str, lines: list[str] | None) -> Scan:
    """The scan, appending a line per character read to ``lines`` unless it is None."""
    stack: list[str] = []
    for position, char in enumerate(sequence, start=1):
        if char in CLOSER_OF:
            stack.append(char)
            step = f"'{char}' opens"
        elif stack and stack[-1] == OPENER_OF[char]:
            stack.pop()
            step = f"'{char}' closes '{OPENER_OF[char]}'"
        else:
            if lines is not None:
                lines.append(f"{position}. '{char}' cannot close anything: {_blocker(stack)}.")
            return Scan(position, tuple(stack), position)
        if lines is not None:
            lines.append(f"{position}. {step} -> stack: {stack_text(stack)}")
    return Scan(None, tuple(stack), len(sequence))


def _blocker(stack: Sequence[str]) -> str:
    return f"the top '{stack[-1]}' needs '{CLOSER_OF[stack[-1]]}'" if stack else "nothing is open"


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
