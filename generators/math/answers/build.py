"""From the parser's tree to sympy objects, refusing anything that would be costly.

Every sympy operation is preceded by a check on its operands, so sympy never starts a
large computation: integer exponents are capped, the size of an exact number is bounded
before it is raised to a power, a polynomial degree bound is carried bottom-up (so a
later ``expand`` stays small), and function arguments are bounded in magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import sympy as sp

from generators.base import AnswerFormatError
from generators.math.answers.grammar import Node

MAX_EXPONENT = 400
"""|n| in ``a^n`` for an exact number ``a``; a symbolic base gets :data:`MAX_DEGREE`."""
MAX_BITS = 4000
"""Bits of a numerator or denominator, before and after any operation."""
MAX_DEGREE = 48
"""Bound on the total degree of a polynomial-like expression (keeps ``expand`` cheap)."""
MAX_TERMS = 400
"""Bound on the terms ``expand`` could produce (multinomial count), for any base: a
degree bound alone misses ``(√2 + √3 + √5 + π)^24``."""
MAX_ROOT_INDEX = 12
MAX_ARGUMENT = 10**6
"""|x| of a number inside sin, exp, ln...: sin(10^1000) would need 1000 digits to evaluate."""
MAX_NESTING = 3
"""Functions applied to functions, a power with a variable in its exponent counted as one:
``exp(x + exp(x + …))`` five deep is a number of ~10^(10^7) digits at the points where
answers are compared, and ``tan(tan(…))`` has a derivative of exponential size. Reference
answers nest one deep."""

_CONSTANTS = {"pi": sp.pi, "e": sp.E, "i": sp.I, "oo": sp.oo}
_FUNCTIONS = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "ln": sp.log,
    "log": sp.log,
    "abs": sp.Abs,
}


@dataclass(frozen=True)
class Seq:
    """A bracketed sequence: a tuple, a list, an interval (its brackets say which)."""

    opener: str
    closer: str
    items: list


@dataclass(frozen=True)
class SetOf:
    items: list


@dataclass(frozen=True)
class Union:
    parts: list


@dataclass(frozen=True)
class Equation:
    left: object
    right: object


@dataclass(frozen=True)
class Matrix:
    rows: list[list]


@dataclass(frozen=True)
class Answer:
    """A parsed answer: its top-level comma-separated items, and whether a decimal was
    written (decimals are exact, but a task may refuse them)."""

    items: list
    decimal: bool


class Builder:
    def __init__(self) -> None:
        self.decimal = False
        self.symbols: dict[str, sp.Symbol] = {}

    def answer(self, tree: Node) -> Answer:
        if nesting(tree) > MAX_NESTING:
            raise AnswerFormatError(f"functions nested more than {MAX_NESTING} deep")
        return Answer([self.value(item) for item in tree[1]], self.decimal)

    def value(self, node: Node) -> object:
        kind = node[0]
        if kind == "seq":
            return Seq(node[1], node[2], [self.value(item) for item in node[3]])
        if kind == "set":
            return SetOf([self.value(item) for item in node[1]])
        if kind == "union":
            return Union([self.value(item) for item in node[1]])
        if kind == "eq":
            return Equation(self.value(node[1]), self.value(node[2]))
        if kind == "matrix":
            return Matrix([[self.expr(cell) for cell in row] for row in node[1]])
        return self.expr(node)

    def expr(self, node: Node) -> sp.Expr:
        value, _ = self._expr(node)
        if expansion_size(value) > MAX_TERMS:
            raise AnswerFormatError(f"an expression that expands to over {MAX_TERMS} terms")
        return value

    def _expr(self, node: Node) -> tuple[sp.Expr, int]:
        """(expression, degree bound)."""
        kind = node[0]
        if kind == "num":
            return self._number(node[1]), 0
        if kind == "var":
            name = node[1]
            return self.symbols.setdefault(name, sp.Symbol(name)), 1
        if kind == "const":
            return _CONSTANTS[node[1]], 0
        if kind == "neg":
            inner, degree = self._expr(node[1])
            return -inner, degree
        if kind == "add":
            terms = [self._expr(term) for term in node[1]]
            return _checked(sp.Add(*(t for t, _ in terms))), max(d for _, d in terms)
        if kind == "mul":
            return self._product(node[1])
        if kind == "pow":
            return self._power(self._expr(node[1]), self._expr(node[2]))
        if kind == "call":
            return self._call(node[1], self._expr(node[2]))
        if kind == "root":
            return self._root(self._expr(node[1]), self._expr(node[2]))
        raise AnswerFormatError("a tuple, set or matrix where a single expression belongs")

    def _number(self, text: str) -> sp.Rational:
        whole, dot, fraction = text.partition(".")
        if not dot:
            return sp.Integer(int(text))
        self.decimal = True
        return sp.Rational(int((whole or "0") + fraction), 10 ** len(fraction))

    def _product(self, factors: list[tuple[Node, bool]]) -> tuple[sp.Expr, int]:
        parts, degree = [], 0
        for node, divides in factors:
            value, d = self._expr(node)
            degree += d
            if divides:
                if value == 0:
                    raise AnswerFormatError("division by zero")
                value = sp.Pow(value, -1)
            parts.append(value)
        _degree_ok(degree)
        return _checked(sp.Mul(*parts)), degree

    def _power(self, base: tuple[sp.Expr, int], exponent: tuple[sp.Expr, int]) -> tuple:
        (b, b_degree), (e, e_degree) = base, exponent
        if e.free_symbols or not e.is_Rational:
            if b == sp.E or (b.is_Rational and b > 0):
                _degree_ok(e_degree + 1)
                return self._call("exp", (e * sp.log(b), e_degree))
            raise AnswerFormatError("only e or a positive number may have a symbolic exponent")
        p, q = int(e.p), int(e.q)
        if q > MAX_ROOT_INDEX:
            raise AnswerFormatError("a fractional exponent with a large denominator")
        if b.is_Rational:
            if abs(p) > MAX_EXPONENT or bits(b) * abs(p) > MAX_BITS:
                raise AnswerFormatError("a power too large to compute")
            if b == 0 and p < 0:
                raise AnswerFormatError("division by zero")
        elif abs(p) > MAX_DEGREE:
            raise AnswerFormatError(f"an exponent above {MAX_DEGREE}")
        degree = b_degree * max(abs(p), 1)
        _degree_ok(degree)
        return _checked(sp.Pow(b, e)), degree

    def _call(self, name: str, argument: tuple[sp.Expr, int]) -> tuple[sp.Expr, int]:
        value, degree = argument
        if name == "sqrt":
            if value.is_Rational and bits(value) > MAX_BITS // 8:
                raise AnswerFormatError("a square root of a very large number")
            return _checked(sp.sqrt(value)), degree
        if value.is_number and not _small(value):
            raise AnswerFormatError(f"{name} of a very large number")
        _degree_ok(degree + 1)
        return _checked(_FUNCTIONS[name](value)), degree + 1

    def _root(self, argument: tuple[sp.Expr, int], index: tuple[sp.Expr, int]) -> tuple:
        value, degree = argument
        n = index[0]
        if not (n.is_Integer and 2 <= n <= MAX_ROOT_INDEX):
            raise AnswerFormatError(f"a root index outside 2..{MAX_ROOT_INDEX}")
        if value.is_Rational and bits(value) > MAX_BITS // 8:
            raise AnswerFormatError("a root of a very large number")
        if value.is_Rational and value < 0 and n % 2:
            return _checked(-sp.root(-value, n)), degree
        return _checked(sp.root(value, n)), degree


def nesting(node: Node) -> int:
    """How deeply function calls, and powers with a variable in their exponent, nest in a
    parse tree (whose depth the parser bounds)."""
    kind = node[0]
    if kind in ("num", "var", "const"):
        return 0
    if kind == "call":
        return 1 + nesting(node[2])
    if kind == "pow":
        inner = max(nesting(node[1]), nesting(node[2]))
        return inner + (1 if _has_variable(node[2]) else 0)
    return max((nesting(child) for child in _children(node)), default=0)


def _has_variable(node: Node) -> bool:
    return node[0] == "var" or any(_has_variable(child) for child in _children(node))


def _children(node: Node) -> list[Node]:
    kind = node[0]
    if kind in ("num", "var", "const"):
        return []
    if kind in ("add", "set", "union", "list"):
        return list(node[1])
    if kind == "mul":
        return [factor for factor, _ in node[1]]
    if kind == "seq":
        return list(node[3])
    if kind == "matrix":
        return [cell for row in node[1] for cell in row]
    if kind in ("neg",):
        return [node[1]]
    if kind == "call":
        return [node[2]]
    return [node[1], node[2]]  # pow, root, eq


def expansion_size(value: sp.Expr) -> int:
    """An upper bound on the terms of ``expand(value)``, capped just above
    :data:`MAX_TERMS`: sums add, products multiply, a k-term sum to the n-th power has
    C(k + n - 1, n) terms; function arguments are expanded on their own."""
    cap = MAX_TERMS + 1
    if value.is_Atom:
        return 1
    if value.is_Add:
        return min(cap, sum(expansion_size(arg) for arg in value.args))
    if value.is_Mul:
        size = 1
        for arg in value.args:
            size = min(cap, size * expansion_size(arg))
        return size
    if value.is_Pow:
        base = expansion_size(value.base)
        n = value.exp
        if n.is_Integer and base > 1:
            return min(cap, comb(base + abs(int(n)) - 1, min(abs(int(n)), cap)))
        return base
    return 1 if all(expansion_size(arg) <= MAX_TERMS for arg in value.args) else cap


def bits(value: sp.Rational) -> int:
    return int(value.p).bit_length() + int(value.q).bit_length()


def _small(value: sp.Expr) -> bool:
    """Whether a numeric argument is at most :data:`MAX_ARGUMENT` in magnitude, judged from
    its exact parts without evaluating anything large."""
    if value.is_Rational:
        return abs(value) <= MAX_ARGUMENT
    return all(bits(atom) <= 64 for atom in value.atoms(sp.Rational) if atom.is_Rational) and bool(
        abs(value.evalf(15)) <= MAX_ARGUMENT
    )


def _degree_ok(degree: int) -> None:
    if degree > MAX_DEGREE:
        raise AnswerFormatError(f"an expression of degree above {MAX_DEGREE}")


def _checked(value: sp.Expr) -> sp.Expr:
    """Refuses undefined results (1/0, 0^0...) and exact numbers past :data:`MAX_BITS`."""
    if value.has(sp.zoo, sp.nan):
        raise AnswerFormatError("an undefined value (division by zero)")
    if value.is_Rational and bits(value) > MAX_BITS:
        raise AnswerFormatError("a number too large")
    return value
