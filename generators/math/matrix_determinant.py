"""Determinants of integer matrices (2×2 to 6×6), never zero so that the constant 0 never
scores; the solver's trace is fraction-free (Bareiss) elimination."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask, compose
from generators.math.matrices import bareiss, random_matrix
from schemas.records import Problem


class MatrixDeterminantConfig(TaskConfig):
    n: int = Field(default=2, ge=2, le=6, description="matrix size")
    bound: int = Field(default=9, ge=2, le=50, description="largest |entry|")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"n": 2, "bound": 12},
    2: {"n": 2, "bound": 30},
    3: {"n": 3, "bound": 5},
    4: {"n": 3, "bound": 9},
    5: {"n": 3, "bound": 20},
    6: {"n": 4, "bound": 5},
    7: {"n": 4, "bound": 9},
    8: {"n": 5, "bound": 5},
    9: {"n": 5, "bound": 9},
    10: {"n": 6, "bound": 9},
}

_INTROS = (
    "Compute the determinant of the matrix below.",
    "Find det(A) for the following integer matrix A.",
    "Evaluate the determinant of this matrix.",
)


def matrix_text(matrix: list[list[int]]) -> str:
    return "\n".join("[" + ", ".join(map(str, row)) + "]" for row in matrix)


class MatrixDeterminant(ValueTask[MatrixDeterminantConfig]):
    name: ClassVar[str] = "matrix_determinant"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = "Determinant of a non-singular integer matrix, 2×2 to 6×6."
    Config = MatrixDeterminantConfig
    LEVELS = LEVELS

    def generate(self, config: MatrixDeterminantConfig, rng: Random, index: int) -> Instance:
        while True:
            matrix = random_matrix(rng, config.n, config.bound)
            det = bareiss(matrix)[0]
            if det not in (0, 1, -1):
                break
        statement = f"A ({config.n}×{config.n}, one row per line) =\n{matrix_text(matrix)}"
        return Instance(
            prompt=compose(rng, _INTROS, statement, "Give the determinant as one integer."),
            answer=str(det),
            payload={"matrix": matrix},
        )

    def solve(self, problem: Problem) -> Solution:
        matrix = problem.payload["matrix"]
        det, lines, ops = bareiss(matrix)
        intro = "Fraction-free elimination: each step divides exactly by the previous pivot."
        lines = [intro, *lines, f"det(A) = {det}"]
        return Solution(str(det), "\n".join(lines), {"effort": ops + len(matrix)})
