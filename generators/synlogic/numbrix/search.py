"""Random Hamiltonian paths and the Numbrix search that counts solutions."""

from __future__ import annotations

from random import Random

from generators.synlogic.search_budget import BudgetedSearch, SearchBudgetExceeded


def neighbours(n: int) -> list[list[int]]:
    return [
        [
            r2 * n + c2
            for r2, c2 in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            if 0 <= r2 < n and 0 <= c2 < n
        ]
        for r in range(n)
        for c in range(n)
    ]


def random_path(n: int, rng: Random, nbrs: list[list[int]]) -> list[int]:
    """A random Hamiltonian path (cell per number, 0-based) by backbite moves."""
    path = [r * n + (c if r % 2 == 0 else n - 1 - c) for r in range(n) for c in range(n)]
    for _ in range(10 * n * n):
        if rng.random() < 0.5:
            path.reverse()
        x = rng.choice(nbrs[path[0]])
        if x != path[1]:
            i = path.index(x)
            path[:i] = path[i - 1 :: -1]
    return path


def cell_name(n: int, cell: int) -> str:
    return f"r{cell // n + 1}c{cell % n + 1}"


class PathSearch(BudgetedSearch[list[int]]):
    """Counts solutions (up to a limit) of a Numbrix grid; ``givens`` maps number → cell."""

    def __init__(self, n: int, givens: dict[int, int], log: bool = False) -> None:
        super().__init__(log)
        self.n, self.total = n, n * n
        self.nbrs = neighbours(n)
        # number → cell, -1 while unplaced; 0 and n²+1 are sentinels that count as placed
        self.at = [self.total] + [-1] * self.total + [self.total]
        self.cell = [0] * self.total  # cell → number, 0 when empty
        for value, c in givens.items():
            self.at[value], self.cell[c] = c, value
        self.given = [c >= 0 for c in self.at]
        assert self.given[1] and self.given[self.total], "1 and n² are always given"
        # Steps (number, next given at or beyond it), from 2 up to n².
        self.plan: list[tuple[int, int]] = []
        target = self.total
        for value in range(self.total, 1, -1):
            if self.given[value]:
                target = value
            self.plan.append((value, target))
        self.plan.reverse()

    def _start(self) -> None:
        self._extend(0)

    def _no_dead_end(self, c: int) -> bool:
        """No empty neighbour of ``c`` is left with fewer than two usable neighbours.

        A neighbour is usable if it is empty or holds a number missing a chain neighbour.
        """
        cell, nbrs, at = self.cell, self.nbrs, self.at
        for y in nbrs[c]:
            if cell[y]:
                continue
            usable = 0
            for z in nbrs[y]:
                value = cell[z]
                if not value or at[value - 1] < 0 or at[value + 1] < 0:
                    usable += 1
            if usable < 2:
                return False
        return True

    def _extend(self, step: int) -> bool:
        """Depth-first search from plan step ``step``; True when the limit is reached."""
        if step == len(self.plan):
            self.solutions.append(self.cell[:])
            self._note("all numbers placed: a solution")
            return len(self.solutions) >= self.limit
        self._count_node()
        value, target = self.plan[step]
        anchor = value - 1
        prev = self.at[anchor]
        n = self.n
        if self.given[value]:
            if self.at[value] in self.nbrs[prev]:
                return self._extend(step + 1)
            where = cell_name(n, self.at[value])
            self._note(f"{value} is given at {where}, not next to {anchor}: dead end")
            return False
        options = []
        for x in self.nbrs[prev]:
            if self.cell[x]:
                continue
            tc = self.at[target]
            if abs(x // n - tc // n) + abs(x % n - tc % n) <= target - value:
                options.append(x)
        if not options:
            self._note(f"no cell next to {anchor} can take {value}: dead end, back up")
        elif len(options) > 1:
            names = ", ".join(cell_name(n, x) for x in options)
            self._note(f"{value} could go at {names}")
        for x in options:
            self.cell[x], self.at[value] = value, x
            if self._no_dead_end(prev) and self._no_dead_end(x):
                if len(options) > 1:
                    self._note(f"try {value} at {cell_name(n, x)}")
                if self._extend(step + 1):
                    return True
            elif len(options) > 1:
                self._note(f"{value} at {cell_name(n, x)} would strand an empty cell")
            self.cell[x], self.at[value] = 0, -1
        return False


def unique_givens(
    n: int, path: list[int], given_fraction: float, budget: int, rng: Random
) -> dict[int, int]:
    """Givens from ``path`` (number-1 → cell) whose only solution is ``path``."""
    total = n * n
    keep = max(0, round(given_fraction * total) - 2)
    values = sorted([1, total, *rng.sample(range(2, total), keep)])
    givens = {v: path[v - 1] for v in values}
    while True:
        search = PathSearch(n, givens)
        try:
            solutions = search.run(limit=2, budget=budget)
        except SearchBudgetExceeded:
            missing = [v for v in range(1, total + 1) if v not in givens]
        else:
            if len(solutions) == 1:
                return givens
            truth = [0] * total
            for value, c in enumerate(path, start=1):
                truth[c] = value
            other = solutions[1] if solutions[0] == truth else solutions[0]
            missing = [truth[c] for c in range(total) if other[c] != truth[c]]
        value = rng.choice(missing)
        givens = dict(sorted({**givens, value: path[value - 1]}.items()))
