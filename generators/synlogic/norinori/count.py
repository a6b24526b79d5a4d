"""Norinori shadings by domino placement on bitmasks: the generator's uniqueness test.

A shading is a set of dominoes, no two touching orthogonally, with exactly two shaded
cells per region. The search takes the region with the fewest free cells and decides its
lowest free cell: shaded by one of the dominoes through it, or left unshaded. Every
shading is reached exactly once, so stopping at two decides uniqueness. Placing a domino
blocks its cells and their neighbours; a region that cannot still reach two shaded cells
ends the branch. The cell-by-cell search in :mod:`~generators.synlogic.cell_search`
writes the readable trace; this one only counts, far faster on the grids where that
one wanders through large failing subtrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.synlogic.cell_search import neighbour_tables


@dataclass(frozen=True)
class _Board:
    """Bit tables of one region layout (bit ``i`` is cell ``i``, row-major)."""

    region_of: tuple[int, ...]
    region_masks: tuple[int, ...]
    domino_cells: tuple[tuple[int, int, int], ...]  # (mask, cell a, cell b)
    domino_block: tuple[int, ...]  # the cells and their orthogonal neighbours
    through: tuple[tuple[int, ...], ...]  # cell → dominoes covering it


def _board(rows: int, cols: int, regions: tuple[int, ...]) -> _Board:
    orthogonal = neighbour_tables(rows, cols)[0]
    masks = [0] * (max(regions) + 1)
    for cell, g in enumerate(regions):
        masks[g] |= 1 << cell
    cells, block = [], []
    through: list[list[int]] = [[] for _ in regions]
    for a in range(rows * cols):
        for b in orthogonal[a]:
            if a < b:
                through[a].append(len(cells))
                through[b].append(len(cells))
                cells.append(((1 << a) | (1 << b), a, b))
                near = 0
                for cell in (a, b, *orthogonal[a], *orthogonal[b]):
                    near |= 1 << cell
                block.append(near)
    return _Board(
        tuple(regions), tuple(masks), tuple(cells), tuple(block), tuple(map(tuple, through))
    )


def shadings(
    rows: int,
    cols: int,
    regions: tuple[int, ...],
    limit: int = 2,
    prefer: list[bool] | None = None,
) -> list[list[bool]]:
    """Up to ``limit`` valid shadings of the region layout, each as one flag per cell.

    With ``prefer`` (a valid shading) every branch tries that shading's choice first, so it
    comes first and the next one differs from it as late as possible: a near rival, whose
    repair removes one local ambiguity.
    """
    board = _board(rows, cols, regions)
    preferred = sum(1 << cell for cell, on in enumerate(prefer or ()) if on)
    found: list[int] = []
    need = [2] * len(board.region_masks)

    def visit(blocked: int, shaded: int) -> None:
        best, best_free = -1, 0
        fewest = rows * cols + 1
        for g, mask in enumerate(board.region_masks):
            want = need[g]
            if want:
                free = mask & ~blocked
                count = free.bit_count()
                if count < want:
                    return
                if count < fewest:
                    best, best_free, fewest = g, free, count
        if best < 0:
            found.append(shaded)
            return
        low = best_free & -best_free
        cell = low.bit_length() - 1
        if preferred and not low & preferred:  # the preferred shading leaves it unshaded
            visit(blocked | low, shaded)
            if len(found) >= limit:
                return
        options = board.through[cell]
        if low & preferred:
            options = sorted(options, key=lambda d: board.domino_cells[d][0] & ~preferred != 0)
        for d in options:
            mask, a, b = board.domino_cells[d]
            if mask & blocked:
                continue
            ga, gb = board.region_of[a], board.region_of[b]
            if need[ga] < (2 if ga == gb else 1) or need[gb] < 1:
                continue
            need[ga] -= 1
            need[gb] -= 1
            visit(blocked | board.domino_block[d], shaded | mask)
            need[ga] += 1
            need[gb] += 1
            if len(found) >= limit:
                return
        if not preferred or low & preferred:
            visit(blocked | low, shaded)

    try:
        visit(0, 0)
    finally:
        visit = None  # empties the cell that points back at the closure: no reference cycle
    return [[bool(shaded >> cell & 1) for cell in range(rows * cols)] for shaded in found]
