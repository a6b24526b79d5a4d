"""Reference reasoning: singles a reader can check, and guesses with backtracking when stuck.

Candidates come only from the digits already placed in a cell's row, column and box, so
every step is one of two checkable facts: a *naked single* (the cell's units already hold
every other digit) or a *hidden single* (no other cell of a unit can take the digit). When
neither exists the solver guesses at a cell with the fewest candidates, smallest digit
first, and backs up when a branch runs into a cell or a digit with no place left.

``effort`` = placements made (including those later undone) + guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generators.synlogic.sudoku.geometry import Geometry


@dataclass
class Branch:
    """One stretch of deductions, started by a guess (except the root)."""

    guess: tuple[int, int, list[int]] | None  # (cell, digit, the cell's candidates)
    steps: list[tuple[int, int, str]] = field(default_factory=list)  # (cell, digit, reason)
    children: list[Branch] = field(default_factory=list)
    dead_end: str = ""  # why the deductions stopped in a contradiction
    split: int = -1  # the cell guessed at when the deductions got stuck
    solved: bool = False


class Reasoner:
    """Depth-first search over guesses with singles in between; counts its work."""

    def __init__(self, g: Geometry, givens: list[int]) -> None:
        self.g = g
        self.givens = givens
        self.full = (1 << g.n + 1) - 2  # digit d is bit d here
        self.unit_order = [*range(2 * g.n, 3 * g.n), *range(2 * g.n)]  # boxes, rows, columns
        self.placements = 0
        self.guesses = 0

    def digits(self, mask: int) -> list[int]:
        return [d for d in range(1, self.g.n + 1) if mask >> d & 1]

    def candidates(self, used: list[int], x: int) -> int:
        r, c, b = self.g.cell_units[x]
        return self.full & ~(used[r] | used[c] | used[b])

    def place(self, grid: list[int], used: list[int], x: int, digit: int) -> None:
        grid[x] = digit
        for u in self.g.cell_units[x]:
            used[u] |= 1 << digit
        self.placements += 1

    def next_single(self, grid: list[int], used: list[int]) -> tuple[int, int, str] | str | None:
        """The next forced placement, a contradiction (its description), or None if stuck.

        Hidden singles are looked for first (boxes, then rows, then columns), then naked ones.
        """
        g = self.g
        cands = [0 if grid[x] else self.candidates(used, x) for x in range(g.cells)]
        for x in range(g.cells):
            if not grid[x] and not cands[x]:
                return f"{g.cell_name(x)} has no candidate left"
        for u in self.unit_order:
            once = twice = 0
            for x in g.units[u]:
                twice |= once & cands[x]
                once |= cands[x]
            missing = self.full & ~used[u] & ~once
            if missing:
                digit = self.digits(missing)[0]
                return f"{digit} has no place left in {g.unit_name(u)}"
            hidden = once & ~twice
            if hidden:
                digit = self.digits(hidden)[0]
                x = next(x for x in g.units[u] if cands[x] >> digit & 1)
                return x, digit, f"the only cell of {g.unit_name(u)} that can still take {digit}"
        for x in range(g.cells):
            m = cands[x]
            if m and not m & (m - 1):
                reason = "its row, column and box already hold every other digit"
                return x, m.bit_length() - 1, reason
        return None

    def explore(self, grid: list[int], used: list[int], branch: Branch) -> list[int] | None:
        """Deduce, then guess if needed; fills ``branch`` and returns the solution or None."""
        while True:
            found = self.next_single(grid, used)
            if found is None:
                break
            if isinstance(found, str):
                branch.dead_end = found
                return None
            x, digit, reason = found
            self.place(grid, used, x, digit)
            branch.steps.append((x, digit, reason))
        open_cells = [x for x in range(self.g.cells) if not grid[x]]
        if not open_cells:
            branch.solved = True
            return grid
        x = min(open_cells, key=lambda y: self.candidates(used, y).bit_count())
        options = self.digits(self.candidates(used, x))
        branch.split = x
        for digit in options:
            self.guesses += 1
            child = Branch(guess=(x, digit, options))
            branch.children.append(child)
            trial_grid, trial_used = grid.copy(), used.copy()
            self.place(trial_grid, trial_used, x, digit)
            solution = self.explore(trial_grid, trial_used, child)
            if solution is not None:
                branch.solved = True
                return solution
        return None

    def run(self) -> tuple[Branch, list[int]]:
        grid = [0] * self.g.cells
        used = [0] * (3 * self.g.n)
        for x, digit in enumerate(self.givens):
            if digit:
                grid[x] = digit
                for u in self.g.cell_units[x]:
                    used[u] |= 1 << digit
        root = Branch(guess=None)
        solution = self.explore(grid, used, root)
        assert solution is not None, "the puzzle has no solution"
        return root, solution


def reason(g: Geometry, givens: list[int]) -> tuple[Branch, list[int], dict[str, int]]:
    """The search tree of the reference reasoning, the solution and the effort counts."""
    reasoner = Reasoner(g, givens)
    root, solution = reasoner.run()
    stats = {
        "effort": reasoner.placements + reasoner.guesses,
        "placements": reasoner.placements,
        "guesses": reasoner.guesses,
    }
    return root, solution, stats
