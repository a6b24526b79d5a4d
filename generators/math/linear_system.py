"""Systems of n linear equations in n unknowns with one integer solution (the matrix is
non-singular); answered as ``x = 1, y = -2`` or an ordered tuple."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers import Answer, assignment, same_value
from generators.math.answers.plain import AnswerForm
from generators.math.common import MathTask, compose, frac_text, poly_text
from generators.math.matrices import bareiss, random_matrix, solve_exact
from schemas.records import Problem

NAMES = ("x", "y", "z", "w", "v")


class LinearSystemConfig(TaskConfig):
    n: int = Field(default=2, ge=2, le=5, description="unknowns and equations")
    bound: int = Field(default=9, ge=2, le=30, description="largest |coefficient|")
    solution_bound: int = Field(default=12, ge=2, le=100, description="largest |solution|")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"n": 2, "bound": 6, "solution_bound": 15},
    2: {"n": 2, "bound": 12, "solution_bound": 20},
    3: {"n": 2, "bound": 20, "solution_bound": 30},
    4: {"n": 3, "bound": 5, "solution_bound": 10},
    5: {"n": 3, "bound": 9, "solution_bound": 15},
    6: {"n": 3, "bound": 15, "solution_bound": 20},
    7: {"n": 4, "bound": 6, "solution_bound": 10},
    8: {"n": 4, "bound": 10, "solution_bound": 15},
    9: {"n": 5, "bound": 6, "solution_bound": 10},
    10: {"n": 5, "bound": 10, "solution_bound": 15},
}

_INTROS = (
    "Solve the following system of linear equations.",
    "Find the unique solution of this linear system.",
    "Determine the values of the unknowns that satisfy every equation.",
)


def _equation(row: list[int], rhs: int, names: tuple[str, ...]) -> str:
    parts = [poly_text([c, 0], name) for c, name in zip(row, names, strict=True) if c]
    text = parts[0]
    for part in parts[1:]:
        text += f" - {part[1:]}" if part.startswith("-") else f" + {part}"
    return f"{text} = {rhs}"


class LinearSystem(MathTask[LinearSystemConfig]):
    name: ClassVar[str] = "linear_system"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = "n×n linear systems (n = 2..5) with a unique integer solution."
    Config = LinearSystemConfig
    LEVELS = LEVELS

    def generate(self, config: LinearSystemConfig, rng: Random, index: int) -> Instance:
        names = NAMES[: config.n]
        while True:
            matrix = random_matrix(rng, config.n, config.bound)
            if bareiss(matrix)[0] != 0 and all(any(row) for row in matrix):
                break
        b = config.solution_bound
        solution = [rng.randint(-b, b) for _ in names]
        rhs = [sum(a * s for a, s in zip(row, solution, strict=True)) for row in matrix]
        statement = "\n".join(_equation(r, v, names) for r, v in zip(matrix, rhs, strict=True))
        answer = ", ".join(f"{n} = {s}" for n, s in zip(names, solution, strict=True))
        answer_format = (
            f"Give every unknown as 'name = value', separated by commas, for example: "
            f"{', '.join(f'{n} = {i + 7}' for i, n in enumerate(names))}."
        )
        return Instance(
            prompt=compose(rng, _INTROS, statement, answer_format),
            answer=answer,
            payload={"matrix": matrix, "rhs": rhs, "variables": list(names)},
        )

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        solution, lines, ops = solve_exact(p["matrix"], p["rhs"])
        names = p["variables"]
        answer = ", ".join(f"{n} = {frac_text(s)}" for n, s in zip(names, solution, strict=True))
        lines = ["Gauss-Jordan elimination on the augmented matrix:", *lines, answer]
        return Solution(answer, "\n".join(lines), {"effort": ops})

    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        names = self.variables_of(problem)
        found = assignment(parsed, names)
        expected = assignment(self.parse(problem, problem.answer), names)
        for name, f, e in zip(names, found, expected, strict=True):
            if not same_value(f, e):
                return 0.0, f"{name} is wrong"
        return 1.0, "every unknown is right"
