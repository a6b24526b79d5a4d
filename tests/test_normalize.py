"""Natural-language answer normalisation shared by the text tasks."""

from __future__ import annotations

from fractions import Fraction

import pytest

from generators.base import AnswerFormatError
from generators.synlogic.normalize import (
    MAX_NUMBER_CHARS,
    normalize_text,
    parse_number,
    split_list,
)


def test_text_is_casefolded_and_trimmed():
    assert normalize_text('  "Alice  Smith." ') == "alice smith"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("1,234", 1234),
        ("1 234", 1234),
        ("-3", -3),
        ("12.50", Fraction(25, 2)),
        ("3/4", Fraction(3, 4)),
        ("Twelve", 12),
        ("7.", 7),
        ("−2", -2),
    ],
)
def test_numbers_in_many_formats(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "12 apples", "1,23", "3/0", "eleventy", "1e3"])
def test_non_numbers_are_refused(text):
    with pytest.raises(AnswerFormatError):
        parse_number(text)


def test_lists_with_mixed_separators():
    assert split_list("[Apple, banana; Cherry\ndate and Elder.]") == [
        "apple",
        "banana",
        "cherry",
        "date",
        "elder",
    ]


def test_long_numbers_are_refused_before_conversion():
    """``int()`` raises past 4300 digits (and is quadratic before): refuse, don't convert."""
    assert parse_number("9" * MAX_NUMBER_CHARS) == 10**MAX_NUMBER_CHARS - 1
    for text in ["9" * 5000, "-" + "9" * 5000, "1/" + "9" * 5000, "0." + "5" * 5000]:
        with pytest.raises(AnswerFormatError, match="more than"):
            parse_number(text)


def test_list_separators_next_to_long_runs_of_spaces():
    spaces = " " * 50_000  # ``\s*`` around the separators backtracked quadratically here
    assert split_list(f"a{spaces}, b{spaces}and c{spaces}x") == ["a", "b", "c x"]
