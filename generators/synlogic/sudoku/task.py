"""The Sudoku task: generator, solver and verifier behind the generator contract."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from generators.base import GenerationError, Instance, Solution, Task
from generators.canonical import digest, first_seen
from generators.synlogic.sudoku.carve import carve, random_solution
from generators.synlogic.sudoku.config import LEVELS, SudokuConfig
from generators.synlogic.sudoku.geometry import Geometry, geometry
from generators.synlogic.sudoku.logic import reason
from generators.synlogic.sudoku.render import (
    render_answer,
    render_prompt,
    render_reasoning,
    sample_style,
)
from generators.synlogic.sudoku.verifier import GridChecker
from schemas.records import Problem


class PuzzleGenerationError(GenerationError):
    """No removal pass reached the clue target within ``max_attempts``."""


def _flat(grid: list[list[int]]) -> list[int]:
    return [digit for row in grid for digit in row]


def _rows(g: Geometry, cells: list[int]) -> list[list[int]]:
    return [cells[r * g.n : (r + 1) * g.n] for r in range(g.n)]


def _unpack(problem: Problem) -> tuple[Geometry, list[int], list[int]]:
    payload: dict[str, Any] = problem.payload
    return geometry(payload["size"]), _flat(payload["givens"]), _flat(payload["solution"])


class Sudoku(Task[SudokuConfig]):
    """Classic Sudoku (9×9, and 4×4 / 6×6 at the lowest levels) with a proven unique solution.

    Generation removes givens from a random solved grid while a search shows that no other
    solution appears (see ``carve``), so the answer is unique by construction.
    """

    name: ClassVar[str] = "sudoku"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Sudoku: fill an n×n grid (n = 4, 6 or 9) so that every row, column and box holds "
        "each digit once; the givens admit exactly one solution."
    )
    Config = SudokuConfig
    surface_fields = frozenset({"style"})
    LEVELS = LEVELS

    def generate(self, config: SudokuConfig, rng: Random, index: int) -> Instance:
        g = geometry(config.size)
        for _ in range(config.max_attempts):
            solution = random_solution(g, rng)
            givens = carve(g, solution, rng, config.clues, config.symmetric)
            if givens is not None:
                break
        else:
            raise PuzzleGenerationError(
                f"no {config.size}×{config.size} puzzle with at most {config.clues} clues in "
                f"{config.max_attempts} attempts; raise max_attempts or clues"
            )
        style = sample_style(rng)
        payload = {
            "size": g.n,
            "box": [g.box_rows, g.box_cols],
            "givens": _rows(g, givens),
            "solution": _rows(g, solution),
            "clues": sum(1 for digit in givens if digit),
            "symmetric": config.symmetric,
            "style": style,
        }
        return Instance(
            prompt=render_prompt(g, givens, style),
            answer=render_answer(g, solution),
            payload=payload,
        )

    def solve(self, problem: Problem) -> Solution:
        g, givens, _ = _unpack(problem)
        root, solution, stats = reason(g, givens)
        return Solution(
            answer=render_answer(g, solution),
            reasoning=render_reasoning(g, givens, root, solution),
            stats=stats,
        )

    def answer_space(self, problem: Problem) -> int:
        n = problem.payload["size"]
        return n ** (n * n)

    def structural_key(self, problem: Problem) -> str:
        """Box shape and givens with the digits relabelled in reading order."""
        p = problem.payload
        rank = first_seen(v for row in p["givens"] for v in row if v)
        return digest([p["box"], [[rank[v] + 1 if v else 0 for v in row] for row in p["givens"]]])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return self.answer_checker(problem)(answer)

    def answer_checker(self, problem: Problem) -> GridChecker:
        """``check_answer`` bound to ``problem``, for scoring many answers to it."""
        return GridChecker(*_unpack(problem))
