"""Equivalence of parsed answers, and the shapes tasks ask for (one value, a set of values,
an assignment, a matrix, a union of intervals).

Two expressions are equal when their difference simplifies to zero exactly (``expand``;
``cancel`` for rational functions). Where that does not decide it (radicals,
transcendental functions), the difference is evaluated at fixed points with a precision
scaled to the exact numbers it contains, so a tiny perturbation such as
``sin(x)·(1 + 10^-40)`` is seen rather than lost in rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import sympy as sp

from generators.base import AnswerFormatError
from generators.math.answers.build import (
    Answer,
    Builder,
    Equation,
    Matrix,
    Seq,
    SetOf,
    Union,
    bits,
)
from generators.math.answers.grammar import Parser
from generators.math.answers.lexer import Lexer
from generators.math.answers.magnitude import within_doubles
from generators.math.answers.plain import AnswerForm, require_form

MAX_DIGITS_COMPARED = 1500
_POINTS = (sp.Rational(13, 19), sp.Rational(7, 5), sp.Rational(23, 11), sp.Rational(31, 13))
_SHIFTS = (sp.Rational(0), sp.Rational(3, 17), sp.Rational(5, 23), sp.Rational(2, 29))


@lru_cache(maxsize=64)
def _lexer(variables: frozenset[str], complex_unit: bool) -> Lexer:
    return Lexer(variables, complex_unit)


def parse_answer(
    text: str,
    variables: Sequence[str] = (),
    complex_unit: bool = False,
    form: AnswerForm | None = None,
) -> Answer:
    """Parses an untrusted answer; raises :class:`AnswerFormatError` with a reason. With a
    ``form``, every value must be written in it (:mod:`.plain`)."""
    tokens = _lexer(frozenset(variables), complex_unit).tokens(text)
    tree = Parser(tokens).parse()
    if form is not None:
        require_form(tree, form, complex_unit)
    return Builder().answer(tree)


def parse_expr(text: str, variables: Sequence[str] = (), complex_unit: bool = False) -> sp.Expr:
    """One expression (``x = 5`` gives 5); for trusted canonical answers and tests too."""
    return single_value(parse_answer(text, variables, complex_unit))


# --- equality -------------------------------------------------------------------------------


def same_value(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two bounded expressions are mathematically equal: ``a`` the answer found,
    ``b`` the reference (where neither is exactly decided, see :func:`_numerically_zero`)."""
    if a == b:
        return True
    if a.has(sp.oo, -sp.oo) or b.has(sp.oo, -sp.oo):
        return False
    difference = sp.expand(a - b)
    if difference == 0:
        return True
    if difference.is_Rational:
        return False
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    if not symbols and _gaussian_rational(difference):
        return False  # an expanded a + b·i with exact parts, not both zero
    verdict = _polynomial_verdict(difference, symbols) if symbols else None
    if verdict is not None:
        return verdict
    if symbols and difference.is_rational_function(*symbols):
        numerator, _ = difference.as_numer_denom()
        return sp.expand(numerator) == 0
    return _numerically_zero(difference, a, b, symbols)


def _gaussian_rational(value: sp.Expr) -> bool:
    """Whether ``value`` is built from rationals and i by sums and products only (no
    radicals, constants or functions), so that its expanded form is a + b·i."""
    if value.has(sp.Pow):
        return False
    return all(atom.is_Rational or atom == sp.I for atom in value.atoms())


def _polynomial_verdict(value: sp.Expr, symbols: list[sp.Symbol]) -> bool | None:
    """Equal (True) or not (False) when ``value`` is a polynomial whose coefficients sympy
    decides exactly; None when it cannot tell."""
    if not value.is_polynomial(*symbols):
        return None
    poly = sp.Poly(value, *symbols)
    if poly.is_zero:
        return True
    return False if all(c.is_Rational for c in poly.coeffs()) else None


def _numerically_zero(
    difference: sp.Expr, found: sp.Expr, reference: sp.Expr, symbols: list[sp.Symbol]
) -> bool:
    """Whether ``difference`` (found − reference) vanishes at the checked points: four with
    positive coordinates, and their mirror images where both sides are real there, so that
    a form equal only for positive x (``x·|x|`` for ``x²``, ``sqrt(x²)`` for ``x``) is seen,
    while forms whose principal branches part for negative x (``∛(x³)``, ``ln(x)``) are not
    judged there."""
    weight = sum(bits(atom) for atom in difference.atoms(sp.Rational))
    digits = 30 + math.ceil(0.302 * weight)
    if digits > MAX_DIGITS_COMPARED:
        raise AnswerFormatError("numbers too large to compare exactly")
    tolerance = sp.Float(10) ** (15 - digits)
    checked = 0
    for point, mirrored in _points(symbols):
        if not (within_doubles(difference, point) and within_doubles(found, point)):
            raise AnswerFormatError("a value too large to compare at the checked points")
        if mirrored and not (_real_at(found, point, digits) and _real_at(reference, point, digits)):
            continue
        value = difference.evalf(digits, subs=point)
        size = abs(found.evalf(digits, subs=point))
        if not (value.is_number and size.is_finite and value.is_finite):
            continue
        checked += 1
        if abs(value) > tolerance * (1 + size):
            return False
    return checked > 0


def _points(symbols: list[sp.Symbol]) -> list[tuple[dict[sp.Symbol, sp.Rational], bool]]:
    """(point, whether mirrored) for each point an equality is checked at."""
    if not symbols:
        return [({}, False)]
    points = []
    for j, shift in enumerate(_SHIFTS):  # x alone takes 13/19, 1.58, 2.31, 2.45
        point = {
            s: _POINTS[(i + j) % len(_POINTS)] + shift * (i + 1) for i, s in enumerate(symbols)
        }
        points.append((point, False))
        points.append(({s: -v for s, v in point.items()}, True))
    return points


