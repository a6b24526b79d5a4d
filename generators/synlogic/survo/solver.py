"""The Survo solver: sum-bounded candidates, exact short lines, forced numbers, search
(see the package docstring)."""

from __future__ import annotations

from generators.synlogic.search_log import SearchLog


class Solver:
    """Backtracking over the grid (0 = empty); ``solutions`` collects completed grids."""

    def __init__(
        self, grid: list[list[int]], row_sums: list[int], col_sums: list[int], trace: bool = False
    ) -> None:
        self.R, self.C = len(row_sums), len(col_sums)
        self.N = self.R * self.C
        self.grid = [row[:] for row in grid]
        self.used = 0
        self.row_left, self.col_left = list(row_sums), list(col_sums)
        self.row_empty, self.col_empty = [0] * self.R, [0] * self.C
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v:
                    self.used |= 1 << v
                    self.row_left[r] -= v
                    self.col_left[c] -= v
                else:
                    self.row_empty[r] += 1
                    self.col_empty[c] += 1
        self.effort = self.guesses = self.branches = self.dead_ends = 0
        self.log = SearchLog() if trace else None
        self.solutions: list[list[list[int]]] = []

    def candidates(
        self, forbid: tuple[int, int, int] | None
    ) -> tuple[int, int, list[int], str] | None:
        """The empty cell to fill next as (r, c, values to try, why); None when the grid is
        full. A value fits a cell when its row and column can still reach their sums with
        the other unused numbers; lines with two or three empty cells keep only values that
        complete the line exactly; an unused number that fits one cell only goes there."""
        unused = [v for v in range(1, self.N + 1) if not self.used >> v & 1]
        if not unused:
            return None
        n = len(unused)
        low, high = [0] * (n + 1), [0] * (n + 1)  # sums of the j smallest / largest
        for j in range(n):
            low[j + 1] = low[j] + unused[j]
            high[j + 1] = high[j] + unused[n - 1 - j]

        def reachable(left: int, empty: int) -> set[int]:
            j = empty - 1
            return {
                v
                for pos, v in enumerate(unused)
                if (low[j] if pos >= j else low[j + 1] - v)
                <= left - v
                <= (high[j] if pos < n - j else high[j + 1] - v)
            }

        R, C = self.R, self.C
        rows = [
            reachable(self.row_left[r], e) if e else set() for r, e in enumerate(self.row_empty)
        ]
        cols = [
            reachable(self.col_left[c], e) if e else set() for c, e in enumerate(self.col_empty)
        ]
        fits = {
            (r, c): rows[r] & cols[c] for r in range(R) for c in range(C) if not self.grid[r][c]
        }
        if forbid and (forbid[0], forbid[1]) in fits:
            fits[forbid[0], forbid[1]].discard(forbid[2])
        lines = [([(r, c) for c in range(C) if (r, c) in fits], self.row_left[r]) for r in range(R)]
        lines += [
            ([(r, c) for r in range(R) if (r, c) in fits], self.col_left[c]) for c in range(C)
        ]
        for cells, left in lines:
            if 2 <= len(cells) <= 3:
                for cell, values in zip(
                    cells, completions([fits[x] for x in cells], left), strict=True
                ):
                    fits[cell] = values
        where: dict[int, list[tuple[int, int]]] = {v: [] for v in unused}
        for cell, values in fits.items():
            for v in values:
                where[v].append(cell)
        for v in unused:
            if len(where[v]) == 1:
                r, c = where[v][0]
                return r, c, [v], f"{v} fits no other empty cell"
            if not where[v]:
                r, c = next(iter(fits))
                return r, c, [], f"{v} fits no empty cell"
        (r, c), values = min(fits.items(), key=lambda item: (len(item[1]), item[0]))
        lines_now = self.line_text(r, c)
        if not values:
            return r, c, [], f"no unused number fits r{r + 1}c{c + 1} ({lines_now})"
        return r, c, sorted(values), f"the only number that fits: {lines_now}"

    def place(self, r: int, c: int, v: int, sign: int) -> None:
        self.grid[r][c] = v if sign > 0 else 0
        self.used ^= 1 << v
        self.row_left[r] -= sign * v
        self.col_left[c] -= sign * v
        self.row_empty[r] -= sign
        self.col_empty[c] -= sign

    def search(self, limit: int, forbid: tuple[int, int, int] | None = None) -> None:
        """Collect up to ``limit`` solutions; ``forbid`` = (r, c, v) rules v out at (r, c)."""
        best = self.candidates(forbid)
        if best is None:
            self.solutions.append([row[:] for row in self.grid])
            if self.log is not None:
                self.log.note("  Every cell is filled and every sum holds: a solution.")
            return
        r, c, options, why = best
        cell = f"r{r + 1}c{c + 1}"
        if not options:
            self.dead_ends += 1
            if self.log is not None:
                self.log.note(f"  Dead end: {why}.")
            return
        if len(options) > 1:
            self.branches += 1
        for v in options:
            if len(self.solutions) >= limit:
                return
            self.effort += 1
            self.guesses += len(options) > 1
            if self.log is not None:
                if len(options) == 1:
                    self.log.note(f"  {cell} = {v} ({why}).")
                else:
                    listed = ", ".join(map(str, options))
                    self.log.note(f"Try {cell} = {v} (possible: {listed}).")
            self.place(r, c, v, 1)
            self.search(limit, forbid)
            self.place(r, c, v, -1)

    def line_text(self, r: int, c: int) -> str:
        def part(name: str, left: int, empty: int) -> str:
            cells = "cell" if empty == 1 else "cells"
            return f"{name} needs {left} more in {empty} {cells}"

        return (
            f"{part(f'row {r + 1}', self.row_left[r], self.row_empty[r])}, "
            f"{part(f'column {c + 1}', self.col_left[c], self.col_empty[c])}"
        )


def completions(options: list[set[int]], total: int) -> list[set[int]]:
    """Per cell of a line with two or three empty cells, the values used by some way to fill
    them with distinct values from ``options`` adding up to ``total``."""
    if len(options) == 2:
        a, b = options
        first = {v for v in a if total - v in b and 2 * v != total}
        return [first, {total - v for v in first}]
    a, b, c = options
    used: list[set[int]] = [set(), set(), set()]
    for u in a:
        rest = total - u
        for v in b:
            w = rest - v
            if w in c and u != v and v != w and u != w:
                used[0].add(u)
                used[1].add(v)
                used[2].add(w)
    return used


def sums_of(grid: list[list[int]]) -> tuple[list[int], list[int]]:
    return [sum(row) for row in grid], [sum(col) for col in zip(*grid, strict=True)]
