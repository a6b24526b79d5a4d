"""Integer polynomials built from chosen roots, and the rational-root search that solves
them (shared by polynomial roots and factoring)."""

from __future__ import annotations

from fractions import Fraction
from math import isqrt
from random import Random

import sympy as sp

from generators.math.common import frac_text, poly_text

Coeffs = list[int]


def is_square(n: int) -> bool:
    return n >= 0 and isqrt(n) ** 2 == n


def linear_factor(root: Fraction) -> Coeffs:
    """``q x - p`` for the root ``p/q``."""
    return [root.denominator, -root.numerator]


def surd_factor(a: int, b: int) -> Coeffs:
    """``x² - 2a x + a² - b``: the roots ``a ± √b``."""
    return [1, -2 * a, a * a - b]


def draw_rationals(rng: Random, integers: int, fractions: int, bound: int) -> list[Fraction]:
    """Distinct roots: ``integers`` whole ones and ``fractions`` with denominators 2..5."""
    roots: set[Fraction] = set()
    while len(roots) < integers:
        roots.add(Fraction(rng.randint(-bound, bound)))
    target = integers + fractions
    while len(roots) < target:
        q = rng.randint(2, 5)
        p = rng.randint(-bound * q, bound * q)
        if Fraction(p, q).denominator != 1:
            roots.add(Fraction(p, q))
    return sorted(roots)


def draw_surds(rng: Random, pairs: int, bound: int) -> list[tuple[int, int]]:
    """``pairs`` distinct (a, b) with b > 1 square-free enough that √b is irrational."""
    found: set[tuple[int, int]] = set()
    while len(found) < pairs:
        b = rng.randint(2, 3 * bound)
        if not is_square(b):
            found.add((rng.randint(-bound, bound), b))
    return sorted(found)


def irreducible_quadratic(rng: Random, bound: int) -> Coeffs:
    """``x² + bx + c`` with no rational root (its discriminant is not a square)."""
    while True:
        b, c = rng.randint(-bound, bound), rng.randint(-bound, bound)
        if not is_square(b * b - 4 * c):
            return [1, b, c]


def horner(coeffs: list[Fraction], x: Fraction) -> Fraction:
    value = Fraction(0)
    for c in coeffs:
        value = value * x + c
    return value


def deflate(coeffs: list[Fraction], root: Fraction) -> list[Fraction]:
    """Synthetic division by ``x - root`` (the remainder is zero)."""
    out, carry = [], Fraction(0)
    for c in coeffs[:-1]:
        carry = carry * root + c
        out.append(carry)
    return out


def divisors(n: int) -> list[int]:
    n = abs(n)
    small = [d for d in range(1, isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def rational_roots(coeffs: list[int]) -> tuple[list[Fraction], list[Fraction], list[str], int]:
    """Rational roots by the rational root theorem with deflation: (roots, what is left,
    trace lines, candidates tested)."""
    poly = [Fraction(c) for c in coeffs]
    roots: list[Fraction] = []
    lines: list[str] = []
    tested = 0
    while len(poly) > 1 and poly[-1] == 0:
        roots.append(Fraction(0))
        poly = poly[:-1]
        lines.append("The constant term is 0, so x = 0 is a root; divide by x.")
    while len(poly) > 1:
        scale = 1
        for c in poly:
            scale = scale * c.denominator // _gcd(scale, c.denominator)
        ints = [int(c * scale) for c in poly]
        candidates = sorted(
            {
                Fraction(s * p, q)
                for p in divisors(ints[-1])
                for q in divisors(ints[0])
                for s in (1, -1)
            },
            key=lambda r: (abs(r), r),
        )
        found = None
        for candidate in candidates:
            tested += 1
            if horner(poly, candidate) == 0:
                found = candidate
                break
        if found is None:
            lines.append(f"No candidate ±p/q makes {poly_text(ints)} zero: no rational root left.")
            break
        lines.append(
            f"Candidates ±p/q for {poly_text(ints)}: testing in order of size, "
            f"x = {frac_text(found)} gives 0 (after {tested} tests so far)."
        )
        poly = deflate(poly, found)
        roots.append(found)
    return roots, poly, lines, tested


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def quadratic_roots(poly: list[Fraction]) -> tuple[list[sp.Expr], str]:
    """Roots of a quadratic (or linear) factor by the formula, with the line that says so."""
    if len(poly) == 2:
        root = -poly[1] / poly[0]
        return [sp.Rational(root.numerator, root.denominator)], f"Linear factor: x = {root}."
    a, b, c = (sp.Rational(f.numerator, f.denominator) for f in poly)
    disc = b * b - 4 * a * c
    roots = [(-b - sp.sqrt(disc)) / (2 * a), (-b + sp.sqrt(disc)) / (2 * a)]
    quadratic = poly_text([Fraction(int(v.p), int(v.q)) for v in (a, b, c)])
    line = f"Quadratic formula on {quadratic}: discriminant {disc}."
    return roots, line


def sorted_values(values: list[sp.Expr]) -> list[sp.Expr]:
    return sorted(values, key=lambda v: float(v))
