"""Puzzle generation: a random solved grid, then givens removed while the solution stays unique.

Removing a given ``x`` from a puzzle with a unique solution keeps it unique exactly when no
solution of the smaller puzzle puts another digit in ``x``. Tests from cheapest to dearest:

1. naked single: the remaining givens in ``x``'s units already hold every other digit;
2. unavoidable set: a known set of cells that any puzzle must hit (else its digits can be
   permuted into a second solution) would lose its last given: removal refused;
3. hidden single: every other empty cell of one of ``x``'s units sees ``x``'s digit;
4. search for a solution with ``x`` changed (propagation, then depth first near the known
   solution: see ``search.completes``).

Removing in one random order yields a minimal puzzle; the pass stops at the clue target.
4×4 puzzles skip all that: uniqueness is read off a table of every grid (see ``table``).
"""

from __future__ import annotations

from random import Random

from generators.synlogic.sudoku.geometry import FIELD, Geometry, digit_bit
from generators.synlogic.sudoku.search import completes, initial_state, propagate, solutions
from generators.synlogic.sudoku.table import TABLE_SIZES, TableCarver, random_grid


def random_solution(g: Geometry, rng: Random) -> list[int]:
    """A random solved grid: for 4×4 one of all 288, uniformly; otherwise the first box
    filled at random (for 9×9 all three diagonal boxes, which never constrain each other),
    the rest by search in random order."""
    if g.n in TABLE_SIZES:
        return random_grid(g, rng)
    givens = [0] * g.cells
    stacks = g.n // g.box_cols
    for k in range(3 if g.n == 9 else 1):
        digits = rng.sample(range(1, g.n + 1), g.n)
        for cell, digit in zip(g.units[2 * g.n + k * stacks + k], digits, strict=True):
            givens[cell] = digit
    state = initial_state(givens, g)
    assert state is not None and propagate(state[0], state[1], g)
    return solutions(state[0], g, 1, rng=rng)[0]


def unavoidable_sets(g: Geometry, solution: list[int]) -> list[list[int]]:
    """Cell sets whose digits can be rearranged into another valid grid: any unique puzzle
    has a given in each.

    These are the cheap ones: two rows of one band (or two columns of one stack) swapped
    along a cycle of columns (rows) on which both hold the same digits; rows, columns and
    boxes keep their digits.
    """
    n = g.n
    sets = []
    for size, cell_at in (
        (g.box_rows, lambda line, k: line * n + k),
        (g.box_cols, lambda line, k: k * n + line),
    ):
        for first in range(n):
            digits = [solution[cell_at(first, k)] for k in range(n)]
            for second in range(first + 1, (first // size + 1) * size):
                where = [0] * (n + 1)
                for k in range(n):
                    where[solution[cell_at(second, k)]] = k
                seen = [False] * n
                for start in range(n):
                    k, cells = start, []
                    while not seen[k]:
                        seen[k] = True
                        cells += (cell_at(first, k), cell_at(second, k))
                        k = where[digits[k]]
                    if cells:
                        sets.append(cells)
    return sets


class _Carver:
    """The state of one removal pass: which cells are given, and digits used per unit."""

    def __init__(self, g: Geometry, solution: list[int]) -> None:
        self.g = g
        self.bits = [digit_bit(digit) for digit in solution]
        self.given = [True] * g.cells
        self.given_mask = (1 << g.cells) - 1
        self.used = [g.full] * (3 * g.n)
        # The search state the current givens start from, kept up to date on each removal.
        self.base = [bit << FIELD * g.n for bit in self.bits]
        self.unavoidable: list[list[int]] = [[] for _ in range(g.cells)]
        for cells in unavoidable_sets(g, solution):
            mask = sum(1 << x for x in cells)
            for x in cells:
                self.unavoidable[x].append(mask)

    def seen(self, x: int) -> int:
        r, c, b = self.g.cell_units[x]
        return self.used[r] | self.used[c] | self.used[b]

    def try_remove(self, x: int) -> bool:
        """Remove the given at ``x`` if the solution stays unique; report whether it did."""
        g = self.g
        self._toggle(x)
        rest = self.given_mask & ~(1 << x)
        keep = self.seen(x) | self.bits[x] != g.full and (
            any(not cells & rest for cells in self.unavoidable[x])
            or not self._hidden_single(x)
            and self._other_solution(x)
        )
        self._toggle(x)
        if not keep:
            self.set_given(x, False)
        return not keep

    def set_given(self, x: int, given: bool) -> None:
        """Add or remove the given at ``x`` (no check) and update the search base."""
        if self.given[x] == given:
            return
        self.given[x] = given
        self.given_mask ^= 1 << x
        self._toggle(x)
        g, shift = self.g, FIELD * self.g.n
        for y in (x, *g.peers[x]):
            self.base[y] = self.bits[y] << shift if self.given[y] else g.full & ~self.seen(y)

    def _toggle(self, x: int) -> None:
        """Flip ``x``'s digit in the used digits of its units."""
        for u in self.g.cell_units[x]:
            self.used[u] ^= self.bits[x]

    def _hidden_single(self, x: int) -> bool:
        """Whether some unit of ``x`` has no other open cell that can take ``x``'s digit."""
        units, given, bit = self.g.units, self.given, self.bits[x]
        return any(
            all(y == x or given[y] or self.seen(y) & bit for y in units[u])
            for u in self.g.cell_units[x]
        )

    def _other_solution(self, x: int) -> bool:
        """Whether the puzzle without ``x`` has a solution with another digit in ``x``."""
        g, given, full = self.g, self.given, self.g.full
        cand = self.base.copy()
        for y in (x, *g.peers[x]):  # the open cells that may now take x's digit
            if y == x or not given[y]:
                cand[y] = full & ~self.seen(y)
        cand[x] ^= self.bits[x]
        if not cand[x]:
            return False
        high = 1 << FIELD * g.n
        todo = [y for y, m in enumerate(cand) if m < high and not m & (m - 1)]
        return propagate(cand, todo, g) and completes(cand, g, self.bits)


def carve(
    g: Geometry, solution: list[int], rng: Random, target: int, symmetric: bool
) -> list[int] | None:
    """Givens (0 = empty) with a unique solution and at most ``target`` clues, or None when
    this removal order got stuck above the target.

    With ``symmetric`` the givens are symmetric under a half turn: cells go in pairs.
    """
    carver = TableCarver(g, solution) if g.n in TABLE_SIZES else _Carver(g, solution)
    last = g.cells - 1
    groups = [(x, last - x) if x < last - x else (x,) for x in range(last // 2 + 1)]
    if not symmetric:
        groups = [(x,) for x in range(g.cells)]
    rng.shuffle(groups)
    count = g.cells
    untested = g.cells
    for group in groups:
        if count <= target or count - untested > target:
            break
        untested -= len(group)
        removed = []
        for x in group:
            if not carver.try_remove(x):
                break
            removed.append(x)
        if len(removed) < len(group):
            for x in removed:  # put a half-removed pair back
                carver.set_given(x, True)
            continue
        count -= len(group)
    if count > target:
        return None
    return [digit if carver.given[x] else 0 for x, digit in enumerate(solution)]
