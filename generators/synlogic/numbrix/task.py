"""The Numbrix task: knobs, level table, prompt, solver trace and rule-checking verifier."""

from __future__ import annotations

from math import factorial
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.synlogic.grid import format_grid, int_cell, parse_grid
from generators.synlogic.numbrix.search import (
    PathSearch,
    cell_name,
    neighbours,
    random_path,
    unique_givens,
)
from schemas.records import Problem


class NumbrixConfig(TaskConfig):
    size: int = Field(default=5, ge=4, le=9, description="grid side n")
    given_fraction: float = Field(
        default=0.4, ge=0.1, le=0.9, description="share of cells given before uniqueness repair"
    )
    node_budget: int = Field(
        default=3_000, ge=100, le=10_000_000, description="search nodes per uniqueness check"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"size": 4, "given_fraction": 0.45},
    2: {"size": 5, "given_fraction": 0.45},
    3: {"size": 5, "given_fraction": 0.35},
    4: {"size": 6, "given_fraction": 0.4},
    5: {"size": 6, "given_fraction": 0.3},
    6: {"size": 7, "given_fraction": 0.35},
    7: {"size": 7, "given_fraction": 0.28},
    8: {"size": 8, "given_fraction": 0.3},
    9: {"size": 9, "given_fraction": 0.28},
    10: {"size": 9, "given_fraction": 0.25},
}


_INTROS = (
    "Numbrix puzzle: the {n}x{n} grid below must be filled with the numbers 1 to {t}, each "
    "used exactly once, so that every pair of consecutive numbers (k and k+1) sits in "
    "orthogonally adjacent cells (sharing an edge, not only a corner).",
    "Complete this {n}x{n} Numbrix. Every cell gets one of the numbers 1..{t}, no number "
    "twice, and the numbers must form a single chain: each number k < {t} is horizontally "
    "or vertically next to k+1 (diagonal contact does not count).",
    "Here is a {n}x{n} number-path grid. Write 1, 2, ..., {t} into the cells, each exactly "
    "once, so that you can walk from 1 to {t} moving one step up, down, left or right each "
    "time from k to k+1.",
)
_QUESTIONS = (
    "Some numbers are already given ('.' marks an empty cell); they must stay where they are:",
    "The given numbers are fixed; dots are the cells you must fill:",
    "Given numbers cannot move. Empty cells are shown as '.':",
)
_FORMATS = (
    "Answer with the completed grid: {n} lines, each with {n} numbers separated by spaces.",
    "Give the filled grid as {n} rows of {n} space-separated numbers, one row per line.",
    "Write the solution as {n} lines (top row first), each holding {n} numbers separated by "
    "spaces.",
)


def render_puzzle(n: int, givens: dict[int, int]) -> str:
    grid = [["."] * n for _ in range(n)]
    for value, c in givens.items():
        grid[c // n][c % n] = str(value)
    width = len(str(n * n))
    return format_grid([[cell.rjust(width) for cell in row] for row in grid])


def grid_of(n: int, cells: list[int]) -> list[list[int]]:
    return [cells[r * n : (r + 1) * n] for r in range(n)]


class Numbrix(Task[NumbrixConfig]):
    """Numbrix with a proven unique solution; the verifier checks the rules and the givens."""

    name: ClassVar[str] = "numbrix"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Numbrix: fill an n×n grid with 1..n² so that consecutive numbers are orthogonal "
        "neighbours, keeping the given numbers."
    )
    Config = NumbrixConfig
    LEVELS = LEVELS

    def generate(self, config: NumbrixConfig, rng: Random, index: int) -> Instance:
        n = config.size
        path = random_path(n, rng, neighbours(n))
        givens = unique_givens(n, path, config.given_fraction, config.node_budget, rng)
        solution = [0] * (n * n)
        for value, c in enumerate(path, start=1):
            solution[c] = value
        prompt = "\n\n".join(
            (
                rng.choice(_INTROS).format(n=n, t=n * n),
                rng.choice(_QUESTIONS) + "\n\n" + render_puzzle(n, givens),
                rng.choice(_FORMATS).format(n=n),
                ANSWER_INSTRUCTION,
            )
        )
        payload = {"size": n, "givens": [[v, c] for v, c in givens.items()]}
        return Instance(prompt, format_grid(grid_of(n, solution)), payload)

    def solve(self, problem: Problem) -> Solution:
        n = problem.payload["size"]
        givens = {v: c for v, c in problem.payload["givens"]}
        search = PathSearch(n, givens, log=True)
        solutions = search.run(limit=2)
        assert len(solutions) == 1, "puzzle is not uniquely solvable"
        lines = [
            f"The grid is {n}x{n}, so the chain runs from 1 to {n * n}. Given: "
            + ", ".join(f"{v} at {cell_name(n, c)}" for v, c in givens.items())
            + ".",
            f"I extend the chain from 1 (given at {cell_name(n, givens[1])}) up to {n * n}. Each "
            "number must be next to the previous one, must stay within reach of the next "
            "given (Manhattan distance at most the difference of the numbers), and must not "
            "leave an empty cell with too few free neighbours. Forced steps are not listed; "
            "branch points and dead ends are:",
            *(f"- {event}" for event in search.events or ()),
        ]
        if search.hidden_events:
            lines.append(f"- ({search.hidden_events} more branch/dead-end events omitted)")
        lines.append(
            f"The search visited {search.nodes} steps and found exactly one completion, "
            "so the solution is unique:"
        )
        answer = format_grid(grid_of(n, solutions[0]))
        lines.append(answer)
        return Solution(answer, "\n".join(lines), {"effort": search.nodes})

    def answer_space(self, problem: Problem) -> int:
        """Every order of the numbers 1..n² over the cells."""
        return factorial(problem.payload["size"] ** 2)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        n = problem.payload["size"]
        total = n * n
        grid = parse_grid(answer, n, n, int_cell(1, total))
        where = [-1] * (total + 1)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if where[value] >= 0:
                    return 0.0, f"{value} appears more than once"
                where[value] = r * n + c
        for value, c in problem.payload["givens"]:
            if where[value] != c:
                return 0.0, f"given {value} must stay at {cell_name(n, c)}"
        for value in range(1, total):
            a, b = where[value], where[value + 1]
            if abs(a // n - b // n) + abs(a % n - b % n) != 1:
                return 0.0, f"{value} and {value + 1} are not adjacent"
        return 1.0, "correct"
