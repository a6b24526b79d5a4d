"""Antiderivatives: an answer scores when its derivative equals the integrand.

The antiderivative F is drawn first (the blocks of :mod:`generators.math.functions`) and
the integrand is F', so a closed form always exists. A constant of integration (``+ C``)
is optional.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

import sympy as sp

from generators.base import AnswerFormatError, Instance, Solution
from generators.math.answers import Answer, same_value, single_value
from generators.math.calculus import EXPRESSION_FORMAT, FunctionConfig
from generators.math.common import MathTask, compose
from generators.math.functions import (
    CALCULUS_LEVELS,
    derivative,
    derivative_text,
    draw_blocks,
    effort,
    function_text,
    text,
)
from schemas.records import Problem

X, C = sp.Symbol("x"), sp.Symbol("C")
_INTROS = (
    "Find an antiderivative F(x) of the function below.",
    "Compute the indefinite integral of f(x) with respect to x.",
    "Integrate the following function with respect to x.",
)
_METHODS = {
    "power": "reverse power rule",
    "exp": "∫e^(ax) dx = e^(ax)/a",
    "trig": "∫sin and ∫cos with the inner factor",
    "log": "∫1/x dx = ln x",
    "product": "integration by parts",
    "chain": "substitution u = the inner quadratic",
    "quotient": "recognising a quotient-rule derivative",
}


class Antiderivative(MathTask[FunctionConfig]):
    name: ClassVar[str] = "antiderivative"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Find an antiderivative of an elementary function; checked by differentiating the "
        "answer, so any constant of integration is accepted."
    )
    Config = FunctionConfig
    LEVELS = CALCULUS_LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x", "C")

    def generate(self, config: FunctionConfig, rng: Random, index: int) -> Instance:
        blocks = draw_blocks(rng, config.kinds, config.terms, config.bound)
        statement = f"f(x) = {derivative_text(blocks)}"
        answer_format = "Give F(x) (the constant of integration may be omitted). "
        return Instance(
            prompt=compose(rng, _INTROS, statement, answer_format + EXPRESSION_FORMAT),
            answer=function_text(blocks),
            payload={"blocks": blocks, "kinds": config.kinds, "terms": config.terms},
        )

    def solve(self, problem: Problem) -> Solution:
        blocks = problem.payload["blocks"]
        lines = [f"Integrate f(x) = {derivative_text(blocks)} piece by piece."]
        for block in blocks:
            method = _METHODS[block[0]]
            lines.append(f"∫ {derivative(block)} dx = {text(block)}  ({method})")
        answer = function_text(blocks)
        lines.append(f"Check: differentiating {answer} gives back every piece of f(x).")
        lines.append(f"F(x) = {answer} + C")
        stats = {"effort": effort(problem.payload["kinds"], problem.payload["terms"])}
        return Solution(answer, "\n".join(lines), stats)

    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        found = single_value(parsed)
        if found.free_symbols - {X, C}:
            raise AnswerFormatError("only x and the constant C may appear")
        integrand = self.canonical(problem, derivative_text(problem.payload["blocks"]))
        if same_value(sp.diff(found, X), integrand):
            return 1.0, "its derivative is the integrand"
        return 0.0, "its derivative is not the integrand"
