"""Draws: mixed-radix digits of one random integer, as uniform draws."""

from __future__ import annotations

import hashlib
from collections import Counter

from generators.hashrandom import Draws, HashRandom


def _draws(i: int, bits: int = 128) -> Draws:
    return Draws(HashRandom(hashlib.sha256(str(i).encode()).digest()).getrandbits(bits))


def test_below_takes_digits_in_turn() -> None:
    draws = Draws(3 + 5 * 2 + 5 * 7 * 4)  # digits 3, 2, 4 in radices 5, 7, 9
    assert [draws.below(5), draws.below(7), draws.below(9)] == [3, 2, 4]
    assert draws.value == 0


def test_shuffle_and_pick_are_uniform() -> None:
    orders: Counter[tuple[int, ...]] = Counter()
    picks: Counter[str] = Counter()
    for i in range(6000):
        draws = _draws(i)
        items = [0, 1, 2]
        draws.shuffle(items)
        orders[tuple(items)] += 1
        picks[draws.pick("abcd")] += 1
    assert len(orders) == 6 and min(orders.values()) > 850 and max(orders.values()) < 1150
    assert min(picks.values()) > 1350 and max(picks.values()) < 1650
