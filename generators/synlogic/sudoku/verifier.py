"""Answer checking: parse the grid, keep the givens, obey the rules, match the solution.

The solution is unique (proven at generation), so a grid that keeps every given and obeys
every rule *is* the solution; the rule check exists to name what a wrong answer breaks.
Linear in the answer's size, no search.
"""

from __future__ import annotations

import re
from functools import cache

from generators.synlogic.grid import int_cell, parse_grid
from generators.synlogic.sudoku.geometry import Geometry


@cache
def _plain_grid(n: int) -> re.Pattern[str]:
    """n rows of n digits 1..n, one space between cells: the reference answer's layout."""
    row = f"[1-{n}](?: [1-{n}]){{{n - 1}}}"
    return re.compile(f"{row}(?:\n{row}){{{n - 1}}}")


class GridChecker:
    """``check_answer`` for one puzzle, with its cells laid out once (a reward scores many
    answers per puzzle).

    Grids are compared as strings of digits in reading order (n ≤ 9: one character per
    cell). An answer in the reference layout (digits, single spaces, newlines) is read by
    one regex match and a slice; any other goes through
    :func:`generators.synlogic.grid.parse_grid`: same grid, same verdict.
    """

    def __init__(self, g: Geometry, givens: list[int], solution: list[int]) -> None:
        self.g = g
        self.givens = [(x, str(digit)) for x, digit in enumerate(givens) if digit]
        self.solution = "".join(map(str, solution))
        self.plain = _plain_grid(g.n)
        self.cell = int_cell(1, g.n)

    def read(self, answer: str) -> str:
        """The answer's digits in reading order; AnswerFormatError when it is no n×n grid."""
        if self.plain.fullmatch(answer):
            return answer[::2]
        rows = parse_grid(answer, self.g.n, self.g.n, self.cell, compact=True)
        return "".join(str(digit) for row in rows for digit in row)

    def __call__(self, answer: str) -> tuple[float, str]:
        """Score and reason; raises AnswerFormatError when the text is not an n×n digit grid."""
        grid = self.read(answer)
        if grid == self.solution:
            return 1.0, "every row, column and box holds each digit once and the givens are kept"
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
