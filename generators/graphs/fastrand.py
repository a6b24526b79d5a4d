"""Draws through ``Random.random`` only: the C-level call, several times cheaper than
``randrange``/``choice``/``shuffle``/``sample``, which go through Python-level
``_randbelow``. Deterministic like them (another stream of the same rng, so switching a
generator to these changes its problems: bump its version). ``int(random() * n)`` is
uniform up to 2**-53 relative bias, far below anything a problem's audit can see.
"""

from __future__ import annotations

from collections.abc import MutableSequence, Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def below(rng: Random, n: int) -> int:
    """A uniform integer in ``0..n-1``."""
    return int(rng.random() * n)


def pick(rng: Random, items: Sequence[T]) -> T:
    """A uniform element of a non-empty sequence."""
    return items[int(rng.random() * len(items))]


def take(rng: Random, items: list[T]) -> T:
    """Remove and return a uniform element of a non-empty list (the last one takes its
    place): taking until the list is empty visits it in random order, paying only for the
    elements taken."""
    i = int(rng.random() * len(items))
    item = items[i]
    items[i] = items[-1]
    items.pop()
    return item


def shuffle(rng: Random, items: MutableSequence[T]) -> None:
    """Fisher–Yates in place."""
    rand = rng.random
    for i in range(len(items) - 1, 0, -1):
        j = int(rand() * (i + 1))
        items[i], items[j] = items[j], items[i]


def sample(rng: Random, items: Sequence[T], k: int) -> list[T]:
    """``k`` distinct elements in random order: indices redrawn on repeats when ``k`` is
    small next to the pool, else a partial Fisher–Yates on a copy."""
    rand, n = rng.random, len(items)
    if n > 4 * k:
        chosen: dict[int, None] = {}
        while len(chosen) < k:
            chosen[int(rand() * n)] = None
        return [items[i] for i in chosen]
    pool = list(items)
    for i in range(k):
        j = i + int(rand() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]
