"""Fast Survo solution counting for generation: flat cells, bitmasks of unused numbers.

The readable solver (:mod:`.solver`) builds Python sets for every cell at every step,
which keeps its trace easy to follow but costs tens of microseconds a node; generation
proves uniqueness once per blanked cell, so it counts with this leaner search instead.
The rules are the solver's, in bitmask form: a number fits a cell when both its lines
can still reach their sums (the line's other empty cells take at least the smallest and
at most the largest unused numbers), a line with two empty cells only takes pairs of
distinct unused numbers that complete it, and an unused number that fits no cell ends
the branch. A cell with one fitting number, or a number that fits one cell only, is
placed without branching; otherwise the cell with the fewest fitting numbers is tried
with each. Counting is exact: a completion is counted only with every line at its sum.

Where the C kernel :mod:`._count` was compiled, :meth:`Counter.count` runs the same search
there (about 30 times faster); the count, min(completions, limit), does not depend on the
search order, so both give the same result and the Python search is the reference.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

native: ModuleType | None
try:
    from generators.synlogic.survo import _count as native
except ImportError:  # not compiled (no compiler at install): the Python search below
    native = None


@cache
def lines_of(R: int, C: int) -> list[tuple[int, int]]:
    """Per cell of an R x C grid (row-major), its row's and its column's line index."""
    return [(i // C, R + i % C) for i in range(R * C)]


class Counter:
    """Completions of a puzzle state; ``count`` leaves the state as it found it."""

    def __init__(self, grid: list[list[int]], row_sums: list[int], col_sums: list[int]) -> None:
        R, C = len(row_sums), len(col_sums)
        self.N = N = R * C
        self.shape = (R, C)
        self.sums = [*row_sums, *col_sums]
        self.values = [v for row in grid for v in row]
        columns = list(zip(*grid, strict=True))
        self.need = [total - sum(line) for total, line in zip(row_sums, grid, strict=True)]
        self.need += [total - sum(line) for total, line in zip(col_sums, columns, strict=True)]
        self.empty = [line.count(0) for line in grid] + [line.count(0) for line in columns]
        self.unused = self.mirror = (1 << (N + 1)) - 2  # bit v / bit N + 1 - v: v unused
        for v in self.values:
            if v:
                self.unused ^= 1 << v
                self.mirror ^= 1 << (N + 1 - v)
        self.lines_of = lines_of(R, C)
        self.nodes = 0
        self.forbid = (-1, 0)
        self._bounds: dict[int, tuple[list[int], list[int]]] = {}

    def blank(self, cell: int) -> int:
        """Empty a filled cell; returns the value it held."""
        v, self.values[cell] = self.values[cell], 0
        self.unused |= 1 << v
        self.mirror |= 1 << (self.N + 1 - v)
        a, b = self.lines_of[cell]
        self.need[a] += v
        self.need[b] += v
        self.empty[a] += 1
        self.empty[b] += 1
        return v

    def fill(self, cell: int, v: int) -> None:
        """Put ``v`` (unused) in an empty cell: the inverse of :meth:`blank`."""
        self.values[cell] = v
        self.unused ^= 1 << v
        self.mirror ^= 1 << (self.N + 1 - v)
        a, b = self.lines_of[cell]
        self.need[a] -= v
        self.need[b] -= v
        self.empty[a] -= 1
        self.empty[b] -= 1

    def count(self, limit: int, forbid: tuple[int, int] | None = None, python: bool = False) -> int:
        """Completions, up to ``limit``; ``forbid`` = (cell, value) rules value out there;
        ``python`` runs the Python search even where the C kernel is available."""
        self.forbid = forbid or (-1, 0)
        if forbid is not None and self.values[forbid[0]] == 0:
            # A cell alone empty in a line takes the line's missing sum: with that value
            # ruled out the search would stop at its first node.
            a, b = self.lines_of[forbid[0]]
            alone = a if self.empty[a] == 1 else b if self.empty[b] == 1 else -1
            if alone >= 0 and self.need[alone] == forbid[1]:
                return 0
        if native is None or python:
            return self._search(limit)
        return native.count(*self.shape, self.values, self.sums, limit, *self.forbid)

    def _line_masks(self) -> list[int] | None:
        """Per line, the unused numbers one of its empty cells can take; None if some line
        cannot be completed."""
        N, unused = self.N, self.unused
        bounds = self._bounds.get(unused)
        if bounds is None:  # the search revisits few sets of unused numbers: memoise
            free = [v for v in range(1, N + 1) if unused >> v & 1]
            low, high = [0], [0]
            for j in range(len(free)):
                low.append(low[-1] + free[j])
                high.append(high[-1] + free[-1 - j])
            bounds = self._bounds[unused] = (low, high)
        low, high = bounds
        masks = []
        for k, left in zip(self.empty, self.need, strict=True):
            if not k:
                if left:
                    return None
                masks.append(0)
                continue
            lo, hi = max(left - high[k - 1], 1), min(left - low[k - 1], N)
            if lo > hi:
                return None
            mask = unused & ((1 << (hi + 1)) - (1 << lo))
            if k == 2:  # v fits only if left - v is another unused number
                shift = left - N - 1
                mask &= self.mirror << shift if shift >= 0 else self.mirror >> -shift
                if not left & 1:
                    mask &= ~(1 << (left >> 1))
            masks.append(mask)
        return masks

    def _search(self, limit: int) -> int:
        self.nodes += 1
        masks = self._line_masks()
        if masks is None:
            return 0
        fits: list[tuple[int, int]] = []
        once = twice = 0
        best, best_mask, best_size = -1, 0, 99
        forbid_cell, forbid_value = self.forbid
        for cell, v in enumerate(self.values):
            if v:
                continue
            a, b = self.lines_of[cell]
            mask = masks[a] & masks[b]
            if cell == forbid_cell:
                mask &= ~(1 << forbid_value)
            if not mask:
                return 0
            twice |= once & mask
            once |= mask
            fits.append((cell, mask))
            size = mask.bit_count()
            if size < best_size:
                best, best_mask, best_size = cell, mask, size
        if best < 0:
            return 1  # full grid, every line at its sum
        if self.unused & ~once:
            return 0
        only = once & ~twice
        if best_size > 1 and only:
            single = only & -only
            best, best_mask = next(cell for cell, mask in fits if mask & single), single
        found = 0
        while best_mask and found < limit:
            low = best_mask & -best_mask
            best_mask ^= low
            self.fill(best, low.bit_length() - 1)
            found += self._search(limit - found)
            self.blank(best)
        return found
