"""fastrand: the draws through ``Random.random`` are deterministic, in range and uniform
enough (chi-square sanity bounds far from the edge for a fair generator)."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest

from generators.graphs.fastrand import below, pick, sample, shuffle, take


def _chi_square(counts: Counter, cells: int, draws: int) -> float:
    expected = draws / cells
    return sum((counts[c] - expected) ** 2 / expected for c in range(cells))


def test_same_seed_same_draws():
    def draws(seed: int) -> tuple:
        rng = Random(seed)
        items = list(range(20))
        shuffle(rng, items)
        return below(rng, 1000), pick(rng, "abcdef"), sample(rng, range(50), 7), items

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)


def test_below_and_pick_stay_in_range_and_are_uniform():
    rng = Random(1)
    counts = Counter(below(rng, 7) for _ in range(7000))
    assert set(counts) == set(range(7))
    assert _chi_square(counts, 7, 7000) < 30  # 6 degrees of freedom: p ~ 4e-5
    assert {below(rng, 1) for _ in range(50)} == {0}
    letters = Counter(pick(rng, "abcd") for _ in range(4000))
    assert set(letters) == set("abcd") and min(letters.values()) > 850


@pytest.mark.parametrize("n, k", [(50, 5), (10, 10), (10, 3), (1, 1), (8, 0)])
def test_sample_draws_distinct_members(n: int, k: int):
    rng = Random(n * 100 + k)
    for _ in range(200):
        chosen = sample(rng, list(range(n)), k)
        assert len(chosen) == k and len(set(chosen)) == k
        assert all(0 <= v < n for v in chosen)


def test_sample_and_shuffle_are_uniform_over_positions():
    rng = Random(5)
    firsts = Counter(sample(rng, range(40), 3)[0] for _ in range(8000))  # sparse branch
    assert _chi_square(firsts, 40, 8000) < 90  # 39 degrees of freedom
    lasts = Counter(sample(rng, range(6), 4)[-1] for _ in range(6000))  # Fisher-Yates branch
    assert _chi_square(lasts, 6, 6000) < 30
    orders = Counter()
    for _ in range(6000):
        items = [0, 1, 2]
        shuffle(rng, items)
        orders[tuple(items)] += 1
    assert len(orders) == 6 and min(orders.values()) > 850  # 1000 expected each


def test_shuffle_keeps_the_elements():
    rng = Random(9)
    items = list(range(30))
    shuffle(rng, items)
    assert sorted(items) == list(range(30)) and items != list(range(30))
    empty: list[int] = []
    shuffle(rng, empty)
    assert empty == []


def test_take_empties_the_list_in_uniform_order():
    rng = Random(11)
    orders = Counter()
    for _ in range(6000):
        items = [0, 1, 2]
        orders[tuple(take(rng, items) for _ in range(3))] += 1
        assert items == []
    assert len(orders) == 6 and min(orders.values()) > 850  # 1000 expected each
