"""Whether an expression stays within double range at a point, found in double precision
before the exact comparison evaluates it at many digits.

``exp(exp(999999·x))`` is a number of ~10^(10^5) digits at the points where answers are
compared: evaluating it exactly would run for hours, while the same walk over the tree in
doubles overflows at once. A reference answer stays far inside double range there.
"""

from __future__ import annotations

import cmath
from collections.abc import Callable

import sympy as sp

LIMIT = 1e300
_FUNCTIONS: dict[type, Callable[[complex], complex]] = {
    sp.sin: cmath.sin,
    sp.cos: cmath.cos,
    sp.tan: cmath.tan,
    sp.exp: cmath.exp,
    sp.log: cmath.log,
    sp.Abs: lambda z: complex(abs(z)),
}


def within_doubles(value: sp.Expr, point: dict[sp.Symbol, sp.Rational]) -> bool:
    """False when some part of ``value`` at ``point`` is past :data:`LIMIT` in magnitude;
    True otherwise, and where a part cannot be told in doubles (a pole, a function not
    covered), which the exact evaluation then judges as before."""
    try:
        _rough(value, point)
    except OverflowError:
        return False
    except (ValueError, ZeroDivisionError, TypeError):
        return True
    return True


def _rough(value: sp.Expr, point: dict[sp.Symbol, sp.Rational]) -> complex:
    if value.is_Symbol:
        return _checked(complex(float(point[value])))
    if value.is_Number or value.is_NumberSymbol or value is sp.I:
        return _checked(complex(value.evalf(17)))
    args = [_rough(arg, point) for arg in value.args]
    if value.is_Add:
        return _checked(sum(args, 0j))
    if value.is_Mul:
        product = 1 + 0j
        for arg in args:
            product = _checked(product * arg)
        return product
    if value.is_Pow:
        return _checked(args[0] ** args[1])
    function = _FUNCTIONS.get(type(value))
    if function is None:
        raise TypeError(f"{type(value).__name__} is not evaluated in doubles")
    return _checked(function(args[0]))


def _checked(z: complex) -> complex:
    if not (abs(z.real) <= LIMIT and abs(z.imag) <= LIMIT):  # inf and nan fail too
        raise OverflowError("past double range")
    return z
