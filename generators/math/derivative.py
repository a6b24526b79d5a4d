"""Derivatives of elementary functions: any form equal to f'(x) scores.

The function is a sum of blocks (powers, exponentials, sines, logarithms, products,
compositions, quotients) chosen by level (:mod:`generators.math.functions`), whose
derivatives follow from the rules. An answer is compared with the derivative exactly
where algebra decides and at sample points otherwise
(:func:`generators.math.answers.same_value`).
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import Instance, Solution
from generators.math.calculus import EXPRESSION_FORMAT, FunctionConfig
from generators.math.common import ValueTask, compose
from generators.math.functions import (
    CALCULUS_LEVELS,
    RULES,
    derivative,
    derivative_text,
    draw_blocks,
    effort,
    function_text,
    text,
)
from schemas.records import Problem

_INTROS = (
    "Differentiate the function below with respect to x.",
    "Find the derivative f'(x) of the following function.",
    "Compute d/dx of this function.",
)


class Derivative(ValueTask[FunctionConfig]):
    name: ClassVar[str] = "derivative"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Differentiate a sum of elementary blocks (powers, e^x, sin/cos, ln, products, "
        "compositions, quotients); any equivalent form is accepted."
    )
    Config = FunctionConfig
    LEVELS = CALCULUS_LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: FunctionConfig, rng: Random, index: int) -> Instance:
        blocks = draw_blocks(rng, config.kinds, config.terms, config.bound)
        statement = f"f(x) = {function_text(blocks)}"
        return Instance(
            prompt=compose(rng, _INTROS, statement, "Give f'(x). " + EXPRESSION_FORMAT),
            answer=derivative_text(blocks),
            payload={"blocks": blocks, "kinds": config.kinds, "terms": config.terms},
        )

    def solve(self, problem: Problem) -> Solution:
        blocks = problem.payload["blocks"]
        lines = [f"f(x) = {function_text(blocks)}; differentiate term by term."]
        for block in blocks:
            lines.append(f"d/dx [{text(block)}] = {derivative(block)}  ({RULES[block[0]]})")
        answer = derivative_text(blocks)
        lines.append(f"Sum of the pieces: f'(x) = {answer}")
        stats = {"effort": effort(problem.payload["kinds"], problem.payload["terms"])}
        return Solution(answer, "\n".join(lines), stats)
