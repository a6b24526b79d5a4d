"""Math path: fill the blanks of an arithmetic template with digits so the equation holds.

A template such as ``? + ? × ? − ? = 23`` (standard precedence: × and ÷ before + and −,
left to right; ÷ is exact division, so fractions may occur on the way) has every blank
replaced by a digit 1–9; with ``distinct_digits`` no digit may be used twice. The generator
draws the digits and operators first and takes the value as the target, so at least one
filling exists. Many fillings are usually valid: the verifier checks the rules (template,
digits, exact arithmetic with fractions), never string equality with the oracle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field, field_validator

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    GenerationError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import bounded_int
from schemas.records import Problem

_SHOW = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_READ = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "x": "*", "X": "*"}
_READ |= {"·": "*", "/": "/", "÷": "/", ":": "/"}


class MathPathConfig(TaskConfig):
    """Number of blanks, operators to draw from, and whether digits must be distinct."""

    blanks: int = Field(default=4, ge=2, le=9, description="digits to fill in")
    operators: str = Field(default="+-*", description="operators to draw from, among + - * /")
    distinct_digits: bool = Field(default=False, description="each digit at most once")
    max_attempts: int = Field(default=1000, ge=1, le=100_000, description="draws before failing")

    @field_validator("operators")
    @classmethod
    def _known_operators(cls, value: str) -> str:
        if not value or any(op not in _SHOW for op in value) or len(set(value)) != len(value):
            raise ValueError("operators must be distinct characters among + - * /")
        return value


LEVELS: dict[int, dict[str, Any]] = {
    1: {"blanks": 3, "operators": "+-"},
    2: {"blanks": 3, "operators": "+-*"},
    3: {"blanks": 4, "operators": "+-*", "distinct_digits": True},
    4: {"blanks": 5, "operators": "+-*", "distinct_digits": True},
    5: {"blanks": 4, "operators": "+-*/", "distinct_digits": True},
    6: {"blanks": 5, "operators": "+-*/", "distinct_digits": True},
    7: {"blanks": 7, "operators": "+-*", "distinct_digits": True},
    8: {"blanks": 7, "operators": "+-*/", "distinct_digits": True},
    9: {"blanks": 8, "operators": "+-*", "distinct_digits": True},
    10: {"blanks": 9, "operators": "+-*/", "distinct_digits": True},
}


def evaluate(digits: list[int], ops: list[str]) -> Fraction:
    """The exact value with × and ÷ before + and −, left to right (no division by 0 occurs)."""
    total, term, sign = Fraction(0), Fraction(digits[0]), 1
    for op, d in zip(ops, digits[1:], strict=True):
        if op == "*":
            term *= d
        elif op == "/":
            term /= d
        else:
            total += sign * term
            term, sign = Fraction(d), 1 if op == "+" else -1
    return total + sign * term


@dataclass(frozen=True)
class Template:
    ops: list[str]
    target: int
    distinct: bool

    def show(self, digits: list[int] | None = None) -> str:
        cells = [str(d) for d in digits] if digits else ["?"] * (len(self.ops) + 1)
        parts = [cells[0]]
        for op, cell in zip(self.ops, cells[1:], strict=True):
            parts += [_SHOW[op], cell]
        return " ".join([*parts, "=", str(self.target)])


Range = tuple[float, float]
_SLACK = 1e-6  # float bounds only prune; the leaf check is exact


class _Search:
    """Depth-first filling of the blanks left to right, digits in increasing order.

    The expression is a sum of signed terms (products/quotients of positive digits). After
    each digit the closed terms give a partial sum, the open term an interval (its remaining
    factors are 1–9), and every later term an interval; the branch is cut when the target
    lies outside the sum of these. Bounds use floats widened by a small slack (values stay
    below 10**9, far inside float precision), and a complete filling is checked exactly.
    ``nodes`` counts digits placed until the first filling is found, ``refuted[i]`` the
    digits tried and abandoned at blank ``i`` on the way.
    """

    def __init__(self, template: Template) -> None:
        self.t = template
        self.n = len(template.ops) + 1
        ops = ["+", *template.ops]
        starts = [i for i in range(self.n) if ops[i] in "+-"]
        # grow[i]: (low, high) factor the open term may still gain after blank i.
        self.grow: list[Range] = [(1.0, 1.0)] * self.n
        for i in range(self.n - 2, -1, -1):
            if ops[i + 1] in "*/":
                low, high = self.grow[i + 1]
                self.grow[i] = (low, high * 9) if ops[i + 1] == "*" else (low / 9, high)
        # later[i]: range of the signed sum of the terms that start after blank i.
        self.later: list[Range] = [(0.0, 0.0)] * self.n
        low = high = 0.0
        for i in range(self.n - 1, -1, -1):
            self.later[i] = (low, high)
            if i in starts:
                g_low, g_high = self.grow[i]
                a, b = (g_low, 9 * g_high) if ops[i] == "+" else (-9 * g_high, -g_low)
                low, high = low + a, high + b
        self.ops = ops
        self.nodes = 0
        self.refuted = [0] * self.n
        self.digits: list[int] = []

    def run(self) -> list[int] | None:
        return self._fill(0, 0.0, 1, 0.0, 0)

    def _fill(self, i: int, total: float, sign: int, term: float, used: int) -> list[int] | None:
        if i == self.n:
            exact = evaluate(self.digits, self.t.ops) == self.t.target
            return list(self.digits) if exact else None
        op = self.ops[i]
        for d in range(1, 10):
            if self.t.distinct and used >> d & 1:
                continue
            self.nodes += 1
            if op in "+-":
                state = (total + sign * term, 1 if op == "+" else -1, float(d))
            else:
                state = (total, sign, term * d if op == "*" else term / d)
            closed, s, open_term = state
            g_low, g_high = self.grow[i]
            a, b = sorted((s * open_term * g_low, s * open_term * g_high))
            l_low, l_high = self.later[i]
            if closed + a + l_low - _SLACK <= self.t.target <= closed + b + l_high + _SLACK:
                self.digits.append(d)
                if (found := self._fill(i + 1, *state, used | 1 << d)) is not None:
                    return found
                self.digits.pop()
            self.refuted[i] += 1
        return None


_INTROS = (
    "Fill in the blanks of this equation.",
    "Each '?' in the equation below hides a digit; restore them.",
    "Complete the arithmetic path below by writing a digit in every blank.",
)
_RULES = (
    "Every '?' must be replaced by a single digit from 1 to 9{distinct}. The usual order of "
    "operations applies: × and ÷ before + and −, otherwise left to right; ÷ is exact division "
    "(intermediate results may be fractions)."
)
_QUESTIONS = (
    "Find digits that make the equation true.",
    "Which digits make both sides equal?",
    "Give one way to fill the blanks so that the equation holds.",
)
_FORMAT = (
    "Any correct filling is accepted. Answer with the complete equation with the blanks "
    "filled in, keeping the operators and the right-hand side, for example: {example}."
)


class MathPathGenerationError(GenerationError):
    """No template with an integer value was drawn within ``max_attempts``."""


def _draw(config: MathPathConfig, rng: Random) -> tuple[Template, list[int]]:
    for _ in range(config.max_attempts):
        ops = [rng.choice(config.operators) for _ in range(config.blanks - 1)]
        if config.distinct_digits:
            digits = rng.sample(range(1, 10), config.blanks)
        else:
            digits = [rng.randint(1, 9) for _ in range(config.blanks)]
        value = evaluate(digits, ops)
        if value.denominator == 1:
            return Template(ops, int(value), config.distinct_digits), digits
    raise MathPathGenerationError(f"no integer-valued template in {config.max_attempts} draws")


def _template(payload: dict[str, Any]) -> Template:
    return Template(payload["ops"], payload["target"], payload["distinct"])


class MathPath(Task[MathPathConfig]):
    """Fill digit blanks so an arithmetic equation holds; any valid filling scores 1."""

    name: ClassVar[str] = "math_path"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Math path: an equation like '? + ? × ? − ? = 23' with digit blanks (1–9, distinct at "
        "higher levels); fill the blanks so it holds under standard precedence."
    )
    Config = MathPathConfig
    LEVELS = LEVELS
    surface_fields = frozenset({"digits"})

    def generate(self, config: MathPathConfig, rng: Random, index: int) -> Instance:
        template, digits = _draw(config, rng)
        distinct = ", each digit at most once" if template.distinct else ""
        example = Template(["+", "*"], 11, False).show([5, 2, 3])
        prompt = "\n\n".join(
            [
                rng.choice(_INTROS),
                template.show(),
                _RULES.format(distinct=distinct),
                rng.choice(_QUESTIONS),
                _FORMAT.format(example=example),
                ANSWER_INSTRUCTION,
            ]
        )
        payload = {
            "ops": template.ops,
            "target": template.target,
            "distinct": template.distinct,
            "digits": digits,
        }
        return Instance(prompt=prompt, answer=template.show(digits), payload=payload)

    def solve(self, problem: Problem) -> Solution:
        template = _template(problem.payload)
        search = _Search(template)
        digits = search.run()
        if digits is None:  # impossible: the generator's own digits are a filling
            raise ValueError("no filling found")
        return Solution(
            answer=template.show(digits),
            reasoning=_reasoning(template, search, digits),
            stats={"effort": search.nodes, "nodes": search.nodes},
        )

    def answer_space(self, problem: Problem) -> int:
        return 9 ** len(problem.payload["digits"])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        template = _template(problem.payload)
        digits, ops, target = parse_equation(answer)
        if len(digits) != len(template.ops) + 1 or ops != template.ops:
            return 0.0, f"does not follow the template {template.show()}"
        if target != template.target:
            return 0.0, f"right-hand side {target} is not {template.target}"
        if any(not 1 <= d <= 9 for d in digits):
            return 0.0, "every blank must hold one digit from 1 to 9"
        if template.distinct and len(set(digits)) != len(digits):
            return 0.0, "a digit is used twice"
        value = evaluate(digits, ops)
        if value != template.target:
            return 0.0, f"the left-hand side equals {value}, not {template.target}"
        return 1.0, "correct"


_TOKEN = re.compile(r"\d+|\S")


def parse_equation(answer: str) -> tuple[list[int], list[str], int]:
    """(numbers in the blanks, operators, right-hand side) of 'a op b op … = t'."""
    tokens = _TOKEN.findall(answer.strip().rstrip("."))
    if "=" not in tokens:
        raise AnswerFormatError("expected an equation 'digits and operators = target'")
    split = tokens.index("=")
    left, right = tokens[:split], tokens[split + 1 :]
    sign = -1 if right[:1] and right[0] in _READ and _READ[right[0]] == "-" else 1
    right = right[1:] if sign < 0 else right
    if len(right) != 1 or not right[0].isdecimal() or len(left) % 2 == 0:
        raise AnswerFormatError(f"expected 'a op b … = target', found {answer[:80]!r}")
    numbers, ops = left[0::2], left[1::2]
    if not all(n.isdecimal() and len(n) <= 9 for n in numbers) or any(o not in _READ for o in ops):
        raise AnswerFormatError(f"expected digits separated by + − × ÷, found {answer[:80]!r}")
    target = sign * bounded_int(right[0], 12, "the right-hand side")
    return [int(n) for n in numbers], [_READ[o] for o in ops], target


def _reasoning(template: Template, search: _Search, digits: list[int]) -> str:
    lines = [
        f"Equation: {template.show()}.",
        "Fill the blanks from left to right, trying 1, 2, …, 9 in turn"
        + (" (skipping digits already used)" if template.distinct else "")
        + ". After each digit, bound the final value: the finished terms are exact, the open "
        "term and every later term can only take values between their smallest and largest "
        "possible products; a digit is dropped once the target falls outside that range.",
    ]
    for i, count in enumerate(search.refuted):
        if count:
            lines.append(f"Blank {i + 1}: {count} digit choice(s) abandoned during the search.")
    lines.append(f"The first filling that reaches the target (after {search.nodes} placements):")
    ops = ["+", *template.ops]
    terms: list[tuple[str, list[str], Fraction]] = []
    for op, d in zip(ops, digits, strict=True):
        if op in "+-":
            terms.append((op, [str(d)], Fraction(d)))
        else:
            sign, text, value = terms[-1]
            value = value * d if op == "*" else value / d
            terms[-1] = (sign, [*text, _SHOW[op], str(d)], value)
    total = Fraction(0)
    for sign, text, value in terms:
        if len(text) > 1:
            lines.append(f"{' '.join(text)} = {value}")
        total += value if sign == "+" else -value
    signed = " ".join(f"{_SHOW[s]} {v}" for s, v in [(s, v) for s, _, v in terms])
    lines.append(f"Sum of the terms: {signed.removeprefix('+ ')} = {total}.")
    return "\n".join(lines)
