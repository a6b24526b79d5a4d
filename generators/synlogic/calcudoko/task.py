"""The Calcudoko (KenKen) task: config, generation with uniqueness repair, prompt, verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    GenerationError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.calcudoko.cages import (
    Cage,
    cage_tuples,
    cage_value,
    components,
    make_cage,
    possible_ops,
    random_partition,
)
from generators.synlogic.calcudoko.solver import Solver, cell_name
from generators.synlogic.grid import format_grid, int_cell, parse_grid
from generators.synlogic.search_log import search_stats
from schemas.records import Problem


class CalcudokoConfig(TaskConfig):
    size: int = Field(default=4, ge=3, le=9, description="grid side n (values 1..n)")
    max_cage: int = Field(default=3, ge=2, le=5, description="largest cage size")
    singleton_rate: float = Field(
        default=0.1, ge=0.0, le=0.5, description="share of cages that are single given cells"
    )
    max_attempts: int = Field(
        default=50, ge=1, le=10_000, description="fresh grids tried before giving up"
    )


# No level is 3x3: only 12 Latin squares of side 3 exist, so one fixed grid would win ~8%.
LEVELS: dict[int, dict[str, Any]] = {
    1: {"size": 4, "max_cage": 2, "singleton_rate": 0.25},
    2: {"size": 4, "max_cage": 2, "singleton_rate": 0.15},
    3: {"size": 4, "max_cage": 3, "singleton_rate": 0.1},
    4: {"size": 5, "max_cage": 3, "singleton_rate": 0.1},
    5: {"size": 5, "max_cage": 4, "singleton_rate": 0.05},
    6: {"size": 6, "max_cage": 3, "singleton_rate": 0.05},
    7: {"size": 6, "max_cage": 4, "singleton_rate": 0.0},
    8: {"size": 7, "max_cage": 3, "singleton_rate": 0.0},
    9: {"size": 7, "max_cage": 4, "singleton_rate": 0.0},
    10: {"size": 7, "max_cage": 5, "singleton_rate": 0.0},
}

INTROS = (
    "Solve this {n}x{n} Calcudoko puzzle (also known as KenKen).",
    "Here is a {n}x{n} arithmetic grid puzzle in the style of KenKen.",
    "Fill in the {n}x{n} Calcudoko grid described below.",
    "A {n}x{n} KenKen grid is waiting to be completed.",
)
QUESTIONS = (
    "What is the completed grid?",
    "Find the unique filling of the grid.",
    "Work out the number in every cell.",
)


def label(k: int) -> str:
    """A, B, ..., Z, AA, AB, ... (bijective base 26)."""
    text = ""
    k += 1
    while k:
        k, rem = divmod(k - 1, 26)
        text = chr(65 + rem) + text
    return text


def random_latin(rng: Random, n: int) -> list[int]:
    """A random Latin square, row by row; each row is a random system of distinct
    representatives for the columns' unused values (always extendable by Hall's theorem)."""
    used = [set() for _ in range(n)]
    grid: list[int] = []

    def fill(row: list[int]) -> bool:
        c = len(row)
        if c == n:
            return True
        options = [v for v in range(1, n + 1) if v not in used[c] and v not in row]
        rng.shuffle(options)
        for v in options:
            row.append(v)
            if fill(row):
                return True
            row.pop()
        return False

    try:
        for _ in range(n):
            row: list[int] = []
            fill(row)
            for c, v in enumerate(row):
                used[c].add(v)
            grid += row
    finally:
        fill = None  # empties the cell that points back at the closure: no reference cycle
    return grid


def repair(rng: Random, n: int, cages: list[Cage], solution: list[int], other: list[int]) -> None:
    """Rule out ``other`` (a second solution): give a cage holding a differing cell an
    operation that separates the two, or else cut that cell out as a given."""
    cell = rng.choice([c for c in range(n * n) if other[c] != solution[c]])
    k = next(i for i, cage in enumerate(cages) if cell in cage.cells)
    cells = list(cages[k].cells)
    mine, theirs = [solution[c] for c in cells], [other[c] for c in cells]
    ops = [
        op
        for op in possible_ops(mine)
        if op != cages[k].op and cage_value(op, mine) != cage_value(op, theirs)
    ]
    if ops:
        cages[k] = make_cage(cells, solution, rng.choice(ops))
        return
    pieces = [[cell], *components([c for c in cells if c != cell], n)]
    del cages[k]
    for piece in pieces:
        values = [solution[c] for c in piece]
        cages.append(make_cage(piece, solution, rng.choice(possible_ops(values))))


def build(config: CalcudokoConfig, rng: Random) -> tuple[list[Cage], list[int]]:
    n = config.size
    known: dict[Cage, list[tuple[int, ...]]] = {}

    def tuples(cage: Cage, n: int) -> list[tuple[int, ...]]:
        if cage not in known:
            known[cage] = cage_tuples(cage, n)
        return known[cage]

    for _ in range(config.max_attempts):
        solution = random_latin(rng, n)
        groups = random_partition(rng, n, config.max_cage, config.singleton_rate)
        cages = [
            make_cage(g, solution, rng.choice(possible_ops([solution[c] for c in g])))
            for g in groups
        ]
        for _ in range(n * n):
            found = Solver(n, cages, tuples=tuples).solve(2)
            if len(found) == 1:
                return sorted(cages, key=lambda cage: cage.cells[0]), solution
            repair(rng, n, cages, solution, found[1] if found[0] == solution else found[0])
    raise GenerationError(f"no unique puzzle in {config.max_attempts} attempts (max_attempts)")


def cages_from_payload(payload: dict[str, Any]) -> list[Cage]:
    n = payload["size"]
    return [
        Cage(tuple(r * n + c for r, c in cage["cells"]), cage["op"], cage["target"])
        for cage in payload["cages"]
    ]


def render_prompt(rng: Random, n: int, cages: list[Cage]) -> str:
    owner = [""] * (n * n)
    for k, cage in enumerate(cages):
        for cell in cage.cells:
            owner[cell] = label(k)
    width = max(map(len, owner))
    rows = [" ".join(owner[r * n + c].ljust(width) for c in range(n)).rstrip() for r in range(n)]
    lines = []
    for k, cage in enumerate(cages):
        where = ", ".join(cell_name(c, n) for c in cage.cells)
        if cage.op == "=":
            lines.append(f"{label(k)}: the single cell {where} is {cage.target}")
        else:
            lines.append(f"{label(k)}: {cage.target}{cage.op} (cells {where})")
    example = " ".join(str(v) for v in range(1, n + 1))
    return "\n".join(
        [
            rng.choice(INTROS).format(n=n),
            "",
            "Rules:",
            f"- Write a whole number from 1 to {n} in every cell so that each row and each "
            f"column contains every number from 1 to {n} exactly once.",
            "- The grid is divided into cages, marked by letters in the map below. The numbers "
            "in a cage must give the cage's target with its operation: '+' is the sum of its "
            "cells, '*' the product, '-' the difference of its two cells (larger minus "
            "smaller), '/' the quotient of its two cells (larger divided by smaller).",
            "- A cage of one cell simply gives that cell's value. A number may repeat inside "
            "a cage as long as the row and column rule holds.",
            "",
            "Cage map (row 1 at the top, column 1 on the left; rRcC names row R, column C):",
            *rows,
            "",
            "Cages:",
            *lines,
            "",
            f"{rng.choice(QUESTIONS)} Give your answer as {n} lines, one per row from top to "
            f"bottom, each with {n} numbers separated by spaces (for example '{example}').",
            "",
            ANSWER_INSTRUCTION,
        ]
    )


def check_grid(n: int, cages: list[Cage], grid: list[int]) -> str | None:
    """The first rule the row-major ``grid`` breaks, or None."""
    for r in range(n):
        if len(set(grid[r * n : r * n + n])) != n:
            return f"row {r + 1} repeats a number"
    for c in range(n):
        if len(set(grid[c::n])) != n:
            return f"column {c + 1} repeats a number"
    for k, cage in enumerate(cages):
        if not cage.holds([grid[cell] for cell in cage.cells]):
            return f"cage {label(k)} does not give {cage.target}{cage.op.strip('=')}"
    return None


class Calcudoko(Task[CalcudokoConfig]):
    """KenKen: a Latin square split into arithmetic cages, with a solution proven unique."""

    name: ClassVar[str] = "calcudoko"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Calcudoko (KenKen): fill an n x n Latin square whose cages must meet arithmetic "
        "targets (+, -, *, /); the solution is unique."
    )
    Config = CalcudokoConfig
    LEVELS = LEVELS

    def generate(self, config: CalcudokoConfig, rng: Random, index: int) -> Instance:
        n = config.size
        cages, solution = build(config, rng)
        payload = {
            "size": n,
            "cages": [
                {
                    "cells": [list(divmod(c, n)) for c in cage.cells],
                    "op": cage.op,
                    "target": cage.target,
                }
                for cage in cages
            ],
            "solution": [solution[r * n : r * n + n] for r in range(n)],
        }
        answer = format_grid(payload["solution"])
        return Instance(render_prompt(rng, n, cages), answer, payload)

    def solve(self, problem: Problem) -> Solution:
        n = problem.payload["size"]
        cages = cages_from_payload(problem.payload)
        solver = Solver(n, cages, [label(k) for k in range(len(cages))])
        found = solver.solve(2)
        assert len(found) == 1, "the puzzle should have exactly one solution"
        assert solver.log is not None
        grid = format_grid([found[0][r * n : r * n + n] for r in range(n)])
        intro = (
            "Candidates start as 1..n in every cell; I apply the cage arithmetic and the "
            "row/column rule over and over, and guess only when that stalls."
        )
        reasoning = solver.log.render(intro, solver.guesses, solver.dead_ends, "grid", grid)
        stats = search_stats(solver.effort, solver.guesses, solver.dead_ends)
        return Solution(grid, reasoning, stats)

    def answer_space(self, problem: Problem) -> int:
        n = problem.payload["size"]
        return n ** (n * n)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        n = problem.payload["size"]
        rows = parse_grid(answer, n, n, int_cell(1, n), compact=True)
        grid = [v for row in rows for v in row]
        broken = check_grid(n, cages_from_payload(problem.payload), grid)
        if broken:
            return 0.0, broken
        if rows != problem.payload["solution"]:
            return 0.0, "differs from the puzzle's unique solution"
        return 1.0, "correct"
