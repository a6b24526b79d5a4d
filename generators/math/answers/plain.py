"""Answers in the form a task asks for, checked on the parse tree before any sympy is built.

``number``: an integer, a decimal or a fraction of two integers, signed, and, for a complex
result, ``a + bi`` of such parts (a fraction need not be reduced: its arithmetic is done).
``radicals``: numbers, square and higher roots, sums, products and powers of them, as
exact roots of a polynomial are written; no variable, constant or other function.

An expression that merely has the right value (``4 + 5``, the question's own product copied
back, ``9 + pi^-48``, ``9 + |x - 1| + x - 1``) is not the number the prompt asks for:
accepting it would pay a policy for leaving the arithmetic undone or for echoing the
question, and it is where comparing values by evaluation gets fragile.
"""

from __future__ import annotations

from typing import Literal

from generators.base import AnswerFormatError
from generators.math.answers.grammar import Node

AnswerForm = Literal["number", "radicals"]

IMAGINARY_UNIT: Node = ("const", "i")


def values_of(tree: Node) -> list[Node]:
    """The value nodes of a parsed answer, in no particular order: the items of its list,
    each bracketed sequence or set opened, each ``name = value`` taken at its value."""
    found = []
    pending = list(tree[1]) if tree[0] == "list" else [tree]
    while pending:
        node = pending.pop()
        if node[0] in ("seq", "set"):
            pending.extend(node[-1])
        else:
            found.append(node[2] if node[0] == "eq" else node)
    return found


def require_form(tree: Node, form: AnswerForm, complex_unit: bool = False) -> None:
    """Raise :class:`AnswerFormatError` unless every value of the answer has ``form``."""
    for node in values_of(tree):
        if form == "radicals":
            if not radicals(node):
                raise AnswerFormatError("not written with numbers and roots only")
        elif not (plain_complex(node) if complex_unit else plain_rational(node)):
            shape = "a + bi of integers or fractions" if complex_unit else "a number or a fraction"
            raise AnswerFormatError(f"not written as {shape}: give the value itself")


def radicals(node: Node) -> bool:
    """Numbers combined by + - × ÷, integer powers and roots (``2 - sqrt(7)``, ``∛5/2``)."""
    kind = node[0]
    if kind == "num":
        return True
    if kind == "neg":
        return radicals(node[1])
    if kind == "add":
        return all(radicals(term) for term in node[1])
    if kind == "mul":
        return all(radicals(factor) for factor, _ in node[1])
    if kind == "pow":
        return radicals(node[1]) and plain_rational(node[2])
    if kind == "call":
        return node[1] == "sqrt" and radicals(node[2])
    return kind == "root" and radicals(node[1]) and node[2][0] == "num"


def plain_rational(node: Node) -> bool:
    """``7``, ``-7``, ``2.5``, ``-7/3``."""
    if node[0] == "neg":
        node = node[1]
    if node[0] == "num":
        return True
    return node[0] == "mul" and _fraction(node[1])


def plain_complex(node: Node) -> bool:
    """``a``, ``bi`` or ``a ± bi`` (in either order) with plain rational parts; ``i`` alone
    and ``5i/7``, ``(5/7)i``, ``5/7 i`` are imaginary parts."""
    terms = node[1] if node[0] == "add" else [node]
    reals = sum(plain_rational(term) for term in terms)
    imaginary = sum(_plain_imaginary(term) for term in terms)
    return len(terms) <= 2 and reals <= 1 and imaginary <= 1 and reals + imaginary == len(terms)


def _plain_imaginary(node: Node) -> bool:
    if node[0] == "neg":
        node = node[1]
    if node == IMAGINARY_UNIT:
        return True
    if node[0] != "mul":
        return False
    factors = node[1]
    rest = [factor for factor in factors if factor != (IMAGINARY_UNIT, False)]
    if len(rest) != len(factors) - 1:
        return False
    if len(rest) == 1:
        (single, divides) = rest[0]
        return not divides and plain_rational(single)
    return _fraction(rest)


def _fraction(factors: list[tuple[Node, bool]]) -> bool:
    """``p / q`` of natural numbers, ``q`` not 0 (``-p / q`` too: the sign binds to ``p``)."""
    if len(factors) != 2:
        return False
    (top, top_divides), (bottom, bottom_divides) = factors
    if top[0] == "neg":
        top = top[1]
    if top_divides or not bottom_divides or not (_natural(top) and _natural(bottom)):
        return False
    return int(bottom[1]) != 0


def _natural(node: Node) -> bool:
    return node[0] == "num" and node[1].isascii() and node[1].isdigit()
