"""Factor an integer polynomial completely over the rationals.

The polynomial is the product of chosen factors: linear ``qx - p`` (possibly repeated) and
quadratics with no rational root. An answer scores when its product equals the
polynomial and every factor of degree two or more is irreducible over the rationals, so
the expanded polynomial itself (or a partial factorisation) fails.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

import sympy as sp
from pydantic import Field

from generators.base import AnswerFormatError, Instance, Solution, TaskConfig
from generators.math.answers import Answer, single_value
from generators.math.common import MathTask, compose, poly_product, poly_text
from generators.math.polys import draw_rationals, irreducible_quadratic, rational_roots
from schemas.records import Problem

X = sp.Symbol("x")


class PolynomialFactorConfig(TaskConfig):
    linear: int = Field(default=2, ge=1, le=6, description="distinct linear factors")
    fractions: int = Field(default=0, ge=0, le=3, description="of which with a leading q > 1")
    repeated: int = Field(default=0, ge=0, le=2, description="linear factors squared")
    quadratics: int = Field(default=0, ge=0, le=2, description="irreducible quadratic factors")
    bound: int = Field(default=9, ge=3, le=30, description="largest |root| or coefficient")
    content: int = Field(default=1, ge=1, le=9, description="largest |constant factor|")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"linear": 2, "bound": 20},
    2: {"linear": 2, "bound": 15, "content": 4},
    3: {"linear": 3, "bound": 10},
    4: {"linear": 3, "fractions": 1, "bound": 8},
    5: {"linear": 3, "repeated": 1, "bound": 8, "content": 3},
    6: {"linear": 2, "fractions": 1, "quadratics": 1, "bound": 8},
    7: {"linear": 3, "fractions": 1, "quadratics": 1, "bound": 7, "content": 3},
    8: {"linear": 3, "fractions": 2, "repeated": 1, "quadratics": 1, "bound": 6},
    9: {"linear": 4, "fractions": 2, "repeated": 1, "quadratics": 1, "bound": 6, "content": 3},
    10: {"linear": 4, "fractions": 2, "repeated": 2, "quadratics": 2, "bound": 5, "content": 3},
}

_INTROS = (
    "Factor the following polynomial completely over the rational numbers.",
    "Write this polynomial as a product of irreducible factors with rational coefficients.",
    "Factorise completely (over the rationals):",
)
_FORMAT = (
    "Write the factorisation as a product, using ^ for repeated factors, for example: "
    "-2(3x - 1)^2(x^2 + x + 1)."
)


def _factor_text(coeffs: list[int], power: int) -> str:
    text = "x" if coeffs == [1, 0] else f"({poly_text(coeffs)})"
    return text + (f"^{power}" if power > 1 else "")


def _effort(payload: dict[str, Any]) -> int:
    return (
        len(payload["factors"])
        + sum(p - 1 for _, p in payload["factors"])
        + sum(2 for c, _ in payload["factors"] if len(c) == 3)
    )


class PolynomialFactor(MathTask[PolynomialFactorConfig]):
    name: ClassVar[str] = "polynomial_factor"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Factor an integer polynomial completely over the rationals (linear, repeated and "
        "irreducible quadratic factors)."
    )
    Config = PolynomialFactorConfig
    LEVELS = LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: PolynomialFactorConfig, rng: Random, index: int) -> Instance:
        whole = config.linear - min(config.fractions, config.linear)
        roots = draw_rationals(rng, whole, config.linear - whole, config.bound)
        factors: list[tuple[list[int], int]] = []
        for i, root in enumerate(roots):
            coeffs = [root.denominator, -root.numerator]
            factors.append((coeffs, 2 if i < config.repeated else 1))
        for _ in range(config.quadratics):
            factors.append((irreducible_quadratic(rng, config.bound), 1))
        rng.shuffle(factors)
        content = rng.randint(1, config.content) * rng.choice((1, -1))
        expanded = [content * c for c in poly_product([c for c, p in factors for _ in range(p)])]
        lead = "" if content == 1 else "-" if content == -1 else str(content)
        answer = lead + "".join(_factor_text(c, p) for c, p in factors)
        return Instance(
            prompt=compose(rng, _INTROS, poly_text(expanded), _FORMAT),
            answer=answer,
            payload={"coefficients": expanded, "factors": [[c, p] for c, p in factors]},
        )

    def solve(self, problem: Problem) -> Solution:
        coeffs = problem.payload["coefficients"]
        lines = [f"Factor {poly_text(coeffs)}."]
        roots, rest, search, _ = rational_roots(coeffs)
        lines += search
        counts: dict = {}
        for root in roots:
            counts[root] = counts.get(root, 0) + 1
        content = sp.Rational(rest[0].numerator, rest[0].denominator)
        parts = []
        for root, power in sorted(counts.items()):
            q, p = root.denominator, root.numerator
            content /= q**power
            parts.append(([q, -p], power))
        rest_poly = sp.Poly([sp.Rational(c.numerator, c.denominator) for c in rest], X).monic()
        if rest_poly.degree() > 0:
            _, quads = rest_poly.factor_list()
            for quad, power in quads:
                ints = [int(c) for c in quad.all_coeffs()]
                lines.append(f"{poly_text(ints)} has no rational root: irreducible.")
                parts.append((ints, power))
        lead = "" if content == 1 else "-" if content == -1 else sp.sstr(content)
        answer = lead + "".join(_factor_text(c, p) for c, p in parts)
        lines.append(f"Collect the constant {sp.sstr(content)} and the factors: {answer}.")
        return Solution(answer, "\n".join(lines), {"effort": _effort(problem.payload)})

    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        found = single_value(parsed)
        if found.free_symbols - {X} or not found.is_polynomial(X):
            raise AnswerFormatError("write a product of polynomials in x")
        if sp.Poly(found, X) != sp.Poly(problem.payload["coefficients"], X):
            return 0.0, "the product of the factors is not the polynomial"
        for factor in sp.Mul.make_args(found):
            base = factor.base if factor.is_Pow else factor
            if not _rational_coefficients(base):  # (x - √6)(x + √6) splits x² - 6 over the reals
                return 0.0, f"the factor {sp.sstr(base)[:60]} is not over the rational numbers"
            if base.free_symbols and not _irreducible(sp.Poly(base, X)):
                return 0.0, f"the factor {sp.sstr(base)[:60]} factors further"
        return 1.0, "a complete factorisation"


def _rational_coefficients(factor: sp.Expr) -> bool:
    if not factor.free_symbols:
        return bool(factor.is_Rational)
    return all(c.is_Rational for c in sp.Poly(factor, X).all_coeffs())


def _irreducible(poly: sp.Poly) -> bool:
    """Irreducible over the rationals; a quadratic by its discriminant (quick), higher
    degrees by sympy's factoriser."""
    if poly.degree() <= 1:
        return True
    if poly.degree() == 2:
        a, b, c = poly.all_coeffs()
        disc = b * b - 4 * a * c
        return not (disc.is_Rational and sp.sqrt(disc).is_Rational)
    return poly.is_irreducible
