"""Answer checking: parse the grid, keep the givens, obey the rules, match the solution.

The solution is unique (proven at generation), so a grid that keeps every given and obeys
every rule *is* the solution; the rule check exists to name what a wrong answer breaks.
Linear in the answer's size, no search.
"""

from __future__ import annotations

from generators.synlogic.grid import int_cell, parse_grid
from generators.synlogic.sudoku.geometry import Geometry


def check_grid(
    g: Geometry, givens: list[int], solution: list[int], answer: str
) -> tuple[float, str]:
    """Score and reason; raises AnswerFormatError when the text is not an n×n digit grid."""
    rows = parse_grid(answer, g.n, g.n, int_cell(1, g.n), compact=True)
    grid = [digit for row in rows for digit in row]
    for x, (given, digit) in enumerate(zip(givens, grid, strict=True)):
        if given and digit != given:
            return 0.0, f"{g.cell_name(x)} is given as {given} but the answer has {digit}"
    for u, unit in enumerate(g.units):
        seen: set[int] = set()
        for x in unit:
            if grid[x] in seen:
                return 0.0, f"{g.unit_name(u)} contains {grid[x]} more than once"
            seen.add(grid[x])
    if grid != solution:  # unreachable while the solution is unique; kept as a guard
        wrong = next(x for x in range(g.cells) if grid[x] != solution[x])
        return 0.0, f"differs from the unique solution at {g.cell_name(wrong)}"
    return 1.0, "every row, column and box holds each digit once and the givens are kept"
