"""Complex arithmetic: a chain of +, -, ×, ÷ on Gaussian integers, answered as a + bi
with exact rational parts (never floats). Generation computes with plain integers, a
reduced ``(a + ci)/d``; the solver recomputes with fractions, step by step."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from math import gcd
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.common import ValueTask, compose
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
_SYMBOL = {"+": "+", "-": "-", "*": "×", "/": "÷"}
_FORMAT = (
    "Write the result as a + bi with a and b exact integers or fractions, for example: -3/2 + 5i/7."
)


def _ratio_text(num: int, den: int) -> str:
    return str(num) if den == 1 else f"{num}/{den}"


def parts_text(re_num: int, re_den: int, im_num: int, im_den: int) -> str:
    """``a + bi`` from the reduced fractions of both parts (denominators positive)."""
    if im_num == 0:
        return _ratio_text(re_num, re_den)
    size = abs(im_num)
    body = "i" if size == 1 and im_den == 1 else f"{size}i" + (f"/{im_den}" if im_den != 1 else "")
    if re_num == 0:
        return f"-{body}" if im_num < 0 else body
    return f"{_ratio_text(re_num, re_den)} {'-' if im_num < 0 else '+'} {body}"


def complex_text(value: Complex) -> str:
    re, im = value
    return parts_text(re.numerator, re.denominator, im.numerator, im.denominator)


@lru_cache(maxsize=8192)
def _operand_text(re: int, im: int) -> str:
    return f"({parts_text(re, 1, im, 1)})"


@lru_cache(maxsize=64)
def _division_slots(operations: int, divisions: int) -> tuple[frozenset[int], ...]:
    """Every choice of which operations in the chain are the divisions."""
    return tuple(map(frozenset, combinations(range(operations), divisions)))


def _draw(rng: Random, config: ComplexArithmeticConfig) -> tuple[list[list[int]], list[str]]:
    """Operands (real part in [-bound, bound], imaginary part nonzero in the same range) and
    operators, all uniform, from one draw of the rng."""
    count, bound = config.operations, config.bound
    slots = _division_slots(count, min(config.divisions, count))
    reals, width = 2 * bound + 1, (2 * bound + 1) * 2 * bound
    value = rng.randrange(len(slots) * 3 ** (count - len(slots[0])) * width ** (count + 1))
    value, pick = divmod(value, len(slots))
    divide, ops = slots[pick], []
    for position in range(count):
        if position in divide:
            ops.append("/")
        else:
            value, op = divmod(value, 3)
            ops.append("+-*"[op])
    operands = []
    for _ in range(count + 1):
        value, cell = divmod(value, width)
        im, re = divmod(cell, reals)
        operands.append([re - bound, im - bound if im < bound else im - bound + 1])
    return operands, ops


def _value(operands: list[list[int]], ops: list[str]) -> str:
    """The chain's value, left to right, as a reduced ``(a + ci)/d`` in integers."""
    (a, c), d = operands[0], 1
    for op, (r, s) in zip(ops, operands[1:], strict=True):
        if op == "+":
            a, c = a + r * d, c + s * d  # gcd(a, c, d) stays 1
            continue
        if op == "-":
            a, c = a - r * d, c - s * d
            continue
        if op == "*":
            a, c = a * r - c * s, a * s + c * r
        else:  # multiply by the conjugate, divide by the norm
            a, c, d = a * r + c * s, c * r - a * s, d * (r * r + s * s)
        g = gcd(a, c, d)
        a, c, d = a // g, c // g, d // g
    g_re, g_im = gcd(a, d), gcd(c, d)
    return parts_text(a // g_re, d // g_re, c // g_im, d // g_im)


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
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Chains of +, -, ×, ÷ on Gaussian integers; answer a + bi."
    Config = ComplexArithmeticConfig
    LEVELS = LEVELS
    complex_unit: ClassVar[bool] = True

    def generate(self, config: ComplexArithmeticConfig, rng: Random, index: int) -> Instance:
        operands, ops = _draw(rng, config)
        if "*" not in ops and "/" not in ops:
            ops[0] = "*"  # a sum of operands alone is too easy to guess
        return Instance(
            prompt=compose(rng, _INTROS, self._text(operands, ops), _FORMAT),
            answer=_value(operands, ops),
            payload={"operands": operands, "ops": ops},
        )

    @staticmethod
    def _text(operands: list[list[int]], ops: list[str]) -> str:
        """Left to right: a sum so far is bracketed before a product or quotient."""
        text = _operand_text(*operands[0])
        has_sum = False
        for op, (re, im) in zip(ops, operands[1:], strict=True):
            if op in "*/" and has_sum:
                text, has_sum = f"[{text}]", False
            has_sum = has_sum or op in "+-"
            text = f"{text} {_SYMBOL[op]} {_operand_text(re, im)}"
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
