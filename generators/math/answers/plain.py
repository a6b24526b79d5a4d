"""Answers in the plain form a task asks for, checked on the parse tree before any sympy is
built: an integer, a decimal or a fraction of two integers, signed, and, for a complex
result, ``a + bi`` of such parts. A fraction need not be reduced: its arithmetic is done.

An expression that merely has the right value (``4 + 5``, the question's own product copied
back, ``9 + pi^-48``, ``9 + |x - 1| + x - 1``) is not the number the prompt asks for:
accepting it would pay a policy for leaving the arithmetic undone or for echoing the
question, and it is where comparing values by evaluation gets fragile.
"""

from __future__ import annotations

from generators.base import AnswerFormatError
from generators.math.answers.grammar import Node

IMAGINARY_UNIT: Node = ("const", "i")


def values_of(tree: Node) -> list[Node]:
    """The value nodes of a parsed answer: the items of its list, each bracketed sequence
    or set opened, each ``name = value`` taken at its value."""
    found = []
    pending = list(tree[1]) if tree[0] == "list" else [tree]
    while pending:
        node = pending.pop(0)
        if node[0] in ("seq", "set"):
            pending[:0] = node[-1]
        elif node[0] == "eq":
            found.append(node[2])
        else:
            found.append(node)
    return found


def require_plain(tree: Node, complex_unit: bool = False) -> None:
    """Raise :class:`AnswerFormatError` unless every value of the answer is plain."""
    for node in values_of(tree):
        if not (plain_complex(node) if complex_unit else plain_rational(node)):
            form = "a + bi of integers or fractions" if complex_unit else "a number or a fraction"
            raise AnswerFormatError(f"not written as {form}: give the value itself")


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
