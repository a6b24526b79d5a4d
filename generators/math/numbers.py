"""Integer helpers for the number-theory tasks: Euclid with its steps and small primes."""

from __future__ import annotations

PRIMES_BELOW_1000 = [p for p in range(2, 1000) if all(p % d for d in range(2, int(p**0.5) + 1))]
SMALL_PRIMES = [p for p in PRIMES_BELOW_1000 if p < 200]
LARGE_PRIMES = [p for p in PRIMES_BELOW_1000 if p > 200]


def euclid_steps(a: int, b: int) -> list[tuple[int, int, int, int]]:
    """Divisions ``a = q·b + r`` of Euclid's algorithm, down to remainder 0."""
    steps = []
    while b:
        q, r = divmod(a, b)
        steps.append((a, q, b, r))
        a, b = b, r
    return steps


def extended_gcd(a: int, b: int) -> tuple[int, int, int, list[str]]:
    """(g, s, t) with s·a + t·b = g, and the table of the extended algorithm."""
    old_r, r, old_s, s, old_t, t = a, b, 1, 0, 0, 1
    lines = []
    while r:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_s, s = s, old_s - q * s
        old_t, t = t, old_t - q * t
        lines.append(f"q = {q}: remainder {r}, coefficients ({s}, {t})")
    return old_r, old_s, old_t, lines
