"""Normalising natural-language answers before comparison (numbers, names, lists).

A correct answer must not fail on formatting: case, surrounding whitespace and quotes,
trailing full stops, list separators and number formats ("1,234", "1 234", "12.50",
"-3", "3/4", "twelve") are all normalised here, in one place.

Everything here runs in time linear in the text: a number longer than
:data:`MAX_NUMBER_CHARS` is refused before any conversion (``int()`` of a long digit run
is quadratic, and raises ``ValueError`` past 4300 digits), and the list separators are
matched without surrounding whitespace (``\\s*`` around them backtracks quadratically
over a long run of spaces; the items are stripped anyway).
"""

from __future__ import annotations

import re
from fractions import Fraction

from generators.base import AnswerFormatError

SMALL_NUMBERS = [
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
MAX_NUMBER_CHARS = 100
"""Longer texts are not one number of any task's answer."""
_WORD_VALUE = {word: value for value, word in enumerate(SMALL_NUMBERS)}
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?")
_LIST_SEPARATORS = re.compile(r"[,;\n]|\band\b", re.IGNORECASE)
_EDGE_PUNCTUATION = "\"'`“”‘’.!?:;()[]{} \t\n"


def normalize_text(text: str) -> str:
    """Casefolded, whitespace collapsed, surrounding quotes/brackets/full stops removed."""
    return " ".join(text.strip().strip(_EDGE_PUNCTUATION).split()).casefold()


def parse_number(text: str) -> Fraction:
    """A number written as digits (thousands separators, decimals, fractions) or 0..20 in words.

    Raises :class:`AnswerFormatError` when the text is not one number.
    """
    cleaned = normalize_text(text).replace("−", "-")
    if len(cleaned) > MAX_NUMBER_CHARS:
        raise AnswerFormatError(f"a number of more than {MAX_NUMBER_CHARS} characters")
    if cleaned.isdecimal() and cleaned.isascii():  # the common case, without the regex
        return Fraction(int(cleaned))
    if cleaned in _WORD_VALUE:
        return Fraction(_WORD_VALUE[cleaned])
    if not _NUMBER.fullmatch(cleaned):
        raise AnswerFormatError(f"{text.strip()[:40]!r} is not a number")
    numerator, _, denominator = cleaned.replace(",", "").replace(" ", "").partition("/")
    value = Fraction(numerator)
    if denominator:
        if int(denominator) == 0:
            raise AnswerFormatError(f"{text.strip()[:40]!r} divides by zero")
        value /= int(denominator)
    return value


def bounded_int(digits: str, max_digits: int, what: str) -> int:
    """The value of a string of decimal digits, in time linear in it: leading zeros are
    dropped (``0009`` is 9, never cut to ``000``), and a value of more than ``max_digits``
    digits raises :class:`AnswerFormatError` naming ``what`` (no answer of the task has it)."""
    value = digits.lstrip("0") or "0"
    if len(value) > max_digits:
        raise AnswerFormatError(f"{what} has more than {max_digits} digits")
    return int(value)


def split_list(text: str) -> list[str]:
    """Items of a list written with commas, semicolons, newlines or 'and', normalised."""
    body = text.strip().strip("[](){}")
    items = [normalize_text(item) for item in _LIST_SEPARATORS.split(body)]
    return [item for item in items if item]
