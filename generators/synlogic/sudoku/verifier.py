"""Answer checking: parse the grid, keep the givens, obey the rules, match the solution.

The solution is unique (proven at generation), so a grid that keeps every given and obeys
every rule *is* the solution; the rule check exists to name what a wrong answer breaks.
Linear in the answer's size, no search.
"""

from __future__ import annotations

from functools import cache

from generators.synlogic.grid import int_cell, parse_grid
from generators.synlogic.sudoku.geometry import Geometry

_SOLVED = "every row, column and box holds each digit once and the givens are kept"


@cache
def _plain_layout(n: int) -> tuple[str, str]:
    """The reference answer's layout, n rows of n digits 1..n with one space between cells:
    its separators (every other character, from the second) and its digits."""
    return "\n".join([" " * (n - 1)] * n), "".join(map(str, range(1, n + 1)))


class GridChecker:
    """``check_answer`` for one puzzle, with its cells laid out once (a reward scores many
    answers per puzzle).

    Grids are compared as strings of digits in reading order (n ≤ 9: one character per
    cell). An answer in the reference layout (digits, single spaces, newlines) is read with
    two slices and a ``str.strip`` (cheaper than a regex match, on a reward's hot path); any
    other goes through :func:`generators.synlogic.grid.parse_grid`: same grid, same verdict.
    """

    def __init__(self, g: Geometry, givens: list[int], solution: list[int]) -> None:
        self.g = g
        self.givens = [(x, str(digit)) for x, digit in enumerate(givens) if digit]
        self.solution = "".join(map(str, solution))
        self.separators, self.digits = _plain_layout(g.n)
        self.plain_length = 2 * g.cells - 1
        self.reference = "\n".join(
            " ".join(self.solution[r * g.n : (r + 1) * g.n]) for r in range(g.n)
        )
        self.cell = int_cell(1, g.n)

    def read(self, answer: str) -> str:
        """The answer's digits in reading order; AnswerFormatError when it is no n×n grid."""
        if len(answer) == self.plain_length and answer[1::2] == self.separators:
            digits = answer[::2]
            if not digits.strip(self.digits):  # every cell a digit 1..n
                return digits
        rows = parse_grid(answer, self.g.n, self.g.n, self.cell, compact=True)
        return "".join(str(digit) for row in rows for digit in row)

    def score_only(self, answer: str) -> float:
        """``self(answer)[0]`` without building the reason (for rewards): every grid but the
        solution scores 0. Raises AnswerFormatError when ``self`` does."""
        return 1.0 if answer == self.reference or self.read(answer) == self.solution else 0.0

    def __call__(self, answer: str) -> tuple[float, str]:
        """Score and reason; raises AnswerFormatError when the text is not an n×n digit grid."""
        if answer == self.reference:  # the commonest right answer: no need to read it
            return 1.0, _SOLVED
        grid = self.read(answer)
        if grid == self.solution:
            return 1.0, _SOLVED
        g = self.g
        for x, given in self.givens:
            if grid[x] != given:
                return 0.0, f"{g.cell_name(x)} is given as {given} but the answer has {grid[x]}"
        for u, unit in enumerate(g.unit_getters):
            digits = unit(grid)
            if len(set(digits)) < g.n:
                return 0.0, f"{g.unit_name(u)} contains {_repeated(digits)} more than once"
        # Unreachable while the solution is unique; kept as a guard.
        wrong = next(x for x in range(g.cells) if grid[x] != self.solution[x])
        return 0.0, f"differs from the unique solution at {g.cell_name(wrong)}"


def _repeated(digits: tuple[str, ...]) -> str:
    """The first digit that shows up a second time."""
    seen: set[int] = set()
    for digit in digits:
        if digit in seen:
            return digit
        seen.add(digit)
    raise ValueError("no digit repeats")


def check_grid(
    g: Geometry, givens: list[int], solution: list[int], answer: str
) -> tuple[float, str]:
    """Score and reason; raises AnswerFormatError when the text is not an n×n digit grid."""
    return GridChecker(g, givens, solution)(answer)
