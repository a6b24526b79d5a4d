"""Outcomes spread evenly over a build's problems, where a coin per problem would stray."""

from __future__ import annotations

GOLDEN = 0.6180339887498949


def balanced_choice(index: int, k: int, salt: float = 0.0) -> int:
    """One of ``k`` outcomes, equally often over any arithmetic progression of indices.

    ``frac(index · φ)`` is a low-discrepancy sequence, and so is its restriction to the
    indices ``p, p + L, p + 2L…`` a build gives one of ``L`` levels (round robin): the
    shares of the outcomes stay within a few problems of ``1/k`` at every level, where a
    fair coin per problem strays by √n. The model never sees the index.
    """
    return int(((index * GOLDEN + salt) % 1.0) * k)
