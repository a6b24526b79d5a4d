"""The Survo task: config, generation by blanking while unique, prompt, verifier."""

from __future__ import annotations

from functools import cache
from math import factorial
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.hashrandom import Draws
from generators.synlogic.grid import format_grid, int_cell, parse_grid
from generators.synlogic.survo.count import Counter, native
from generators.synlogic.survo.solver import Solver, sums_of
from schemas.records import Problem


class SurvoConfig(TaskConfig):
    rows: int = Field(default=3, ge=2, le=5, description="grid rows")
    cols: int = Field(default=3, ge=2, le=5, description="grid columns")
    blanks: int = Field(
        default=4, ge=1, le=25, description="empty cells (fewer where more breaks uniqueness)"
    )
    max_attempts: int = Field(default=200, ge=1, le=100_000, description="grids tried")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 3, "cols": 3, "blanks": 3},
    2: {"rows": 3, "cols": 3, "blanks": 5},
    3: {"rows": 3, "cols": 4, "blanks": 6},
    4: {"rows": 3, "cols": 4, "blanks": 8},
    5: {"rows": 4, "cols": 4, "blanks": 8},
    6: {"rows": 4, "cols": 4, "blanks": 10},
    7: {"rows": 4, "cols": 5, "blanks": 10},
    8: {"rows": 4, "cols": 5, "blanks": 12},
    9: {"rows": 4, "cols": 5, "blanks": 13},
    10: {"rows": 5, "cols": 5, "blanks": 15},
}

INTROS = (
    "Solve this {r}x{c} Survo puzzle.",
    "Complete the {r}x{c} Survo grid below.",
    "Here is a {r}-row, {c}-column Survo number grid with some cells missing.",
)
QUESTIONS = (
    "What is the completed grid?",
    "Fill in every missing number.",
    "Find the numbers that belong in the empty cells.",
)
_PROMPT_BITS = (len(INTROS) * len(QUESTIONS)).bit_length() + 64


Sums = tuple[list[int], list[int]]


def build(config: SurvoConfig, rng: Random) -> tuple[list[list[int]], list[list[int]], Sums]:
    """(solution, puzzle grid with 0 for blanks, line sums) with ``config.blanks`` blanks
    and a unique solution; a grid that cannot take that many is redrawn, and after
    ``max_attempts`` draws the one that took the most is used."""
    R, C = config.rows, config.cols
    bits = _permutation_bits(R * C)
    best: tuple[int, list[list[int]], list[list[int]], Sums] | None = None
    for _ in range(config.max_attempts):
        draws = Draws(rng.getrandbits(bits))
        values = list(range(1, R * C + 1))
        draws.shuffle(values)
        solution = [values[r * C : r * C + C] for r in range(R)]
        sums = sums_of(solution)
        blanks = blank_while_unique(values, sums, draws, config.blanks)
        puzzle = [values[r * C : r * C + C] for r in range(R)]
        if blanks == config.blanks:
            return solution, puzzle, sums
        if best is None or blanks > best[0]:
            best = (blanks, solution, puzzle, sums)
    assert best is not None
    return best[1:]


@cache
def _permutation_bits(n: int) -> int:
    """Random bits for two orders of ``n`` things (numbers, then cells to blank), plus 64."""
    return (factorial(n) ** 2).bit_length() + 64


def blank_while_unique(
    values: list[int], sums: Sums, draws: Draws, target: int, python: bool = False
) -> int:
    """Blank (set to 0) up to ``target`` cells of the full grid ``values`` (row-major) in
    random order, each only if the puzzle stays unique; returns how many were blanked.

    A blank whose row and column are not yet linked by blanks needs no search: adding up
    the sums of its row's side of the blank graph, rows minus columns, leaves its value
    alone, so the sums force it and the rest is the old, unique puzzle. Only a blank that
    closes a cycle of blanks is checked, by a :class:`Counter` made at the first such one,
    or all in the C kernel where it was compiled (``python`` insists on the reference).
    """
    rows, cols = sums
    cells = list(range(len(values)))
    draws.shuffle(cells)
    if native is None or python:
        return _blank_in_python(values, sums, cells, target)
    blanked = native.blank_while_unique(len(rows), len(cols), values, rows + cols, cells, target)
    for cell in blanked:
        values[cell] = 0
    return len(blanked)


