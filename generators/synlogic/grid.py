"""Grid answers shared by the grid puzzles: parse what a model wrote, format the oracle's.

A grid answer is one line per row; cells are separated by spaces, commas or ``|``
(or written without separators when every cell is one character and the prompt says
so). Surrounding brackets/quotes on a row (``[1, 2, 3]``) are tolerated. Anything
else is an :class:`AnswerFormatError` naming the row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from generators.base import AnswerFormatError

T = TypeVar("T")

_SEPARATORS = re.compile(r"[\s,|;]+")
_ROW_WRAPPING = "[](){}\"'`"


def split_row(line: str, cols: int, compact: bool) -> list[str]:
    """Cells of one row; ``compact`` allows 'abc' for single-character cells."""
    body = line.strip().strip(_ROW_WRAPPING).strip()
    cells = [cell for cell in _SEPARATORS.split(body) if cell]
    if compact and len(cells) == 1 and len(cells[0]) == cols:
        cells = list(cells[0])
    return cells


def parse_grid(
    text: str,
    rows: int,
    cols: int,
    cell: Callable[[str], T],
    *,
    compact: bool = False,
) -> list[list[T]]:
    """Parse ``rows`` × ``cols`` cells with ``cell`` (which raises ValueError on a bad cell).

    Blank lines and a leading/trailing code fence are ignored.
    """
    lines = [
        line for line in text.strip().splitlines() if line.strip() and not line.startswith("```")
    ]
    if len(lines) != rows:
        raise AnswerFormatError(f"expected {rows} rows, found {len(lines)}")
    grid: list[list[T]] = []
    for r, line in enumerate(lines, start=1):
        cells = split_row(line, cols, compact)
        if len(cells) != cols:
            raise AnswerFormatError(f"row {r} has {len(cells)} cells, expected {cols}")
        try:
            grid.append([cell(c) for c in cells])
        except ValueError as error:
            raise AnswerFormatError(f"row {r}: {error}") from None
    return grid


def int_cell(low: int, high: int) -> Callable[[str], int]:
    """A cell parser accepting integers in ``low..high``."""

    def parse(text: str) -> int:
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise ValueError(f"{text!r} is not an integer")
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def symbol_cell(symbols: str) -> Callable[[str], str]:
    """A cell parser accepting one of the given single-character symbols (case-insensitive)."""
    allowed = {s.casefold(): s for s in symbols}

    def parse(text: str) -> str:
        if text.casefold() not in allowed:
            raise ValueError(f"{text!r} is not one of {' '.join(symbols)}")
        return allowed[text.casefold()]

    return parse


def format_grid(grid: Sequence[Sequence[object]], sep: str = " ") -> str:
    return "\n".join(sep.join(str(cell) for cell in row) for row in grid)