def _real_at(value: sp.Expr, point: dict[sp.Symbol, sp.Rational], digits: int) -> bool:
    number = value.evalf(digits, subs=point)
    return bool(number.is_number and number.is_finite and number.is_extended_real)


# --- shapes ---------------------------------------------------------------------------------


def _unwrap(value: object) -> object:
    """``x = 5`` → 5 (a named value); anything else unchanged."""
    if isinstance(value, Equation):
        if not isinstance(value.left, sp.Symbol):
            raise AnswerFormatError("an equation where a value belongs")
        return value.right
    return value


def single_value(answer: Answer) -> sp.Expr:
    if len(answer.items) != 1:
        raise AnswerFormatError(f"{len(answer.items)} values where one belongs")
    value = _unwrap(answer.items[0])
    if not isinstance(value, sp.Expr):
        raise AnswerFormatError("a tuple, set or matrix where one value belongs")
    return value


def value_list(answer: Answer) -> list[sp.Expr]:
    """The values of ``1, 2``, ``{1, 2}``, ``x = 1 or x = 2``, ``[1, 2]``, ``(1, 2)``."""
    items = answer.items
    if len(items) == 1 and isinstance(items[0], SetOf | Seq):
        items = items[0].items
    values = [_unwrap(item) for item in items]
    if not all(isinstance(v, sp.Expr) for v in values):
        raise AnswerFormatError("nested brackets in a list of values")
    return values  # type: ignore[return-value]


def same_set(found: list[sp.Expr], expected: list[sp.Expr]) -> tuple[bool, str]:
    """Equal as sets of distinct values, in any order; repeats are refused."""
    if len(found) != len(expected):
        return False, f"{len(found)} values given, {len(expected)} expected"
    left = list(expected)
    for value in found:
        match = next((i for i, e in enumerate(left) if same_value(value, e)), None)
        if match is None:
            return False, f"{sp.sstr(value)[:60]} is not a solution (or is repeated)"
        left.pop(match)
    return True, "all values match"


def assignment(answer: Answer, variables: Sequence[str]) -> list[sp.Expr]:
    """Values in ``variables`` order from ``x = 1, y = 2`` (any order) or ``(1, 2)``."""
    items = answer.items
    if all(isinstance(item, Equation) for item in items):
        named: dict[str, sp.Expr] = {}
        for item in items:
            if not (isinstance(item.left, sp.Symbol) and isinstance(item.right, sp.Expr)):
                raise AnswerFormatError("each equation must be 'variable = value'")
            if item.left.name in named:
                raise AnswerFormatError(f"{item.left.name} is given twice")
            named[item.left.name] = item.right
        if set(named) != set(variables):
            raise AnswerFormatError(f"give exactly the variables {', '.join(variables)}")
        return [named[v] for v in variables]
    if len(items) == 1 and isinstance(items[0], Seq) and items[0].opener == "(":
        items = items[0].items
    if len(items) != len(variables) or not all(isinstance(i, sp.Expr) for i in items):
        raise AnswerFormatError(f"expected {len(variables)} values in order")
    return list(items)  # type: ignore[arg-type]


def matrix_rows(answer: Answer) -> list[list[sp.Expr]]:
    """Rows from ``\\begin{pmatrix}…\\end{pmatrix}``, ``[[1, 2], [3, 4]]`` or
    ``[1, 2], [3, 4]``."""
    items = answer.items
    if len(items) == 1 and isinstance(items[0], Matrix):
        rows = items[0].rows
    else:
        if len(items) == 1 and isinstance(items[0], Seq):
            items = items[0].items
        if not all(isinstance(row, Seq) for row in items):
            raise AnswerFormatError("a matrix is written [[a, b], [c, d]]")
        rows = [row.items for row in items]
    if len({len(row) for row in rows}) != 1:
        raise AnswerFormatError("matrix rows of different lengths")
    if not all(isinstance(cell, sp.Expr) for row in rows for cell in row):
        raise AnswerFormatError("a matrix entry that is not a number")
    return rows


def intervals(answer: Answer) -> sp.Set:
    """A union of intervals (``(-oo, 1) ∪ [2, 3]``) or a set of points, as a sympy set."""
    if len(answer.items) != 1:
        raise AnswerFormatError("write several intervals joined by ∪")
    item = answer.items[0]
    parts = item.parts if isinstance(item, Union) else [item]
    pieces: list[sp.Set] = []
    for part in parts:
        if isinstance(part, SetOf):
            if not all(isinstance(v, sp.Expr) and v.is_real for v in part.items):
                raise AnswerFormatError("a set of points must hold real numbers")
            pieces.append(sp.FiniteSet(*part.items))
            continue
        if not (isinstance(part, Seq) and len(part.items) == 2):
            raise AnswerFormatError("an interval is written (a, b), [a, b), (a, b] or [a, b]")
        low, high = part.items
        if not all(isinstance(v, sp.Expr) and v.is_extended_real for v in (low, high)):
            raise AnswerFormatError("interval ends must be real numbers")
        if not bool(low < high):
            raise AnswerFormatError("an interval must start below its end")
        if (part.opener == "[" and low.is_infinite) or (part.closer == "]" and high.is_infinite):
            raise AnswerFormatError("infinity is never a closed end")
        pieces.append(sp.Interval(low, high, part.opener == "(", part.closer == ")"))
    return sp.Union(*pieces)
