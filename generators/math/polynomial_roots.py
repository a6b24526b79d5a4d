"""All real roots of an integer polynomial: whole, fractional and quadratic-surd roots.

The polynomial is built from chosen roots (linear factors ``qx - p`` and quadratics
``x² - 2ax + a² - b`` for the pair ``a ± √b``), times a leading factor, so the root set
is known without solving; every root is simple and real.
"""

from __future__ import annotations

from fractions import Fraction
from random import Random
from typing import Any, ClassVar

import sympy as sp
from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import SetTask, compose, poly_product, poly_text, show
from generators.math.polys import (
    draw_rationals,
    draw_surds,
    linear_factor,
    quadratic_roots,
    rational_roots,
    sorted_values,
    surd_factor,
)
from schemas.records import Problem


class PolynomialRootsConfig(TaskConfig):
    integer_roots: int = Field(default=2, ge=0, le=6, description="whole-number roots")
    fraction_roots: int = Field(default=0, ge=0, le=4, description="roots p/q with q in 2..5")
    surd_pairs: int = Field(default=0, ge=0, le=2, description="root pairs a ± √b")
    bound: int = Field(default=12, ge=3, le=40, description="largest |root part|")
    leading: int = Field(default=1, ge=1, le=9, description="largest |extra leading factor|")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"integer_roots": 2, "bound": 25},
    2: {"integer_roots": 2, "bound": 20, "leading": 3},
    3: {"integer_roots": 3, "bound": 12},
    4: {"integer_roots": 1, "fraction_roots": 1, "bound": 9, "leading": 2},
    5: {"integer_roots": 2, "fraction_roots": 1, "bound": 8, "leading": 2},
    6: {"integer_roots": 0, "surd_pairs": 1, "bound": 9},
    7: {"integer_roots": 1, "fraction_roots": 1, "surd_pairs": 1, "bound": 6},
    8: {"integer_roots": 0, "fraction_roots": 2, "surd_pairs": 1, "bound": 6, "leading": 2},
    9: {"integer_roots": 1, "fraction_roots": 2, "surd_pairs": 1, "bound": 6, "leading": 2},
    10: {"integer_roots": 0, "fraction_roots": 2, "surd_pairs": 2, "bound": 5, "leading": 2},
}

_INTROS = (
    "Find every real root of the polynomial equation below.",
    "Solve the equation for all real x.",
    "Determine all real solutions x of this polynomial equation.",
)
_FORMAT = (
    "List every root once, exactly (integers, fractions like 3/4, square roots written "
    "sqrt(5)), separated by commas, in any order, for example: 1 - sqrt(3), 2/5."
)


def _effort(payload: dict[str, Any]) -> int:
    """Rational roots cost a search each (fractions twice), a surd pair a formula (4)."""
    return payload["integers"] + 2 * payload["fractions"] + 4 * len(payload["surds"])


class PolynomialRoots(SetTask[PolynomialRootsConfig]):
    name: ClassVar[str] = "polynomial_roots"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "All real roots of an integer polynomial of degree 2-6 (whole, fractional and "
        "quadratic-surd roots), given as a set."
    )
    Config = PolynomialRootsConfig
    LEVELS = LEVELS
    answer_form: ClassVar[AnswerForm] = "radicals"
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: PolynomialRootsConfig, rng: Random, index: int) -> Instance:
        roots = draw_rationals(rng, config.integer_roots, config.fraction_roots, config.bound)
        surds = draw_surds(rng, config.surd_pairs, config.bound)
        factors = [linear_factor(r) for r in roots] + [surd_factor(a, b) for a, b in surds]
        rng.shuffle(factors)
        lead = rng.randint(1, config.leading) * rng.choice((1, -1))
        coeffs = [lead * c for c in poly_product(factors)]
        values = [sp.Rational(r.numerator, r.denominator) for r in roots]
        values += [a + s * sp.sqrt(b) for a, b in surds for s in (-1, 1)]
        answer = ", ".join(show(v) for v in sorted_values(values))
        return Instance(
            prompt=compose(rng, _INTROS, f"{poly_text(coeffs)} = 0", _FORMAT),
            answer=answer,
            payload={
                "coefficients": coeffs,
                "integers": config.integer_roots,
                "fractions": config.fraction_roots,
                "surds": [list(s) for s in surds],
            },
        )

    def solve(self, problem: Problem) -> Solution:
        coeffs = problem.payload["coefficients"]
        lines = [f"Solve {poly_text(coeffs)} = 0 (degree {len(coeffs) - 1})."]
        roots, rest, search, _ = rational_roots(coeffs)
        lines += search
        values = [sp.Rational(r.numerator, r.denominator) for r in roots]
        rest_ints = [int(c * rest[0].denominator) for c in rest]  # for display only
        if len(rest) > 3:
            lines.append(f"Left: {poly_text(rest_ints)}; split it into monic quadratics.")
            quadratics = _split_quartic(rest)
        elif len(rest) > 1:
            quadratics = [rest]
        else:
            quadratics = []
        for quadratic in quadratics:
            found, line = quadratic_roots(quadratic)
            lines.append(line)
            values += found
        values = sorted_values(values)
        answer = ", ".join(show(v) for v in values)
        lines.append(f"Real roots: {answer}.")
        return Solution(answer, "\n".join(lines), {"effort": _effort(problem.payload)})


def _split_quartic(rest: list) -> list[list]:
    """A quartic without rational roots made of two rational quadratics: sympy's factor
    over the rationals splits it (it is small and its factors are known to exist)."""
    x = sp.Symbol("x")
    poly = sp.Poly([sp.Rational(c.numerator, c.denominator) for c in rest], x)
    _, parts = poly.factor_list()
    quadratics = []
    for factor, _ in parts:
        quadratics.append([Fraction(int(c.p), int(c.q)) for c in factor.all_coeffs()])
    return quadratics
