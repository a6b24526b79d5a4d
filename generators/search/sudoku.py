"""Sudoku as a search space: fill the next empty cell with a digit.

A state is the tuple of all cell digits (0 = empty). A move puts a digit in the next
empty cell: the first in row-major order, or with ``most_constrained`` the one with the
fewest candidates (first such in row-major order), as a person would — which keeps 9×9
searches small. Only digits not already in that cell's row, column or box are legal, so
a state whose next empty cell has no such digit is a dead end. Answers are the full grid in
the sudoku verifier's format.
"""

from __future__ import annotations

from generators.search.env import TaskEnvironment
from generators.synlogic.sudoku.geometry import geometry
from generators.synlogic.sudoku.render import render_answer
from schemas.records import Problem

SudokuState = tuple[int, ...]
Place = tuple[int, int]  # (cell, digit)


class Sudoku(TaskEnvironment):
    """Search space of a sudoku problem (4×4, 6×6 or 9×9)."""

    def __init__(self, problem: Problem, *, most_constrained: bool = False) -> None:
        super().__init__(problem)
        self.most_constrained = most_constrained
        self.g = geometry(problem.payload["size"])
        self.givens = tuple(d for row in problem.payload["givens"] for d in row)

    def initial(self) -> SudokuState:
        return self.givens

    def complete(self, state: SudokuState) -> bool:
        return 0 not in state

    def candidates(self, state: SudokuState, cell: int) -> list[int]:
        used = {state[p] for p in self.g.peers[cell]}
        return [d for d in range(1, self.g.n + 1) if d not in used]

    def moves(self, state: SudokuState) -> list[Place]:
        if self.complete(state):
            return []
        if not self.most_constrained:
            cell = state.index(0)
            return [(cell, digit) for digit in self.candidates(state, cell)]
        options = {c: self.candidates(state, c) for c, digit in enumerate(state) if not digit}
        cell = min(options, key=lambda c: len(options[c]))
        return [(cell, digit) for digit in options[cell]]

    def apply(self, state: SudokuState, move: Place) -> SudokuState:
        cell, digit = move
        if state[cell] or digit not in self.candidates(state, cell):
            raise ValueError(f"{self.describe_move(move)} is not legal here")
        return (*state[:cell], digit, *state[cell + 1 :])

    def answer(self, state: SudokuState) -> str:
        if not self.complete(state):
            raise ValueError("an answer needs every cell filled")
        return render_answer(self.g, list(state))

    def describe(self, state: SudokuState) -> str:
        n = self.g.n
        return " / ".join(
            "".join(str(d) if d else "." for d in state[r * n : (r + 1) * n]) for r in range(n)
        )

    def describe_move(self, move: Place) -> str:
        return f"{self.g.cell_name(move[0])} = {move[1]}"

    def failure(self, state: SudokuState) -> str:
        if self.complete(state):
            return super().failure(state)
        cell = self._blocked(state)
        used = sorted({state[p] for p in self.g.peers[cell]} - {0})
        listed = ", ".join(map(str, used))
        return (
            f"no digit fits {self.g.cell_name(cell)}: its row, column and box already hold {listed}"
        )

    def _blocked(self, state: SudokuState) -> int:
        """The empty cell with no candidate left (the next one to fill when none is)."""
        empty = [c for c, digit in enumerate(state) if not digit]
        return next((c for c in empty if not self.candidates(state, c)), empty[0])

    def heuristic(self, state: SudokuState, move: Place) -> float:
        """Fewest candidates left in an empty peer after the move (0 means a dead end)."""
        after = self.apply(state, move)
        empty = [p for p in self.g.peers[move[0]] if not after[p]]
        return float(min((len(self.candidates(after, p)) for p in empty), default=self.g.n))
