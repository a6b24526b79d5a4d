"""Parsing untrusted answers: one linear scan into word tokens, then small checks.

Node names are single ASCII alphanumeric words (see :mod:`.names`), so every separator
a model might write (commas, arrows, dashes, brackets, newlines) is simply skipped. No
regex here can backtrack: the only one matches runs of one character class.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from generators.base import AnswerFormatError
from generators.synlogic.normalize import normalize_text, parse_number

_WORD = re.compile(r"[A-Za-z0-9]+")
MAX_VALUE_DIGITS = 12
_YES = frozenset({"yes", "true"})
_NO = frozenset({"no", "false"})


def tokens(text: str, limit: int) -> list[str]:
    """The casefolded ASCII words of ``text``; more than ``limit`` is a format error."""
    found = []
    for match in _WORD.finditer(text):
        if len(found) == limit:
            raise AnswerFormatError(f"more than {limit} items")
        found.append(match.group().casefold())
    if not found:
        raise AnswerFormatError("no names or numbers found")
    return found


def name_index(names: Sequence[str]) -> dict[str, int]:
    return {name.casefold(): i for i, name in enumerate(names)}


def node_sequence(text: str, names: Sequence[str], limit: int) -> list[int]:
    """Node indices of a sequence of names ("A -> B -> C", "A, B, C"); at most ``limit``."""
    index = name_index(names)
    nodes = []
    for token in tokens(text, limit):
        if token not in index:
            raise AnswerFormatError(f"{token[:30]!r} is not one of the names")
        nodes.append(index[token])
    return nodes


def node_pairs(text: str, names: Sequence[str], limit: int) -> list[tuple[int, int]]:
    """Pairs of names ("A-x, B-y"), at most ``limit`` pairs."""
    nodes = node_sequence(text, names, 2 * limit)
    if len(nodes) % 2:
        raise AnswerFormatError("the names do not come in pairs")
    return list(zip(nodes[::2], nodes[1::2], strict=True))


def assignment(text: str, names: Sequence[str]) -> dict[int, int]:
    """``name = number`` pairs ("A=1, B: 2"); each name at most once."""
    index, found = name_index(names), {}
    words = tokens(text, 2 * len(names))
    if len(words) % 2:
        raise AnswerFormatError("expected pairs of a name and a number")
    for name, value in zip(words[::2], words[1::2], strict=True):
        if name not in index:
            raise AnswerFormatError(f"{name[:30]!r} is not one of the names")
        if not value.isdigit() or len(value) > MAX_VALUE_DIGITS:
            raise AnswerFormatError(f"{value[:30]!r} is not a whole number")
        if index[name] in found:
            raise AnswerFormatError(f"{names[index[name]]} is given twice")
        found[index[name]] = int(value)
    return found


def integer(text: str) -> int:
    """A whole number (digits, thousands separators or a small number word)."""
    value = parse_number(text)
    if value.denominator != 1:
        raise AnswerFormatError(f"{text.strip()[:40]!r} is not a whole number")
    return int(value)


def yes_no(text: str) -> str:
    word = normalize_text(text)
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    raise AnswerFormatError(f"expected yes or no, got {text.strip()[:40]!r}")


def score_number(answer: str, expected: int) -> tuple[float, str]:
    given = integer(answer)
    if given == expected:
        return 1.0, "correct"
    return 0.0, f"answered {given}, expected {expected}"


def score_yes_no(answer: str, expected: str) -> tuple[float, str]:
    given = yes_no(answer)
    if given == expected:
        return 1.0, "correct"
    return 0.0, f"answered {given}, expected {expected}"
