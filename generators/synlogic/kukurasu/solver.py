"""The Kukurasu solver: per-line subsets filtered by decided cells, then search."""

from __future__ import annotations

from functools import cache

from generators.synlogic.search_log import SearchLog


class Contradiction(Exception):
    """A line can no longer reach its clue."""


@cache
def subsets(size: int, total: int | None) -> tuple[int, ...]:
    """Bitmasks over ``size`` positions whose 1-based weights add up to ``total`` (any
    total when None, i.e. a hidden clue)."""
    return tuple(
        m
        for m in range(1 << size)
        if total is None or sum(i + 1 for i in range(size) if m >> i & 1) == total
    )


def bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


class Solver:
    """Lines 0..R-1 are rows (masks over columns), R..R+C-1 columns (masks over rows)."""

    def __init__(self, row_clues: list, col_clues: list, trace: bool = False) -> None:
        self.R, self.C = len(row_clues), len(col_clues)
        self.clues = [*row_clues, *col_clues]
        self.effort = self.guesses = self.dead_ends = 0
        self.log = SearchLog() if trace else None

    def line_name(self, k: int) -> str:
        return f"row {k + 1}" if k < self.R else f"column {k - self.R + 1}"

    def propagate(self, cands: list[list[int]], black: list[int], white: list[int]) -> None:
        """Filter every line's subsets by the decided cells until nothing changes; ``black``
        and ``white`` hold, per line, the positions decided so far."""
        R = self.R
        dirty = True
        while dirty:
            dirty = False
            for k, options in enumerate(cands):
                b, w = black[k], white[k]
                kept = [m for m in options if m & w == 0 and m & b == b]
                if not kept:
                    if self.log is not None:
                        self.log.note(f"  {self.line_name(k)} cannot reach its clue any more.")
                    raise Contradiction
                self.effort += len(options) - len(kept)
                cands[k] = kept
                must, may = -1, 0
                for m in kept:
                    must &= m
                    may |= m
                size = self.C if k < R else R
                new_black = must & ~b
                new_white = ~may & ~w & ((1 << size) - 1)
                for colour, found in ((1, new_black), (0, new_white)):
                    for i in bits(found):
                        dirty = True
                        r, c = (k, i) if k < R else (i, k - R)
                        for line, pos in ((r, c), (R + c, r)):
                            (black if colour else white)[line] |= 1 << pos
                        if self.log is not None:
                            self.explain(k, r, c, colour, len(kept))

    def explain(self, k: int, r: int, c: int, colour: int, ways: int) -> None:
        goal = f"for {self.line_name(k)} to sum to {self.clues[k]}"
        if colour:
            every = "the only way" if ways == 1 else f"each of the {ways} ways"
            self.log.note(f"  r{r + 1}c{c + 1} is black: {every} {goal} uses it.")
        else:
            self.log.note(f"  r{r + 1}c{c + 1} is white: no way {goal} uses it.")

    def search(self, cands, black, white, limit: int, out: list[list[int]]) -> None:
        open_lines = [k for k in range(self.R) if len(cands[k]) > 1]
        if not open_lines:
            out.append([cands[k][0] for k in range(self.R)])
            if self.log is not None:
                self.log.note("  All lines are decided and every clue holds: a solution.")
            return
        k = min(open_lines, key=lambda line: len(cands[line]))
        for m in list(cands[k]):
            if len(out) >= limit:
                return
            self.guesses += 1
            chosen = ", ".join(str(i + 1) for i in bits(m)) or "none"
            if self.log is not None:
                self.log.note(f"Guess: {self.line_name(k)} is black in columns {chosen}.")
            c2, b2, w2 = [list(x) for x in cands], black[:], white[:]
            c2[k] = [m]
            try:
                self.propagate(c2, b2, w2)
            except Contradiction:
                self.dead_ends += 1
                if self.log is not None:
                    self.log.note(f"Contradiction: {self.line_name(k)} is not {chosen}.")
                continue
            self.search(c2, b2, w2, limit, out)

    def solve(self, limit: int = 2) -> list[list[int]]:
        """Up to ``limit`` solutions, each a list of row masks over columns."""
        sizes = [self.C] * self.R + [self.R] * self.C
        cands = [list(subsets(size, clue)) for size, clue in zip(sizes, self.clues, strict=True)]
        black, white = [0] * len(cands), [0] * len(cands)
        out: list[list[int]] = []
        try:
            self.propagate(cands, black, white)
        except Contradiction:
            return out
        self.search(cands, black, white, limit, out)
        return out


def clues_of(grid: list[list[int]]) -> tuple[list[int], list[int]]:
    rows = [sum(c + 1 for c, v in enumerate(row) if v) for row in grid]
    cols = [sum(r + 1 for r, row in enumerate(grid) if row[c]) for c in range(len(grid[0]))]
    return rows, cols
