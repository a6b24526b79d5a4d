"""The norinori task: config, prompt, solver trace and rule-checking verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.canonical import digest, region_pattern
from generators.synlogic.cell_search import (
    region_indices,
    region_lines,
    traced_solution,
    verdict,
)
from generators.synlogic.grid import format_grid, parse_grid, symbol_cell
from generators.synlogic.norinori.generate import make_puzzle
from generators.synlogic.norinori.rules import LABELS, NorinoriGrid, NorinoriRules, violation
from schemas.records import Problem

SHADED, EMPTY = "X", "."


class NorinoriConfig(TaskConfig):
    rows: int = Field(default=6, ge=3, le=12, description="grid rows")
    cols: int = Field(default=6, ge=3, le=12, description="grid columns")
    density: float = Field(
        default=0.6, ge=0.2, le=0.7, description="target share of shaded cells (dense packing)"
    )
    max_repairs: int = Field(
        default=2, ge=0, le=1_000, description="region repairs tried to reach a unique shading"
    )


# Repairs towards a unique shading cost a count each (fast: see count.py). Repairs make a
# grid easier to solve, so the last levels grow the grid instead of dropping them (a grid
# smaller than 6x6 allows so few dense shadings that one fixed answer solves many puzzles).
LEVELS: dict[int, dict[str, Any]] = {
    level: {"rows": rows, "cols": cols, "max_repairs": repairs}
    for level, (rows, cols, repairs) in enumerate(
        (
            (6, 6, 2),
            (6, 6, 2),
            (6, 7, 2),
            (6, 7, 2),
            (7, 7, 2),
            (7, 7, 2),
            (8, 8, 2),
            (8, 8, 2),
            (8, 9, 2),
            (8, 9, 2),
        ),
        start=1,
    )
}

_INTROS = (
    "Norinori: the {rows}x{cols} grid below is divided into regions, marked by letters.",
    "Here is a {rows}x{cols} Norinori puzzle; cells with the same letter form one region.",
    "A {rows}x{cols} board is split into lettered regions:",
)
_QUESTIONS = (
    "Shade the cells.",
    "Which cells are shaded?",
    "Find a valid shading.",
)


def puzzle_from_payload(payload: dict[str, Any]) -> NorinoriGrid:
    regions = region_indices(payload["regions"], LABELS)
    return NorinoriGrid(payload["rows"], payload["cols"], regions)


def render_regions(puzzle: NorinoriGrid) -> list[str]:
    return region_lines(puzzle.regions, puzzle.rows, puzzle.cols, LABELS)


def render_shading(puzzle: NorinoriGrid, shaded: list[bool]) -> list[str]:
    c = puzzle.cols
    return [
        "".join(SHADED if shaded[r * c + x] else EMPTY for x in range(c))
        for r in range(puzzle.rows)
    ]


def render_prompt(puzzle: NorinoriGrid, rng: Random) -> str:
    rows, cols = puzzle.rows, puzzle.cols
    return "\n\n".join(
        [
            rng.choice(_INTROS).format(rows=rows, cols=cols),
            "\n".join(" ".join(line) for line in render_regions(puzzle)),
            "Shade some cells so that every region contains exactly 2 shaded cells, and every "
            "shaded cell is horizontally or vertically adjacent to exactly one other shaded "
            "cell (so the shaded cells form dominoes, which may cross region borders).",
            f"{rng.choice(_QUESTIONS)} Answer with {rows} lines of {cols} symbols, one line per "
            f"row from top to bottom: {SHADED} for a shaded cell and {EMPTY} for an unshaded "
            f"one, for example {(SHADED * 2 + EMPTY * (cols - 2))!r}.",
            ANSWER_INSTRUCTION,
        ]
    )


class Norinori(Task[NorinoriConfig]):
    """Norinori: shade two cells per region so that the shaded cells form dominoes.

    Uniqueness is not promised: regions are repaired a few times towards a single shading
    (``payload["unique"]`` records whether that was proven), and the verifier checks the
    rules, so every valid shading scores 1.
    """

    name: ClassVar[str] = "norinori"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = (
        "Norinori: shade exactly two cells in every region so that each shaded cell touches "
        "exactly one other shaded cell (the shading forms dominoes)."
    )
    Config = NorinoriConfig
    LEVELS = LEVELS

    def generate(self, config: NorinoriConfig, rng: Random, index: int) -> Instance:
        puzzle, shaded, unique = make_puzzle(
            rng, config.rows, config.cols, config.density, config.max_repairs
        )
        solution = render_shading(puzzle, shaded)
        payload = {
            "rows": puzzle.rows,
            "cols": puzzle.cols,
            "regions": render_regions(puzzle),
            "solution": solution,
            "unique": unique,
        }
        return Instance(render_prompt(puzzle, rng), format_grid(solution, ""), payload)

    def solve(self, problem: Problem) -> Solution:
        puzzle = puzzle_from_payload(problem.payload)
        return traced_solution(
            NorinoriRules(puzzle),
            [0] * (puzzle.rows * puzzle.cols),
            lambda shaded: render_shading(puzzle, shaded),
            "Cells are written (row,column), counted from 1.",
            (
                "Every branch has been explored: this is the only shading.",
                "(The search also finds other valid shadings; any of them is accepted.)",
            ),
        )

    def answer_space(self, problem: Problem) -> int:
        return 2 ** (problem.payload["rows"] * problem.payload["cols"])

    def structural_key(self, problem: Problem) -> str:
        """The region map with its letters relabelled in reading order."""
        return digest(region_pattern(problem.payload["regions"]))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        puzzle = puzzle_from_payload(problem.payload)
        grid = parse_grid(
            answer, puzzle.rows, puzzle.cols, symbol_cell(SHADED + EMPTY), compact=True
        )
        return verdict(violation(puzzle, [symbol == SHADED for row in grid for symbol in row]))
