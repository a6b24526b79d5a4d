"""The answer grammar: a small arithmetic language parsed by recursive descent, never eval'd.

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := "-" factor | integer | "(" expression ")"

Accepted spellings: ``× x X · ∗ \\times \\cdot`` for ``*``, ``÷ \\div`` for ``/``,
``− – —`` for ``-``, ``[]`` and ``{}`` as parentheses. Unary minus is allowed (it adds no
number, so it cannot smuggle one in). Integers only: no decimals, powers, implicit
multiplication or names. Input is capped at :data:`MAX_CHARS` characters and
:data:`MAX_DEPTH` nested parentheses/minus signs, so parsing is linear and shallow.
Values are exact :class:`fractions.Fraction`; dividing by zero is reported, not raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from generators.base import AnswerFormatError

MAX_CHARS = 400
MAX_DEPTH = 24

_SPELLINGS = (
    ("\\times", "*"),
    ("\\cdot", "*"),
    ("\\div", "/"),
    ("\\left", ""),
    ("\\right", ""),
)
_SYMBOLS = str.maketrans("×xX·∗÷−–—[]{}", "*****/---()()")
_TOKEN = re.compile(r"\s*(?:(\d{1,12})|([-+*/()]))")


class DivisionByZero(ArithmeticError):
    pass


@dataclass(frozen=True)
class Evaluation:
    """The exact value and the integer literals, in the order written."""

    value: Fraction
    numbers: list[int]


def tokenize(text: str) -> list[str]:
    for latex, plain in _SPELLINGS:
        text = text.replace(latex, plain)
    text = text.translate(_SYMBOLS).rstrip()
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise AnswerFormatError(f"unexpected character {text[position].strip()[:1]!r}")
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.numbers: list[int] = []
        self.division_by_zero = False

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise AnswerFormatError("the expression ends too early")
        self.position += 1
        return token

    def expression(self) -> Fraction:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> Fraction:
        value = self.factor()
        while self.peek() in ("*", "/"):
            if self.take() == "*":
                value *= self.factor()
                continue
            divisor = self.factor()
            if divisor == 0:
                self.division_by_zero = True
                divisor = Fraction(1)  # keep parsing so format errors still surface
            value /= divisor
        return value

    def factor(self) -> Fraction:
        token = self.take()
        if token.isdigit():
            self.numbers.append(int(token))
            return Fraction(int(token))
        if token not in ("-", "("):
            raise AnswerFormatError(f"expected a number or '(' but found {token!r}")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerFormatError(f"nesting deeper than {MAX_DEPTH}")
        if token == "-":
            value = -self.factor()
        else:
            value = self.expression()
            if self.take() != ")":
                raise AnswerFormatError("unbalanced parentheses")
        self.depth -= 1
        return value


def evaluate(text: str) -> Evaluation:
    """Parse and evaluate; raises AnswerFormatError or DivisionByZero."""
    if not text.strip():
        raise AnswerFormatError("empty expression")
    if len(text) > MAX_CHARS:
        raise AnswerFormatError(f"expression longer than {MAX_CHARS} characters")
    parser = _Parser(tokenize(text))
    value = parser.expression()
    if parser.peek() is not None:
        raise AnswerFormatError(f"unexpected {parser.peek()!r} after a complete expression")
    if parser.division_by_zero:
        raise DivisionByZero("the expression divides by zero")
    return Evaluation(value, parser.numbers)
