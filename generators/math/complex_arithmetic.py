"""Complex arithmetic: a chain of +, -, ×, ÷ on Gaussian integers, answered as a + bi
with exact rational parts (never floats). Generation computes with plain integers, a
reduced ``(a + ci)/d``; the solver recomputes with fractions, step by step. One draw of a
:class:`~generators.hashrandom.HashRandom` picks the intro, the operator sequence and the
operands, each from a table made once per config."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from itertools import combinations, product
from math import gcd
from operator import itemgetter
from random import Random
from typing import Any, ClassVar, NamedTuple

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig, config_cached
from generators.hashrandom import Pools
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask
from generators.math.frames import statement_frames
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
_FRAMES = statement_frames(_INTROS, _FORMAT)
_TEXT = itemgetter(2)
"""An operand's text (see :func:`_operands`)."""


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


class _Chain(NamedTuple):
    """An operator sequence and its expression with a ``%s`` for each operand, in order
    (``%``-formatting is the cheapest way to fill it in)."""

    ops: tuple[str, ...]
    template: str


def _expression(operands: list[str], ops: Sequence[str]) -> str:
    """Left to right: a sum so far is bracketed before a product or quotient."""
    text, has_sum = operands[0], False
    for op, operand in zip(ops, operands[1:], strict=True):
        if op in "*/" and has_sum:
            text, has_sum = f"[{text}]", False
        has_sum = has_sum or op in "+-"
        text = f"{text} {_SYMBOL[op]} {operand}"
    return text


@lru_cache(maxsize=64)
def _chains(operations: int, divisions: int) -> tuple[_Chain, ...]:
    """Every operator sequence with exactly ``divisions`` divisions, each once (a sum alone,
    too easy to guess, gets a product first), so a uniform pick is a uniform sequence."""
    chains = []
    for divide in combinations(range(operations), divisions):
        for others in product("+-*", repeat=operations - divisions):
            rest = iter(others)
            ops = ["/" if at in divide else next(rest) for at in range(operations)]
            if "*" not in ops and "/" not in ops:
                ops[0] = "*"
            chains.append(_Chain(tuple(ops), _expression(["%s"] * (operations + 1), ops)))
    return tuple(chains)


@lru_cache(maxsize=64)
def _operands(bound: int) -> tuple[tuple[int, int, str], ...]:
    """Every operand (real part in [-bound, bound], imaginary part nonzero in the same
    range) with its text."""
    parts = range(-bound, bound + 1)
    return tuple((re, im, f"({parts_text(re, 1, im, 1)})") for im in parts if im for re in parts)


@config_cached
def _pools(config: ComplexArithmeticConfig) -> Pools[Any]:
    """One problem's draw: the prompt frame, the operator sequence, each operand."""
    count = config.operations
    chains = _chains(count, min(config.divisions, count))
    return Pools([_FRAMES, chains, *[_operands(config.bound)] * (count + 1)])


def _value(operands: Sequence[Sequence[int]], ops: Sequence[str]) -> str:
    """The chain's value, left to right, as ``(a + ci)/d`` in integers, reduced at the end
    (each part's reduced fraction is unique, so reducing once gives what reducing at every
    step would)."""
    (a, c), d = operands[0], 1
    rest = iter(operands)
    next(rest)
    # one op per operand after the first (zip's strict keyword alone costs 0.13 µs)
    for op, (r, s) in zip(ops, rest):  # noqa: B905
        if op == "/":  # multiply by the conjugate, divide by the norm
            a, c, d = a * r + c * s, c * r - a * s, d * (r * r + s * s)
        elif op == "+":
            a += r * d
            c += s * d
        elif op == "-":
            a -= r * d
            c -= s * d
        else:
            a, c = a * r - c * s, a * s + c * r
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
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = "Chains of +, -, ×, ÷ on Gaussian integers; answer a + bi."
    Config = ComplexArithmeticConfig
    LEVELS = LEVELS
    complex_unit: ClassVar[bool] = True
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: ComplexArithmeticConfig, rng: Random, index: int) -> Instance:
        (head, tail), chain, *picked = _pools(config).pick(rng)
        operands = [[re, im] for re, im, _ in picked]
        ops = list(chain.ops)
        statement = chain.template % tuple(map(_TEXT, picked))
        return Instance(
            head + statement + tail, _value(operands, ops), {"operands": operands, "ops": ops}
        )

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
