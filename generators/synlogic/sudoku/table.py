"""4×4 Sudoku by table: all 288 solved grids listed once, uniqueness by bitset AND.

A set of givens admits exactly the grids that agree with every given, so with, per cell
and digit, the bitset of the grids holding that digit there, the solutions of a puzzle
are the AND of its givens' bitsets: the puzzle is unique exactly when one bit is left.
That is an exhaustive proof, and at 288 grids it costs a few machine words per given.
"""

from __future__ import annotations

from functools import cache
from random import Random

from generators.synlogic.sudoku.geometry import Geometry, geometry
from generators.synlogic.sudoku.search import initial_state, propagate, solutions

TABLE_SIZES = frozenset({4})


@cache
def all_grids(n: int) -> tuple[tuple[int, ...], ...]:
    """Every solved n×n grid (digits in reading order), in the search's order."""
    g = geometry(n)
    state = initial_state([0] * g.cells, g)
    assert state is not None and propagate(state[0], state[1], g)
    return tuple(map(tuple, solutions(state[0], g, limit=1 << 20)))


@cache
def _grids_with(n: int) -> tuple[tuple[int, ...], ...]:
    """``[cell][digit]``: the bitset of the grids that hold ``digit`` at ``cell``."""
    table = [[0] * (n + 1) for _ in range(n * n)]
    for k, grid in enumerate(all_grids(n)):
        for cell, digit in enumerate(grid):
            table[cell][digit] |= 1 << k
    return tuple(map(tuple, table))


def random_grid(g: Geometry, rng: Random) -> list[int]:
    """A solved grid drawn uniformly from all of them."""
    return list(rng.choice(all_grids(g.n)))


class TableCarver:
    """The givens of one removal pass, tested by table (the interface of ``carve._Carver``)."""

    def __init__(self, g: Geometry, solution: list[int]) -> None:
        grids_with = _grids_with(g.n)
        self.sets = [grids_with[x][digit] for x, digit in enumerate(solution)]
        self.given = [True] * g.cells

    def try_remove(self, x: int) -> bool:
        """Remove the given at ``x`` if the solution stays unique; report whether it did."""
        left = -1
        for y, given in enumerate(self.given):
            if given and y != x:
                left &= self.sets[y]
        if left & (left - 1):  # a second grid fits the other givens
            return False
        self.given[x] = False
        return True

    def set_given(self, x: int, given: bool) -> None:
        self.given[x] = given
