"""Linear equations in one unknown: terms such as ``a(bx + c)`` on both sides, one exact
rational solution.

Generation draws the terms, then the last constant so that the chosen solution holds
(integers at low levels, fractions above); the net coefficient of x is never zero, so the
solution is unique.
"""

from __future__ import annotations

from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask, compose, frac_text, nonzero, poly_text
from schemas.records import Problem


class LinearEquationConfig(TaskConfig):
    terms: int = Field(default=3, ge=2, le=10, description="terms over both sides")
    grouped: int = Field(default=1, ge=0, le=6, description="terms written a(bx + c)")
    coefficient: int = Field(default=9, ge=2, le=60, description="largest |coefficient|")
    fraction_solution: bool = Field(default=False, description="the solution may be a fraction")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"terms": 2, "grouped": 0, "coefficient": 20},
    2: {"terms": 3, "grouped": 0, "coefficient": 12},
    3: {"terms": 3, "grouped": 1, "coefficient": 9, "fraction_solution": True},
    4: {"terms": 4, "grouped": 1, "coefficient": 12, "fraction_solution": True},
    5: {"terms": 5, "grouped": 2, "coefficient": 12, "fraction_solution": True},
    6: {"terms": 6, "grouped": 2, "coefficient": 15, "fraction_solution": True},
    7: {"terms": 7, "grouped": 3, "coefficient": 20, "fraction_solution": True},
    8: {"terms": 8, "grouped": 4, "coefficient": 25, "fraction_solution": True},
    9: {"terms": 9, "grouped": 5, "coefficient": 30, "fraction_solution": True},
    10: {"terms": 10, "grouped": 6, "coefficient": 40, "fraction_solution": True},
}

_INTROS = (
    "Solve the following linear equation for x.",
    "Find the value of x that satisfies this equation.",
    "Determine x exactly.",
)
_FORMAT = (
    "Give x as an integer or a reduced fraction (for example: -7/3); decimals are accepted "
    "only when they are exact."
)

Term = list[int]
"""[a, b, c] is a·(b·x + c); b = 0 is a constant a·c, a = 1 with c = 0 is b·x."""


def _term_text(term: Term, grouped: bool) -> str:
    a, b, c = term
    if grouped:
        inner = f"{b}x {'+' if c >= 0 else '-'} {abs(c)}"
        return f"{a}({inner})"
    return f"{a * b}x" if b else str(a * c)


def _side_text(terms: list[Term], groups: list[bool]) -> str:
    text = ""
    for term, grouped in zip(terms, groups, strict=True):
        piece = _term_text(term, grouped)
        if not text:
            text = piece
        elif piece.startswith("-"):
            text += f" - {piece[1:]}"
        else:
            text += f" + {piece}"
    return text


def _totals(terms: list[Term]) -> tuple[int, int]:
    """(coefficient of x, constant) of a side."""
    return sum(a * b for a, b, _ in terms), sum(a * c for a, _, c in terms)


def _random_term(rng: Random, bound: int, grouped: bool, linear: bool) -> Term:
    if grouped:
        a = rng.randint(2, min(bound, 9)) * rng.choice((1, -1))
        return [a, nonzero(rng, bound), nonzero(rng, bound)]
    return [1, nonzero(rng, bound), 0] if linear else [1, 0, nonzero(rng, bound)]


class LinearEquation(ValueTask[LinearEquationConfig]):
    name: ClassVar[str] = "linear_equation"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Linear equations in x with bracketed terms on both sides; one exact rational root."
    )
    Config = LinearEquationConfig
    LEVELS = LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: LinearEquationConfig, rng: Random, index: int) -> Instance:
        bound, n = config.coefficient, config.terms
        grouped = min(config.grouped, n - 1)
        while True:
            flags = [i < grouped for i in range(n - 1)]
            rng.shuffle(flags)
            terms = [
                _random_term(rng, bound, flag, linear=i % 2 == 0) for i, flag in enumerate(flags)
            ]
            split = rng.randint(1, n - 1)
            left, right = terms[:split], terms[split:]
            left_flags, right_flags = flags[:split], flags[split:]
            (la, lc), (ra, rc) = _totals(left), _totals(right)
            if la != ra:
                break
        if config.fraction_solution:
            constant = nonzero(rng, bound * 3)
        else:
            root = nonzero(rng, 40)
            constant = (la - ra) * root + lc - rc
        right = [*right, [1, 0, constant]]
        right_flags = [*right_flags, False]
        solution = Fraction(_totals(right)[1] - lc, la - ra)
        equation = f"{_side_text(left, left_flags)} = {_side_text(right, right_flags)}"
        return Instance(
            prompt=compose(rng, _INTROS, equation, _FORMAT),
            answer=frac_text(solution),
            payload={
                "left": left,
                "right": right,
                "left_grouped": left_flags,
                "right_grouped": right_flags,
            },
        )

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        (la, lc), (ra, rc) = _totals(p["left"]), _totals(p["right"])
        lines = [
            f"Equation: {_side_text(p['left'], p['left_grouped'])} = "
            f"{_side_text(p['right'], p['right_grouped'])}",
            f"Expand and collect each side: left = {poly_text([la, lc])}, "
            f"right = {poly_text([ra, rc])}.",
            f"Move x terms left and constants right: ({la} - {ra})x = {rc} - {lc}, "
            f"so {la - ra}x = {rc - lc}.",
        ]
        solution = Fraction(rc - lc, la - ra)
        lines.append(f"Divide by {la - ra}: x = {frac_text(solution)}.")
        check = la * solution + lc
        lines.append(f"Check: both sides equal {frac_text(check)} at x = {frac_text(solution)}.")
        groups = sum(p["left_grouped"]) + sum(p["right_grouped"])
        effort = len(p["left"]) + len(p["right"]) + groups
        return Solution(frac_text(solution), "\n".join(lines), {"effort": effort})
