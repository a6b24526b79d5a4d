"""Board geometry for n×n Sudoku with r×c boxes: units, peers and names, precomputed once.

Candidate sets are bitmasks in a *spread* encoding: digit d (1..n) is bit 4·(d-1), so the
sum of a unit's masks counts, in each 4-bit field, how many of its cells can take each
digit (see :mod:`generators.synlogic.sudoku.search`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from operator import itemgetter

BOX_SHAPES: dict[int, tuple[int, int]] = {4: (2, 2), 6: (2, 3), 9: (3, 3)}
FIELD = 4  # bits per digit in the spread encoding; holds counts up to 15


def digit_bit(digit: int) -> int:
    return 1 << FIELD * (digit - 1)


@dataclass(frozen=True)
class Geometry:
    """Cells are numbered row-major 0..n²-1; units are rows, then columns, then boxes."""

    n: int
    box_rows: int
    box_cols: int
    units: tuple[tuple[int, ...], ...]
    peers: tuple[tuple[int, ...], ...]
    cell_units: tuple[tuple[int, int, int], ...]  # (row unit, column unit, box unit)
    unit_getters: tuple[itemgetter, ...]  # a unit's values out of a per-cell list, in C
    unit_bits: tuple[int, ...]  # per cell: a bitmask of its three units
    cells: int
    full: int  # every digit: the lowest bit of each 4-bit field

    def unit_name(self, unit: int) -> str:
        kind, k = divmod(unit, self.n)
        return ("row", "column", "box")[kind] + f" {k + 1}"

    def cell_name(self, cell: int) -> str:
        return f"r{cell // self.n + 1}c{cell % self.n + 1}"


@cache
def geometry(n: int) -> Geometry:
    box_rows, box_cols = BOX_SHAPES[n]
    rows = [tuple(r * n + c for c in range(n)) for r in range(n)]
    cols = [tuple(r * n + c for r in range(n)) for c in range(n)]
    boxes = [
        tuple((top + dr) * n + left + dc for dr in range(box_rows) for dc in range(box_cols))
        for top in range(0, n, box_rows)
        for left in range(0, n, box_cols)
    ]
    units = (*rows, *cols, *boxes)
    cell_units = []
    for cell in range(n * n):
        r, c = divmod(cell, n)
        box = (r // box_rows) * (n // box_cols) + c // box_cols
        cell_units.append((r, n + c, 2 * n + box))
    peers = tuple(
        tuple(sorted({p for u in cell_units[cell] for p in units[u]} - {cell}))
        for cell in range(n * n)
    )
    return Geometry(
        n=n,
        box_rows=box_rows,
        box_cols=box_cols,
        units=units,
        peers=peers,
        cell_units=tuple(cell_units),
        unit_getters=tuple(itemgetter(*unit) for unit in units),
        unit_bits=tuple(sum(1 << u for u in units_of) for units_of in cell_units),
        cells=n * n,
        full=sum(digit_bit(d) for d in range(1, n + 1)),
    )
