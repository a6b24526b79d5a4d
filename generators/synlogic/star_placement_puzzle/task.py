"""The star placement (Star Battle) task: config, prompt, solver trace and rule verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field, model_validator

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.canonical import digest, region_pattern
from generators.synlogic.cell_search import (
    region_indices,
    region_lines,
    traced_solution,
    verdict,
)
from generators.synlogic.grid import format_grid, parse_grid, symbol_cell
from generators.synlogic.star_placement_puzzle.generate import unique_puzzle
from generators.synlogic.star_placement_puzzle.rules import LABELS, StarBattle, StarRules, violation
from schemas.records import Problem

STAR, EMPTY = "*", "."


class StarPlacementConfig(TaskConfig):
    size: int = Field(default=6, ge=4, le=10, description="grid side n (also the region count)")
    stars: int = Field(default=1, ge=1, le=2, description="stars per row, column and region")
    max_attempts: int = Field(
        default=1_000, ge=1, le=100_000, description="star layouts sampled before giving up"
    )
    max_repairs: int = Field(
        default=60, ge=0, le=1_000, description="region repairs tried per layout"
    )

    @model_validator(mode="after")
    def _room_for_stars(self) -> StarPlacementConfig:
        if self.stars == 2 and self.size < 8:
            raise ValueError("stars=2 needs size >= 8")
        return self


# Grids below 7x7 (and 8x8 with two stars, which has only two valid layouts) allow so few
# star layouts that one fixed answer solves too many puzzles; 9x9 with two stars is ~200x
# slower to make unique, so the levels stay with one star per unit.
LEVELS: dict[int, dict[str, Any]] = {
    level: {"size": size, "stars": 1}
    for level, size in enumerate((7, 7, 7, 8, 8, 8, 9, 9, 9, 9), start=1)
}

_INTROS = (
    "Star Battle: the {n}x{n} grid below is divided into {n} regions, labelled by letters.",
    "Here is a {n}x{n} star placement puzzle. Each letter marks the region a cell belongs to.",
    "A {n}x{n} board is split into {n} lettered regions, shown below.",
)
_QUESTIONS = (
    "Place the stars.",
    "Where are the stars?",
    "Find the star positions.",
)


def puzzle_from_payload(payload: dict[str, Any]) -> StarBattle:
    regions = region_indices(payload["regions"], LABELS)
    return StarBattle(payload["size"], payload["stars"], regions)


def render_regions(puzzle: StarBattle) -> list[str]:
    return region_lines(puzzle.regions, puzzle.n, puzzle.n, LABELS)


def render_stars(n: int, stars: list[bool]) -> list[str]:
    return ["".join(STAR if stars[r * n + c] else EMPTY for c in range(n)) for r in range(n)]


def render_prompt(puzzle: StarBattle, rng: Random) -> str:
    n, k = puzzle.n, puzzle.k
    star_word = "exactly one star" if k == 1 else f"exactly {k} stars"
    return "\n\n".join(
        [
            rng.choice(_INTROS).format(n=n),
            "\n".join(" ".join(line) for line in render_regions(puzzle)),
            f"Place stars so that every row, every column and every region contains {star_word}, "
            "and no two stars touch each other, not even diagonally.",
            f"{rng.choice(_QUESTIONS)} Answer with {n} lines of {n} symbols, one line per row "
            f"from top to bottom: {STAR} for a star and {EMPTY} for an empty cell, for example "
            f"{(STAR + EMPTY * (n - 1))!r} for a row whose only star is in the first column.",
            ANSWER_INSTRUCTION,
        ]
    )


class StarPlacementPuzzle(Task[StarPlacementConfig]):
    """Star Battle: k stars in every row, column and region, no two stars touching.

    The star layout is unique (an exhaustive search finds no second one); the verifier
    checks the rules, so any valid layout would score 1.
    """

    name: ClassVar[str] = "star_placement_puzzle"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Star Battle: place k stars in every row, column and region of an n×n grid with n "
        "regions, no two stars touching, even diagonally."
    )
    Config = StarPlacementConfig
    LEVELS = LEVELS

    def generate(self, config: StarPlacementConfig, rng: Random, index: int) -> Instance:
        puzzle, stars = unique_puzzle(
            rng, config.size, config.stars, config.max_attempts, config.max_repairs
        )
        solution = render_stars(puzzle.n, stars)
        payload = {
            "size": puzzle.n,
            "stars": puzzle.k,
            "regions": render_regions(puzzle),
            "solution": solution,
        }
        return Instance(render_prompt(puzzle, rng), format_grid(solution, ""), payload)

    def solve(self, problem: Problem) -> Solution:
        puzzle = puzzle_from_payload(problem.payload)
        return traced_solution(
            StarRules(puzzle),
            [0] * (puzzle.n * puzzle.n),
            lambda stars: render_stars(puzzle.n, stars),
            "Cells are written (row,column), counted from 1. Stars cannot touch, so every "
            "star empties the eight cells around it.",
            (
                "Every branch has been explored: this is the only layout.",
                "(Another valid layout exists; either one is accepted.)",
            ),
        )

    def answer_space(self, problem: Problem) -> int:
        return 2 ** (problem.payload["size"] ** 2)

    def structural_key(self, problem: Problem) -> str:
        """Stars per unit and the region map with its letters relabelled in reading order."""
        return digest([problem.payload["stars"], region_pattern(problem.payload["regions"])])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        puzzle = puzzle_from_payload(problem.payload)
        grid = parse_grid(answer, puzzle.n, puzzle.n, symbol_cell(STAR + EMPTY), compact=True)
        return verdict(violation(puzzle, [symbol == STAR for row in grid for symbol in row]))
