"""Limits of rational functions at a removable 0/0 point: P and Q share the factor
(x - a)^k, so the limit is P₁(a)/Q₁(a) for the cofactors, a non-zero exact fraction."""

from __future__ import annotations

from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask, compose, frac_text, nonzero, poly_product, poly_text
from generators.math.polys import deflate, horner
from schemas.records import Problem


class LimitConfig(TaskConfig):
    multiplicity: int = Field(default=1, ge=1, le=4, description="k in the shared (x - a)^k")
    top: int = Field(default=1, ge=0, le=4, description="degree of the numerator's cofactor")
    bottom: int = Field(default=1, ge=0, le=4, description="degree of the denominator's cofactor")
    bound: int = Field(default=9, ge=2, le=20, description="largest |coefficient| or |a|")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"multiplicity": 1, "top": 1, "bottom": 0, "bound": 12},
    2: {"multiplicity": 1, "top": 1, "bottom": 1, "bound": 9},
    3: {"multiplicity": 1, "top": 2, "bottom": 1, "bound": 7},
    4: {"multiplicity": 1, "top": 2, "bottom": 2, "bound": 7},
    5: {"multiplicity": 2, "top": 1, "bottom": 1, "bound": 6},
    6: {"multiplicity": 2, "top": 2, "bottom": 1, "bound": 6},
    7: {"multiplicity": 2, "top": 2, "bottom": 2, "bound": 6},
    8: {"multiplicity": 3, "top": 2, "bottom": 2, "bound": 5},
    9: {"multiplicity": 3, "top": 3, "bottom": 2, "bound": 5},
    10: {"multiplicity": 4, "top": 3, "bottom": 3, "bound": 5},
}

_INTROS = (
    "Evaluate the limit below exactly.",
    "Find the exact value of this limit.",
    "Compute the following limit of a rational function.",
)
_FORMAT = "Give the limit as an integer or a reduced fraction, for example: -13/6."


def _cofactor(rng: Random, degree: int, bound: int, a: int) -> list[int]:
    """A polynomial of ``degree`` that does not vanish at ``a``."""
    while True:
        coeffs = [nonzero(rng, bound)] + [rng.randint(-bound, bound) for _ in range(degree)]
        if horner([Fraction(c) for c in coeffs], Fraction(a)) != 0:
            return coeffs


class Limit(ValueTask[LimitConfig]):
    name: ClassVar[str] = "limit"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Limits of rational functions at a removable 0/0 point (shared factor (x - a)^k)."
    )
    Config = LimitConfig
    LEVELS = LEVELS

    def generate(self, config: LimitConfig, rng: Random, index: int) -> Instance:
        while True:  # a limit of 0 or ±1 is too easy to guess: draw again
            a = rng.randint(-config.bound, config.bound)
            shared = poly_product([[1, -a]] * config.multiplicity)
            top = poly_product([shared, _cofactor(rng, config.top, config.bound, a)])
            bottom = poly_product([shared, _cofactor(rng, config.bottom, config.bound, a)])
            limit = self._limit(top, bottom, a)[0]
            if limit not in (0, 1, -1):
                break
        statement = f"lim_(x → {a}) ({poly_text(top)}) / ({poly_text(bottom)})"
        return Instance(
            prompt=compose(rng, _INTROS, statement, _FORMAT),
            answer=frac_text(limit),
            payload={"top": top, "bottom": bottom, "a": a},
        )

    @staticmethod
    def _limit(top: list[int], bottom: list[int], a: int) -> tuple[Fraction, list[str], int]:
        p, q = [Fraction(c) for c in top], [Fraction(c) for c in bottom]
        lines, steps, point = [], 0, Fraction(a)
        while horner(p, point) == 0 and horner(q, point) == 0:
            p, q = deflate(p, point), deflate(q, point)
            steps += len(p) + len(q)
            lines.append(
                f"Both vanish at x = {a}: divide by (x - ({a})) → "
                f"({poly_text(p)}) / ({poly_text(q)})"
            )
        value = horner(p, point) / horner(q, point)
        lines.append(
            f"Now substitute x = {a}: {frac_text(horner(p, point))} / "
            f"{frac_text(horner(q, point))} = {frac_text(value)}."
        )
        return value, lines, steps

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        value, lines, steps = self._limit(p["top"], p["bottom"], p["a"])
        lines.insert(0, f"Substituting x = {p['a']} gives 0/0, so cancel the common factor.")
        return Solution(frac_text(value), "\n".join(lines), {"effort": steps})
