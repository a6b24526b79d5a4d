"""Exact matrix helpers: random integer matrices and fraction-free (Bareiss) elimination
with its steps, shared by the determinant and linear-system tasks."""

from __future__ import annotations

from fractions import Fraction
from random import Random


def random_matrix(rng: Random, n: int, bound: int) -> list[list[int]]:
    return [[rng.randint(-bound, bound) for _ in range(n)] for _ in range(n)]


def bareiss(matrix: list[list[int]]) -> tuple[int, list[str], int]:
    """Determinant by fraction-free elimination: (det, trace lines, operations)."""
    m = [row[:] for row in matrix]
    n, sign, previous, lines, ops = len(m), 1, 1, [], 0
    for k in range(n - 1):
        if m[k][k] == 0:
            swap = next((i for i in range(k + 1, n) if m[i][k]), None)
            if swap is None:
                lines.append(f"Column {k + 1} has no non-zero pivot: the determinant is 0.")
                return 0, lines, ops
            m[k], m[swap] = m[swap], m[k]
            sign = -sign
            lines.append(f"Swap rows {k + 1} and {swap + 1} (the sign flips).")
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                m[i][j] = (m[i][j] * m[k][k] - m[i][k] * m[k][j]) // previous
                ops += 1
            m[i][k] = 0
        previous = m[k][k]
        rows = "; ".join(" ".join(map(str, row[k + 1 :])) for row in m[k + 1 :])
        lines.append(f"Pivot {m[k][k]} at step {k + 1}; remaining block: {rows}")
    return sign * m[n - 1][n - 1], lines, ops


def solve_exact(matrix: list[list[int]], rhs: list[int]) -> tuple[list[Fraction], list[str], int]:
    """Gauss-Jordan elimination over the rationals: (solution, trace lines, operations)."""
    n = len(matrix)
    m = [[Fraction(v) for v in row] + [Fraction(b)] for row, b in zip(matrix, rhs, strict=True)]
    lines, ops = [], 0
    for k in range(n):
        pivot = next(i for i in range(k, n) if m[i][k] != 0)
        if pivot != k:
            m[k], m[pivot] = m[pivot], m[k]
            lines.append(f"Swap equations {k + 1} and {pivot + 1}.")
        for i in range(n):
            if i != k and m[i][k] != 0:
                factor = m[i][k] / m[k][k]
                m[i] = [a - factor * b for a, b in zip(m[i], m[k], strict=True)]
                ops += n + 1
                lines.append(f"R{i + 1} ← R{i + 1} - ({factor})·R{k + 1}")
    solution = [m[i][n] / m[i][i] for i in range(n)]
    return solution, lines, ops
