"""Natural-language answer normalisation shared by the text tasks."""

from __future__ import annotations

from fractions import Fraction

import pytest

from generators.base import AnswerFormatError
from generators.synlogic.normalize import normalize_text, parse_number, split_list


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
