"""Canonical forms behind structural keys: two problems that differ only in names, in the
order of commutative parts or by a symmetric relabelling get the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import permutations, product
from math import factorial, prod
from typing import Any, TypeVar

from schemas.arrow import canonical_json

T = TypeVar("T", bound=Hashable)

RELABELLING_LIMIT = 720
"""Orders tried at most by :func:`least_relabelling`; beyond it, ties keep their order."""


def digest(value: Any) -> str:
    """sha256 of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def first_seen(symbols: Iterable[T]) -> dict[T, int]:
    """Each distinct symbol → the rank of its first occurrence: the relabelling that makes
    ``AAB``, ``XXY`` and ``CCA`` one pattern."""
    ranks: dict[T, int] = {}
    for symbol in symbols:
        ranks.setdefault(symbol, len(ranks))
    return ranks


def pattern(text: str, keep: str = " ") -> str:
    """``text`` with its symbols relabelled by first occurrence (characters in ``keep`` stay):
    ``"sky sea"`` → ``"abc ade"``."""
    ranks = first_seen(ch for ch in text if ch not in keep)
    return "".join(ch if ch in keep else chr(ord("a") + ranks[ch]) for ch in text)


def region_pattern(rows: list[str]) -> str:
    """A region map (one string of region letters per row) with its letters relabelled in
    reading order."""
    return pattern("\n".join(rows), keep="\n")


def sorted_operands(tree: Any, commutative: frozenset[str]) -> Any:
    """A ``[op, *operands]`` tree with the operands of commutative operators in canonical
    order, recursively; leaves are returned unchanged."""
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        return tree
    op, *operands = tree
    operands = [sorted_operands(operand, commutative) for operand in operands]
    if op in commutative:
        operands.sort(key=repr)  # any content-determined order will do: repr is the fastest
    return [op, *operands]


def least_relabelling(
    colours: Sequence[Any], encode: Callable[[list[int]], Any], limit: int = RELABELLING_LIMIT
) -> Any:
    """The least ``encode(relabel)`` (by canonical JSON) over relabellings of n items.

    ``colours[i]`` is a JSON value describing item ``i`` without naming any item, so it is
    invariant under relabelling; items are numbered by colour, and every order within a
    colour is tried when there are at most ``limit`` such orders (then the form is exact:
    equal for any two relabellings of one structure). Past the limit, items of one colour
    keep their given order, which can only miss duplicates, never merge distinct problems.
    ``relabel[old] = new``.
    """
    classes: dict[str, list[int]] = {}
    for item, colour in enumerate(colours):
        classes.setdefault(canonical_json(colour), []).append(item)
    groups = [classes[key] for key in sorted(classes)]
    if prod(factorial(len(group)) for group in groups) > limit:
        orders: Iterable[tuple[tuple[int, ...], ...]] = [tuple(map(tuple, groups))]
    else:
        orders = product(*(permutations(group) for group in groups))
    forms = (encode(_relabel([item for group in order for item in group])) for order in orders)
    return min(forms, key=canonical_json)


def _relabel(order: list[int]) -> list[int]:
    """``order[new] = old`` → ``relabel[old] = new``."""
    relabel = [0] * len(order)
    for new, old in enumerate(order):
        relabel[old] = new
    return relabel