def _blank_in_python(values: list[int], sums: Sums, cells: list[int], target: int) -> int:
    """:func:`blank_while_unique` over the cells in the order given, in Python."""
    rows, cols = sums
    C = len(cols)
    group = list(range(len(rows) + C))  # union-find over lines linked by blanks

    def root(line: int) -> int:
        while group[line] != line:
            group[line] = line = group[group[line]]
        return line

    counter: Counter | None = None
    blanks = 0
    for cell in cells:
        if blanks == target:
            break
        a, b = root(cell // C), root(len(rows) + cell % C)
        if a != b:
            group[a] = b
            if counter is not None:
                counter.blank(cell)
        else:
            if counter is None:
                counter = Counter([values[i : i + C] for i in range(0, len(values), C)], *sums)
            v = counter.blank(cell)
            if counter.count(1, forbid=(cell, v), python=True):
                counter.fill(cell, v)
                continue
        values[cell] = 0
        blanks += 1
    return blanks


def render_prompt(draws: Draws, puzzle: list[list[int]], rows: list[int], cols: list[int]) -> str:
    R, C = len(rows), len(cols)
    width = len(str(max(*rows, *cols)))
    table = [
        " ".join([(str(v) if v else "_").rjust(width) for v in row]) + f" | {total}"
        for row, total in zip(puzzle, rows, strict=True)
    ]
    table.append("-" * len(table[0]))
    table.append(" ".join([str(total).rjust(width) for total in cols]))
    return "\n".join(
        [
            draws.pick(INTROS).format(r=R, c=C),
            "",
            "Rules:",
            f"- Each of the numbers 1 to {R * C} appears exactly once in the grid.",
            "- The numbers in each row add up to the sum shown at the right of the row, and the "
            "numbers in each column add up to the sum shown below the column.",
            "- Cells marked _ are empty; the other numbers are given and stay as they are.",
            "",
            *table,
            "",
            f"{draws.pick(QUESTIONS)} Answer with the full grid (given numbers included) as "
            f"{R} lines, one per row from top to bottom, each with {C} numbers separated by "
            "spaces; leave out the sums.",
            "",
            ANSWER_INSTRUCTION,
        ]
    )


class Survo(Task[SurvoConfig]):
    """Survo with a unique completion proven by sum-bounded backtracking."""

    name: ClassVar[str] = "survo"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = (
        "Survo: complete an R x C grid with the numbers 1..R*C, each once, so that rows and "
        "columns add up to the given sums; some cells are given; unique solution."
    )
    Config = SurvoConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: SurvoConfig, rng: Random, index: int) -> Instance:
        solution, puzzle, (rows, cols) = build(config, rng)
        payload = {"puzzle": puzzle, "row_sums": rows, "col_sums": cols, "solution": solution}
        prompt = render_prompt(Draws(rng.getrandbits(_PROMPT_BITS)), puzzle, rows, cols)
        return Instance(prompt, format_grid(solution), payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        solver = Solver(p["puzzle"], p["row_sums"], p["col_sums"], trace=True)
        solver.search(2)
        assert len(solver.solutions) == 1 and solver.log is not None
        grid = format_grid(solver.solutions[0])
        missing = sorted(set(range(1, solver.N + 1)) - {v for row in p["puzzle"] for v in row})
        intro = (
            f"The missing numbers are {', '.join(map(str, missing))}. A number fits an empty "
            "cell only if its row and its column can still reach their sums with the other "
            "unused numbers (between the sums of the smallest and of the largest ones), and a "
            "line with two or three empty cells must be completed exactly. I place forced "
            "numbers first, otherwise try each candidate of the cell with the fewest, and back "
            "up at dead ends."
        )
        reasoning = solver.log.render(intro, solver.guesses, solver.dead_ends, "grid", grid)
        stats = {
            "effort": solver.effort,
            "guesses": solver.guesses,
            "branches": solver.branches,
            "dead_ends": solver.dead_ends,
        }
        return Solution(grid, reasoning, stats)

    def answer_space(self, problem: Problem) -> int:
        """Every order of the numbers 1..n over the cells."""
        return factorial(len(problem.payload["row_sums"]) * len(problem.payload["col_sums"]))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        p = problem.payload
        rows, cols = p["row_sums"], p["col_sums"]
        n = len(rows) * len(cols)
        grid = parse_grid(answer, len(rows), len(cols), int_cell(1, n))
        flat = [v for row in grid for v in row]
        if len(set(flat)) != n:
            return 0.0, f"the numbers 1 to {n} must each appear exactly once"
        for r, row in enumerate(p["puzzle"]):
            for c, v in enumerate(row):
                if v and grid[r][c] != v:
                    return 0.0, f"r{r + 1}c{c + 1} is given as {v}"
        got_rows, got_cols = sums_of(grid)
        for kind, want, got in (("row", rows, got_rows), ("column", cols, got_cols)):
            for k, (w, g) in enumerate(zip(want, got, strict=True), start=1):
                if w != g:
                    return 0.0, f"{kind} {k} adds up to {g}, not {w}"
        return 1.0, "all rules hold"
