"""Candidate propagation plus backtracking, counting solutions up to a limit.

Each cell holds a bitmask of candidates (bit ``v`` for value ``v``); each cage holds the
list of value tuples still compatible with its cells' candidates. Propagation repeats
three rules to a fixpoint: a solved cell removes its value from its row and column; a
cage keeps only the tuples its cells still allow and narrows each cell to the values
those tuples use; a value with one possible place in a row or column goes there.
Search branches on a cell with fewest candidates. ``effort`` counts every candidate
eliminated over the whole search (including refuted branches), so it grows with grid
size and with the guessing a puzzle needs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, reduce
from operator import or_

from generators.synlogic.calcudoko.cages import Cage, cage_tuples
from generators.synlogic.search_log import SearchLog


def cell_name(cell: int, n: int) -> str:
    return f"r{cell // n + 1}c{cell % n + 1}"


def values_of(mask: int) -> list[int]:
    return [v for v in range(1, mask.bit_length()) if mask >> v & 1]


class Contradiction(Exception):
    """A cell or cage has no candidates left."""


class Solver:
    def __init__(
        self,
        n: int,
        cages: list[Cage],
        labels: list[str] | None = None,
        tuples: Callable[[Cage, int], list[tuple[int, ...]]] = cage_tuples,
    ) -> None:
        """``tuples`` may be a caching version of :func:`cage_tuples` (generation reuses
        cages across repairs); ``labels`` switch the readable log on."""
        self.n = n
        self.cages = cages
        self.labels = labels
        self.cage_of = [0] * (n * n)
        self.position = [0] * (n * n)
        for k, cage in enumerate(cages):
            for i, cell in enumerate(cage.cells):
                self.cage_of[cell] = k
                self.position[cell] = i
        self.units, self.peers = geometry(n)
        self.tuples = [tuples(cage, n) for cage in cages]
        self.effort = 0
        self.guesses = 0
        self.dead_ends = 0
        self.log = SearchLog() if labels is not None else None

    def narrow(self, dom: list[int], cell: int, mask: int, why: str, queue: list[int]) -> None:
        old = dom[cell]
        new = old & mask
        if new == old:
            return
        if not new:
            if self.log is not None:
                self.log.note(f"  {cell_name(cell, self.n)} has no candidate left ({why}).")
            raise Contradiction
        self.effort += (old ^ new).bit_count()
        dom[cell] = new
        queue.append(cell)
        if self.log is not None and new & (new - 1) == 0:
            self.log.note(f"  {cell_name(cell, self.n)} = {new.bit_length() - 1} ({why}).")

    def cage_text(self, k: int) -> str:
        assert self.labels is not None
        cage = self.cages[k]
        return f"cage {self.labels[k]} ({cage.target}{cage.op if cage.op != '=' else ''})"

    def propagate(self, dom: list[int], tups: list[list], queue: list[int]) -> None:
        n, log = self.n, self.log is not None
        while queue:
            while queue:
                cell = queue.pop()
                mask = dom[cell]
                if mask & (mask - 1) == 0:
                    why = f"{cell_name(cell, n)} is {mask.bit_length() - 1}" if log else ""
                    for peer in self.peers[cell]:
                        if dom[peer] & mask:
                            self.narrow(dom, peer, ~mask, why, queue)
                k, i = self.cage_of[cell], self.position[cell]
                kept = [t for t in tups[k] if t[i] & mask]
                if not kept:
                    if log:
                        self.log.note(f"  {self.cage_text(k)} has no combination left.")
                    raise Contradiction
                if len(kept) < len(tups[k]):
                    tups[k] = kept
                    self.narrow_to_cage(dom, k, kept, queue)
            self.hidden_singles(dom, queue)

    def narrow_to_cage(self, dom: list[int], k: int, kept: list, queue: list[int]) -> None:
        """Each cell of cage ``k`` keeps only the values some remaining tuple gives it."""
        why = f"only option left in {self.cage_text(k)}" if self.log is not None else ""
        for c, column in zip(self.cages[k].cells, zip(*kept, strict=True), strict=True):
            self.narrow(dom, c, reduce(or_, set(column)), why, queue)

    def hidden_singles(self, dom: list[int], queue: list[int]) -> None:
        n = self.n
        full = (1 << (n + 1)) - 2
        for u, unit in enumerate(self.units):
            once = twice = 0
            for cell in unit:
                twice |= once & dom[cell]
                once |= dom[cell]
            if once != full:
                if self.log is not None:
                    self.log.note(f"  {unit_name(u, n)} can no longer hold every value.")
                raise Contradiction
            alone = once & ~twice
            for cell in unit:
                hit = dom[cell] & alone
                if hit and dom[cell] != hit:
                    why = ""
                    if self.log is not None:
                        why = f"{unit_name(u, n)} needs {hit.bit_length() - 1} and only here fits"
                    self.narrow(dom, cell, hit, why, queue)

    def search(self, dom: list[int], tups: list[list], limit: int, out: list[list[int]]) -> None:
        open_cells = [c for c in range(len(dom)) if dom[c] & (dom[c] - 1)]
        if not open_cells:
            out.append([m.bit_length() - 1 for m in dom])
            if self.log is not None:
                self.log.note("  Every cell is filled and all rules hold: a solution.")
            return
        cell = min(open_cells, key=lambda c: dom[c].bit_count())
        for v in values_of(dom[cell]):
            if len(out) >= limit:
                return
            self.guesses += 1
            if self.log is not None:
                options = ", ".join(map(str, values_of(dom[cell])))
                self.log.note(f"Guess {cell_name(cell, self.n)} = {v} (candidates {options}).")
            child, child_tups = dom[:], tups[:]
            self.effort += dom[cell].bit_count() - 1
            child[cell] = 1 << v
            try:
                self.propagate(child, child_tups, [cell])
            except Contradiction:
                self.dead_ends += 1
                if self.log is not None:
                    self.log.note(f"Contradiction, so {cell_name(cell, self.n)} is not {v}.")
                continue
            self.search(child, child_tups, limit, out)

    def solve(self, limit: int = 2) -> list[list[int]]:
        """Up to ``limit`` solutions (as row-major value lists)."""
        n = self.n
        dom = [(1 << (n + 1)) - 2] * (n * n)
        tups = [list(t) for t in self.tuples]
        out: list[list[int]] = []
        try:
            queue: list[int] = []
            for k, kept in enumerate(tups):
                self.narrow_to_cage(dom, k, kept, queue)
            self.propagate(dom, tups, list(range(n * n - 1, -1, -1)))
        except Contradiction:
            return out
        if self.log is not None and any(m & (m - 1) for m in dom):
            self.log.note("Propagation stalls; search on a cell with fewest candidates.")
        self.search(dom, tups, limit, out)
        return out


@cache
def geometry(n: int) -> tuple[list[list[int]], list[list[int]]]:
    """Rows then columns as cell lists, and each cell's row/column peers."""
    units = [[r * n + c for c in range(n)] for r in range(n)]
    units += [[r * n + c for r in range(n)] for c in range(n)]
    peers = [
        [m for m in range(n * n) if m != cell and (m // n == cell // n or m % n == cell % n)]
        for cell in range(n * n)
    ]
    return units, peers


def unit_name(u: int, n: int) -> str:
    return f"row {u + 1}" if u < n else f"column {u - n + 1}"
