"""Complex arithmetic: a chain of +, -, ×, ÷ on Gaussian integers, answered as a + bi
with exact rational parts (computed with fractions, never floats)."""

from __future__ import annotations

from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.common import ValueTask, compose, frac_text
from schemas.records import Problem

Complex = tuple[Fraction, Fraction]


class ComplexArithmeticConfig(TaskConfig):
    operations: int = Field(default=1, ge=1, le=8, description="operations in the chain")
    divisions: int = Field(default=0, ge=0, le=4, description="of which divisions")
    bound: int = Field(default=9, ge=2, le=30, description="largest |part| of an operand")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"operations": 1, "bound": 20},
    2: {"operations": 2, "bound": 12},
    3: {"operations": 2, "divisions": 1, "bound": 9},
    4: {"operations": 3, "divisions": 1, "bound": 9},
    5: {"operations": 4, "divisions": 1, "bound": 9},
    6: {"operations": 4, "divisions": 2, "bound": 9},
    7: {"operations": 5, "divisions": 2, "bound": 9},
    8: {"operations": 6, "divisions": 2, "bound": 9},
    9: {"operations": 7, "divisions": 3, "bound": 9},
    10: {"operations": 8, "divisions": 3, "bound": 12},
}

_INTROS = (
    "Simplify the complex expression below (i is the imaginary unit, i² = -1).",
    "Compute the following, where i² = -1.",
    "Evaluate this expression in the complex numbers.",
)
_FORMAT = (
    "Write the result as a + bi with a and b exact integers or fractions, for example: -3/2 + 5i/7."
)


def complex_text(value: Complex) -> str:
    re, im = value
    if im == 0:
        return frac_text(re)
    size = abs(im)
    body = (
        "i"
        if size == 1
        else f"{size.numerator}i" + (f"/{size.denominator}" if size.denominator != 1 else "")
    )
    if re == 0:
        return f"-{body}" if im < 0 else body
    return f"{frac_text(re)} {'-' if im < 0 else '+'} {body}"


def _operand_text(value: Complex) -> str:
    return f"({complex_text(value)})"


def apply(op: str, a: Complex, b: Complex) -> Complex:
    (p, q), (r, s) = a, b
    if op == "+":
        return p + r, q + s
    if op == "-":
        return p - r, q - s
    if op == "*":
        return p * r - q * s, p * s + q * r
    norm = r * r + s * s
    return (p * r + q * s) / norm, (q * r - p * s) / norm


class ComplexArithmetic(ValueTask[ComplexArithmeticConfig]):
    name: ClassVar[str] = "complex_arithmetic"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = "Chains of +, -, ×, ÷ on Gaussian integers; answer a + bi."
    Config = ComplexArithmeticConfig
    LEVELS = LEVELS
    complex_unit: ClassVar[bool] = True

    def generate(self, config: ComplexArithmeticConfig, rng: Random, index: int) -> Instance:
        def operand() -> list[int]:
            re, im = rng.randint(-config.bound, config.bound), rng.randint(1, config.bound)
            return [re, im * rng.choice((1, -1))]

        ops = ["/"] * min(config.divisions, config.operations)
        ops += [rng.choice("+-*") for _ in range(config.operations - len(ops))]
        rng.shuffle(ops)
        if ops.count("*") + ops.count("/") == 0:
            ops[0] = "*"  # a sum of operands alone is too easy to guess
        operands = [operand() for _ in range(len(ops) + 1)]
        value = self._evaluate(operands, ops)[0]
        return Instance(
            prompt=compose(rng, _INTROS, self._text(operands, ops), _FORMAT),
            answer=complex_text(value),
            payload={"operands": operands, "ops": ops},
        )

    @staticmethod
    def _text(operands: list[list[int]], ops: list[str]) -> str:
        """Left to right: a sum so far is bracketed before a product or quotient."""
        text = _operand_text((Fraction(operands[0][0]), Fraction(operands[0][1])))
        has_sum = False
        for op, (re, im) in zip(ops, operands[1:], strict=True):
            if op in "*/" and has_sum:
                text, has_sum = f"[{text}]", False
            has_sum = has_sum or op in "+-"
            symbol = {"*": "×", "/": "÷"}.get(op, op)
            text = f"{text} {symbol} {_operand_text((Fraction(re), Fraction(im)))}"
        return text

    @staticmethod
    def _evaluate(operands: list[list[int]], ops: list[str]) -> tuple[Complex, list[str]]:
        value: Complex = (Fraction(operands[0][0]), Fraction(operands[0][1]))
        lines = []
        for op, (re, im) in zip(ops, operands[1:], strict=True):
            other = (Fraction(re), Fraction(im))
            result = apply(op, value, other)
            how = ""
            if op == "/":
                how = (
                    f" (multiply by the conjugate; |{complex_text(other)}|² = {re * re + im * im})"
                )
            step = f"({complex_text(value)}) {op} ({complex_text(other)})"
            lines.append(f"{step} = {complex_text(result)}{how}")
            value = result
        return value, lines

    def solve(self, problem: Problem) -> Solution:
        operands, ops = problem.payload["operands"], problem.payload["ops"]
        value, lines = self._evaluate(operands, ops)
        lines = ["Work left to right, one operation at a time:", *lines]
        effort = len(ops) + ops.count("/") + ops.count("*")
        return Solution(complex_text(value), "\n".join(lines), {"effort": effort})
