"""Futoshiki: a Latin square with some givens and inequality signs between neighbours.

Generation draws a random Latin square, places ``inequalities`` random signs between
orthogonal neighbours (oriented by the square), adds givens where two solutions still
differ until the square is the only solution, removes givens in random order while it
stays unique, and pads with random givens up to the ``givens`` knob. Uniqueness is
proven by the shared solver (:mod:`generators.synlogic.latin`) counting to two.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, Task, TaskConfig
from generators.synlogic.grid import format_grid
from generators.synlogic.latin import (
    Constraint,
    Grid,
    LatinSolver,
    cell_name,
    check_square,
    compose_prompt,
    drop_redundant_givens,
    fix_uniqueness,
    givens_from_payload,
    givens_to_payload,
    pad_givens,
    random_latin_square,
    solve_with_trace,
)
from schemas.records import Problem


class FutoshikiConfig(TaskConfig):
    n: int = Field(default=5, ge=4, le=9, description="grid size n (values 1..n)")
    inequalities: int = Field(default=8, ge=0, le=60, description="inequality signs shown")
    givens: int = Field(
        default=4,
        ge=0,
        le=81,
        description="givens shown (more when fewer cannot make the solution unique)",
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"n": 4, "inequalities": 3, "givens": 7},
    2: {"n": 4, "inequalities": 5, "givens": 2},
    3: {"n": 5, "inequalities": 6, "givens": 5},
    4: {"n": 5, "inequalities": 8, "givens": 0},
    5: {"n": 6, "inequalities": 8, "givens": 6},
    6: {"n": 6, "inequalities": 12, "givens": 0},
    7: {"n": 7, "inequalities": 10, "givens": 20},
    8: {"n": 7, "inequalities": 12, "givens": 15},
    9: {"n": 7, "inequalities": 16, "givens": 0},
    10: {"n": 7, "inequalities": 26, "givens": 0},
}


class Less(Constraint):
    """The sign ``a < b`` between two neighbouring cells (bounds propagation)."""

    def __init__(self, a: int, b: int, n: int) -> None:
        self.cells = (a, b)
        self.n = n
        self.label = f"the sign {cell_name(n, a)} < {cell_name(n, b)}"

    def filter(self, dom: list[int]) -> list[int] | None:
        a, b = self.cells
        da, db = dom[a], dom[b]
        na = da & ((1 << (db.bit_length() - 1)) - 1)
        if not na:
            return None
        nb = db & ~(((na & -na) << 1) - 1)
        if not nb:
            return None
        if na == da:
            if nb == db:
                return []
            dom[b] = nb
            return [b]
        dom[a] = na
        if nb == db:
            return [a]
        dom[b] = nb
        return [a, b]

    def why(self, dom: list[int], cell: int, value: int) -> str:
        return f"it is the only remaining candidate that respects {self.label}"


def _solver(n: int, inequalities: list[list[int]]) -> LatinSolver:
    return LatinSolver(n, [Less(a, b, n) for a, b in inequalities])


def _neighbour_pairs(n: int) -> list[tuple[int, int]]:
    pairs = [(r * n + c, r * n + c + 1) for r in range(n) for c in range(n - 1)]
    return pairs + [(r * n + c, (r + 1) * n + c) for r in range(n - 1) for c in range(n)]


_INTROS = (
    "Solve this {n}×{n} Futoshiki puzzle.",
    'Here is a Futoshiki ("inequality") puzzle on a {n}×{n} grid.',
    "Complete the following {n}×{n} Futoshiki grid.",
)
_RULES = (
    "Fill every cell with a number from 1 to {n} so that each row and each column contains "
    "every number exactly once. Given numbers must stay, and every inequality sign between "
    "two neighbouring cells must hold.",
    "Each row and each column must contain the numbers 1 to {n} exactly once. Keep the given "
    "numbers, and respect every inequality sign between adjacent cells.",
    "Rules: every row and every column holds each of 1..{n} exactly once; the given numbers "
    "are fixed; each inequality sign between two adjacent cells must be satisfied.",
)
_QUESTIONS = (
    "What is the completed grid?",
    "Find the unique solution.",
    "Fill in the grid.",
)


def _picture(n: int, givens: dict[int, int], inequalities: list[list[int]]) -> str:
    """The grid with '_' for empty cells, '<'/'>' inside rows and '^'/'v' between rows."""
    sign = {}
    for a, b in inequalities:
        lo, hi = min(a, b), max(a, b)
        if hi == lo + 1:
            sign[lo, hi] = "<" if a == lo else ">"
        else:
            sign[lo, hi] = "^" if a == lo else "v"
    lines = []
    for r in range(n):
        row = ""
        for c in range(n):
            cell = r * n + c
            row += str(givens.get(cell, "_"))
            if c < n - 1:
                row += f" {sign.get((cell, cell + 1), ' ')} "
        lines.append(row.rstrip())
        if r < n - 1:
            below = "   ".join(sign.get((r * n + c, (r + 1) * n + c), " ") for c in range(n))
            lines.append(below.rstrip())
    return "```\n" + "\n".join(lines) + "\n```"


def _listing(n: int, givens: dict[int, int], inequalities: list[list[int]]) -> str:
    cells = ", ".join(f"{cell_name(n, c)} = {v}" for c, v in sorted(givens.items()))
    signs = "\n".join(f"- {cell_name(n, a)} < {cell_name(n, b)}" for a, b in inequalities)
    return (
        f"Given numbers: {cells or 'none'}.\n"
        f"Inequalities ({len(inequalities)}):\n{signs or '- none'}"
    )


def _render_prompt(
    n: int, givens: dict[int, int], inequalities: list[list[int]], rng: Random
) -> str:
    if rng.random() < 0.5:
        body = (
            "The grid below (in a code block) shows empty cells as '_'. A '<' or '>' between "
            "two cells of a row compares them (the smaller number is on the side of the "
            "point). A '^' between two rows means the cell above is smaller than the cell "
            "below it; a 'v' means the cell above is larger.\n\n"
            + _picture(n, givens, inequalities)
        )
    else:
        body = (
            f"Cells are written (row,column), rows numbered 1..{n} from the top and columns "
            f"1..{n} from the left.\n\n" + _listing(n, givens, inequalities)
        )
    return compose_prompt(rng, n, _INTROS, _RULES, body, _QUESTIONS)


class Futoshiki(Task[FutoshikiConfig]):
    """Futoshiki puzzles with a proven unique solution."""

    name: ClassVar[str] = "futoshiki"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Futoshiki: fill an n×n Latin square that respects given numbers and inequality "
        "signs between neighbouring cells; the solution is unique."
    )
    Config = FutoshikiConfig
    LEVELS = LEVELS

    def generate(self, config: FutoshikiConfig, rng: Random, index: int) -> Instance:
        n = config.n
        square = random_latin_square(n, rng)
        flat = [v for row in square for v in row]
        pairs = _neighbour_pairs(n)
        chosen = sorted(rng.sample(pairs, min(config.inequalities, len(pairs))))
        inequalities = [[a, b] if flat[a] < flat[b] else [b, a] for a, b in chosen]
        solver = _solver(n, inequalities)
        givens: dict[int, int] = {}
        fix_uniqueness(solver, square, givens, rng)
        drop_redundant_givens(solver, givens, config.givens, rng)
        pad_givens(square, givens, min(config.givens, n * n), rng)
        return Instance(
            prompt=_render_prompt(n, givens, inequalities, rng),
            answer=format_grid(square),
            payload={
                "n": n,
                "givens": givens_to_payload(givens),
                "inequalities": inequalities,
            },
        )

    def solve(self, problem: Problem) -> Solution:
        payload = problem.payload
        n, inequalities = payload["n"], payload["inequalities"]
        intro = (
            f"The grid is {n}×{n}: every row and column holds 1..{n} once. "
            f"There are {len(payload['givens'])} givens and {len(inequalities)} inequality "
            "signs; I propagate these rules and guess only when nothing is forced."
        )
        return solve_with_trace(_solver(n, inequalities), givens_from_payload(payload), intro)

    def answer_space(self, problem: Problem) -> int:
        n = problem.payload["n"]
        return n ** (n * n)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        payload = problem.payload
        n = payload["n"]

        def signs(grid: Grid) -> str | None:
            for a, b in payload["inequalities"]:
                if grid[a // n][a % n] >= grid[b // n][b % n]:
                    return f"{cell_name(n, a)} < {cell_name(n, b)} does not hold"
            return None

        return check_square(answer, n, givens_from_payload(payload), signs)
