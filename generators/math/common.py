"""What the math tasks share: the base class (parsing with the task's variables, the
guesses the audit tries), prompt assembly, and text forms of numbers and polynomials that
the answer parser reads back."""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from random import Random
from typing import ClassVar, TypeVar

import sympy as sp

from generators.base import ANSWER_INSTRUCTION, Task, TaskConfig
from generators.math.answers import (
    Answer,
    parse_answer,
    parse_expr,
    same_set,
    same_value,
    single_value,
    value_list,
)
from generators.math.answers.plain import AnswerForm
from schemas.records import Problem

C = TypeVar("C", bound=TaskConfig)

_NUMBER = re.compile(r"\d+")
_SHOW = ((re.compile(r"\*\*"), "^"), (re.compile(r"\bI\b"), "i"), (re.compile(r"\bE\b"), "e"))
_SHOW += ((re.compile(r"\blog\("), "ln("),)


def show(expr: sp.Expr) -> str:
    """sympy's text form in the notation the prompts use (``^``, ``i``, ``e``, ``ln``)."""
    text = sp.sstr(expr)
    for pattern, replacement in _SHOW:
        text = pattern.sub(replacement, text)
    return text


def frac_text(value: Fraction | int) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value}"


def poly_text(coeffs: Sequence[int | Fraction], var: str = "x") -> str:
    """``[3, 0, -2, 5]`` (highest degree first) → ``3x^3 - 2x + 5``."""
    degree, parts = len(coeffs) - 1, []
    for i, c in enumerate(coeffs):
        if c == 0:
            continue
        power = degree - i
        size = abs(Fraction(c))
        body = frac_text(size) if power == 0 or size != 1 else ""
        if power and body and size.denominator != 1:
            body = f"({body})"
        body += "" if power == 0 else var if power == 1 else f"{var}^{power}"
        sign = "-" if c < 0 else "+"
        parts.append((sign, body))
    if not parts:
        return "0"
    first_sign, first = parts[0]
    text = ("-" if first_sign == "-" else "") + first
    return text + "".join(f" {sign} {body}" for sign, body in parts[1:])


def poly_mul(a: Sequence[int], b: Sequence[int]) -> list[int]:
    """Product of two integer polynomials (coefficients highest degree first)."""
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def poly_product(factors: Sequence[Sequence[int]]) -> list[int]:
    out = [1]
    for factor in factors:
        out = poly_mul(out, factor)
    return out


def nonzero(rng: Random, bound: int) -> int:
    """A uniform integer in [-bound, bound] other than 0."""
    value = rng.randint(1, bound)
    return value if rng.random() < 0.5 else -value


def compose(rng: Random, intros: Sequence[str], statement: str, answer_format: str) -> str:
    """Intro (one of several phrasings), the statement, the answer format, the tags."""
    return f"{rng.choice(intros)}\n\n{statement}\n\n{answer_format} {ANSWER_INSTRUCTION}"


def number_guesses(problem: Problem) -> dict[str, str]:
    """The lazy numeric guesses every math task is audited against."""
    guesses = {"zero": "0", "one": "1", "minus one": "-1"}
    numbers = [int(n) for n in _NUMBER.findall(problem.prompt) if len(n) < 30]
    if numbers:
        guesses["largest number in the prompt"] = str(max(numbers))
    return guesses


@lru_cache(maxsize=4096)
def _canonical(answer: str, variables: tuple[str, ...], complex_unit: bool) -> sp.Expr:
    return parse_expr(answer, variables, complex_unit)


@lru_cache(maxsize=4096)
def _canonical_list(answer: str, variables: tuple[str, ...], complex_unit: bool) -> tuple:
    return tuple(value_list(parse_answer(answer, variables, complex_unit)))


class MathTask(Task[C]):
    """A task whose answer is read by the safe parser with the task's variables."""

    variables: ClassVar[tuple[str, ...]] = ()
    complex_unit: ClassVar[bool] = False
    answer_form: ClassVar[AnswerForm | None] = None
    """The form the prompt asks values in (:mod:`generators.math.answers.plain`): "number"
    (an integer or a fraction; a + bi of such parts), "radicals" (numbers and roots); an
    expression of the right value in another form is then refused."""

    def variables_of(self, problem: Problem) -> tuple[str, ...]:
        return tuple(problem.payload.get("variables", self.variables))

    def parse(self, problem: Problem, answer: str) -> Answer:
        variables = self.variables_of(problem)
        return parse_answer(answer, variables, self.complex_unit, self.answer_form)

    def canonical(self, problem: Problem, text: str | None = None) -> sp.Expr:
        """The reference answer (or ``text``) as one expression, parsed once and cached."""
        return _canonical(text or problem.answer, self.variables_of(problem), self.complex_unit)

    def canonical_list(self, problem: Problem) -> list[sp.Expr]:
        return list(_canonical_list(problem.answer, self.variables_of(problem), self.complex_unit))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return self.score(problem, self.parse(problem, answer))

    @abstractmethod
    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        """Score a parsed answer; may raise :class:`AnswerFormatError`."""

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        return {**super().trivial_answers(problem), **number_guesses(problem)}


class ValueTask(MathTask[C]):
    """A task whose answer is one exact value (a number or an expression)."""

    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        found = single_value(parsed)
        if same_value(found, self.canonical(problem)):
            return 1.0, "correct"
        return 0.0, f"{show(found)[:80]} is not the answer"


class SetTask(MathTask[C]):
    """A task whose answer is a set of distinct values, in any order."""

    def score(self, problem: Problem, parsed: Answer) -> tuple[float, str]:
        ok, reason = same_set(value_list(parsed), self.canonical_list(problem))
        return float(ok), reason
