"""Exact count of Kukurasu shadings by enumerating row choices, for small option spaces.

Each row's clue allows a few masks (:func:`.solver.subsets`). A row mask in row ``i`` adds
``i + 1`` to the sum of every column it blackens; packed as 6-bit fields (a column sum is
at most 45 < 64, so fields never carry), a whole combination's column sums are one integer
addition per row. The last row is not enumerated: its contribution is what the column clues
still need, looked up in a dict. Used where the product of the rows' option counts is
small (small grids); the line-propagation solver handles the rest.
"""

from __future__ import annotations

from functools import cache
from itertools import product
from math import prod

from generators.synlogic.kukurasu.solver import subsets

_FIELD = 6  # bits per packed column sum


@cache
def _spread(mask: int) -> int:
    """The mask's bits as packed fields: bit j becomes 1 << (6·j)."""
    return sum(1 << (_FIELD * j) for j in range(mask.bit_length()) if mask >> j & 1)


@cache
def _weighted(size: int, clue: int | None, row: int) -> tuple[int, ...]:
    """Packed column-sum contributions of the masks row ``row`` may take."""
    return tuple(_spread(m) * (row + 1) for m in subsets(size, clue))


def count_up_to(rows: list, cols: list, limit: int, budget: int) -> int | None:
    """Shadings meeting the clues (``None`` = hidden), counted up to ``limit``; ``None``
    when more than ``budget`` row combinations would have to be enumerated."""
    C = len(cols)
    weighted = [_weighted(C, clue, i) for i, clue in enumerate(rows)]
    if prod(map(len, weighted[:-1])) > budget:
        return None
    target = keep = 0
    for j, clue in enumerate(cols):
        if clue is not None:
            target |= clue << (_FIELD * j)
            keep |= ((1 << _FIELD) - 1) << (_FIELD * j)
    last = weighted[-1]
    count = 0
    if keep == (1 << (_FIELD * C)) - 1:  # every column clue shown: look the last row up
        wanted = set(last)
        for combo in product(*weighted[:-1]):
            if target - sum(combo) in wanted:
                count += 1
                if count >= limit:
                    break
        return count
    for combo in product(*weighted):
        if sum(combo) & keep == target:
            count += 1
            if count >= limit:
                break
    return count
