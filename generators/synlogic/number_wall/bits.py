"""Grid cells as bits of a Python int: neighbourhoods, flood fill and 2×2 detection."""

from __future__ import annotations


class Board:
    """An R×C grid; cell ``r * cols + c`` is bit ``r * cols + c``."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.size = rows * cols
        self.full = (1 << self.size) - 1
        col0 = sum(1 << (r * cols) for r in range(rows))
        self.not_first_col = self.full & ~col0
        self.not_last_col = self.full & ~(col0 << (cols - 1))
        # bits whose 2×2 block (cell, right, below, below-right) lies inside the grid
        self.block_corners = sum(
            1 << (r * cols + c) for r in range(rows - 1) for c in range(cols - 1)
        )
        # the 2×2 block (mask) whose top-left cell is the index; 0 where none fits
        self.blocks = [
            (0b11 | 0b11 << cols) << cell if self.block_corners >> cell & 1 else 0
            for cell in range(self.size)
        ]
        self.nbrs = [
            [
                r2 * cols + c2
                for r2, c2 in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                if 0 <= r2 < rows and 0 <= c2 < cols
            ]
            for r in range(rows)
            for c in range(cols)
        ]

    def grow(self, mask: int) -> int:
        """``mask`` with all orthogonal neighbours of its cells added."""
        cols = self.cols
        return (
            mask
            | ((mask << 1) & self.not_first_col)
            | ((mask >> 1) & self.not_last_col)
            | ((mask << cols) & self.full)
            | (mask >> cols)
        )

    def component(self, seed: int, within: int) -> int:
        """The cells of ``within`` connected to the cells of ``seed``."""
        reached = seed & within
        while True:
            more = self.grow(reached) & within
            if more == reached:
                return reached
            reached = more

    def connected(self, mask: int) -> bool:
        return not mask or self.component(mask & -mask, mask) == mask

    def square_corners(self, mask: int) -> int:
        """Top-left cells of the 2×2 blocks lying wholly in ``mask``."""
        cols = self.cols
        return mask & (mask >> 1) & (mask >> cols) & (mask >> (cols + 1)) & self.block_corners

    def name(self, cell: int) -> str:
        return f"r{cell // self.cols + 1}c{cell % self.cols + 1}"


def cells_of(mask: int) -> list[int]:
    cells = []
    while mask:
        low = mask & -mask
        cells.append(low.bit_length() - 1)
        mask ^= low
    return cells
