"""Answer parsing and scoring: one line per house, values in the stated category order.

Tolerated: case, extra spaces, commas / ``|`` / ``;`` / spaces between values, a
"House k:" (or "k." / "k)") label, a Markdown table (a header row naming the categories
and ``|---|`` rule lines are skipped), blank lines and code fences. Labelled lines may
come in any order; unlabelled lines are taken in order. A word that is not a value of
its column's category, a missing or repeated house, or a wrong number of values is
malformed (:class:`AnswerFormatError`). Scoring is exact: 1 for the unique solution,
else 0 naming the first wrong cell (house order, then category order).
"""

from __future__ import annotations

import re

from generators.base import AnswerFormatError
from generators.synlogic.grid import split_row
from generators.synlogic.zebra_puzzle.puzzle import Puzzle

# Each run of spaces can go to one quantifier only (no \s*#?\s*): linear, not quadratic.
_LABEL = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\|\s*)?(?:house\s*(?:#\s*)?)?(\d{1,2})\s*(?:[:.)|-]\s*)?", re.I
)
_RULE = re.compile(r"^[\s|:+-]*$")


def parse_answer(puzzle: Puzzle, answer: str) -> list[list[int]]:
    """``rows[h][c]`` = value index, from the answer text."""
    n, m = puzzle.n, len(puzzle.categories)
    header = {name.casefold() for name in ("house", *puzzle.categories)}
    lookup = [{word.casefold(): v for v, word in enumerate(values)} for values in puzzle.values]
    labelled: dict[int, list[int]] = {}
    ordered: list[list[int]] = []
    for raw in answer.splitlines():
        line = raw.strip()
        if not line or line.startswith("```") or _RULE.fullmatch(line):
            continue
        cells = split_row(line, m, compact=False)
        if {cell.casefold() for cell in cells} <= header:
            continue  # a table header
        label = _LABEL.match(line)
        body = line[label.end() :] if label else line
        cells = split_row(body, m, compact=False)
        if len(cells) != m:
            raise AnswerFormatError(f"{raw.strip()[:60]!r} has {len(cells)} values, expected {m}")
        row = []
        for c, cell in enumerate(cells):
            value = lookup[c].get(cell.casefold())
            if value is None:
                raise AnswerFormatError(f"{cell[:30]!r} is not a {puzzle.categories[c]} value")
            row.append(value)
        if label is None:
            ordered.append(row)
            continue
        house = int(label.group(1))
        if not 1 <= house <= n or house in labelled:
            raise AnswerFormatError(f"house {house} is out of range or repeated")
        labelled[house] = row
    if labelled and ordered:
        raise AnswerFormatError("some lines name their house and some do not")
    rows = [labelled[h] for h in sorted(labelled)] if labelled else ordered
    if len(rows) != n:
        raise AnswerFormatError(f"expected {n} houses, found {len(rows)}")
    return rows


def check_answer(puzzle: Puzzle, answer: str) -> tuple[float, str]:
    rows = parse_answer(puzzle, answer)
    for house, (row, truth) in enumerate(zip(rows, puzzle.grid, strict=True), start=1):
        for c, (value, expected) in enumerate(zip(row, truth, strict=True)):
            if value != expected:
                return 0.0, f"house {house}, {puzzle.categories[c]}: wrong value"
    return 1.0, f"all {puzzle.n} houses correct"
