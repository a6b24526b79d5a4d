"""Cages: their arithmetic, the value tuples each admits, and random partitions of a grid.

Cells are numbered row-major (``cell = row * n + col``). A cage's ``op`` is ``"="`` (a
single given cell), ``"+"``, ``"*"`` (any size), ``"-"`` or ``"/"`` (two cells only;
larger minus / divided by smaller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

OP_WORDS = {"=": "given", "+": "sum", "-": "difference", "*": "product", "/": "quotient"}


@dataclass(frozen=True)
class Cage:
    cells: tuple[int, ...]
    op: str
    target: int

    def holds(self, values: list[int] | tuple[int, ...]) -> bool:
        return cage_value(self.op, values) == self.target


def cage_value(op: str, values: list[int] | tuple[int, ...]) -> int | None:
    """The cage's result for ``values``; None when ``/`` does not divide evenly."""
    if op == "=":
        return values[0] if len(values) == 1 else None
    if op == "+":
        return sum(values)
    if op == "*":
        return math.prod(values)
    if len(values) != 2:
        return None
    high, low = max(values), min(values)
    if op == "-":
        return high - low
    return high // low if high % low == 0 else None


def cage_tuples(cage: Cage, n: int) -> list[tuple[int, ...]]:
    """Every value tuple for the cage's cells meeting its target without repeating a value
    within a row or column, each value as a one-bit mask ``1 << v``; enumerated with
    sum/divisor pruning."""
    cells = cage.cells
    clash = [
        [j for j in range(i) if cells[j] // n == cells[i] // n or cells[j] % n == cells[i] % n]
        for i in range(len(cells))
    ]
    out: list[tuple[int, ...]] = []
    values: list[int] = []
    size, op, target = len(cells), cage.op, cage.target
    if op in ("=", "-", "/"):
        return [
            (1 << a, 1 << b) if size == 2 else (1 << a,)
            for a in range(1, n + 1)
            for b in (range(1, n + 1) if size == 2 else (0,))
            if cage_value(op, [a, b][:size]) == target and (size == 1 or a != b)
        ]

    def extend(partial: int) -> None:
        i = len(values)
        forbidden = 0
        for j in clash[i]:
            forbidden |= 1 << values[j]
        if i == size - 1:  # the last value is determined by the target
            if op == "+":
                v = target - partial
            else:
                v, rest = divmod(target, partial)
                v = 0 if rest else v
            if 1 <= v <= n and not forbidden >> v & 1:
                out.append(tuple(1 << w for w in values) + (1 << v,))
            return
        left = size - i - 1
        for v in range(1, n + 1):
            if forbidden >> v & 1:
                continue
            if op == "+":
                if partial + v + left * n < target:
                    continue
                if partial + v + left > target:
                    break
            elif target % (partial * v):
                continue
            values.append(v)
            extend(partial + v if op == "+" else partial * v)
            values.pop()

    try:
        extend(0 if op == "+" else 1)
    finally:
        extend = None  # empties the cell that points back at the closure: no reference cycle
    return out


def neighbours(cell: int, n: int) -> list[int]:
    r, c = divmod(cell, n)
    steps = ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
    return [a * n + b for a, b in steps if 0 <= a < n and 0 <= b < n]


def random_partition(rng: Random, n: int, max_cage: int, singleton_rate: float) -> list[list[int]]:
    """Connected cages grown from random seeds; sizes 2..max_cage, with single cells at
    roughly ``singleton_rate`` (or wherever a seed has no free neighbour)."""
    owner = [-1] * (n * n)
    order = list(range(n * n))
    rng.shuffle(order)
    groups: list[list[int]] = []
    for seed in order:
        if owner[seed] >= 0:
            continue
        size = 1 if rng.random() < singleton_rate else rng.randint(2, max_cage)
        group = [seed]
        owner[seed] = len(groups)
        while len(group) < size:
            frontier = sorted({m for c in group for m in neighbours(c, n) if owner[m] < 0})
            if not frontier:
                break
            pick = rng.choice(frontier)
            owner[pick] = len(groups)
            group.append(pick)
        groups.append(sorted(group))
    return groups


def components(cells: list[int], n: int) -> list[list[int]]:
    """The connected pieces of a cell set (used when a repair cuts a cell out of a cage)."""
    left = set(cells)
    pieces = []
    for start in sorted(cells):
        if start not in left:
            continue
        piece, stack = [], [start]
        left.discard(start)
        while stack:
            cell = stack.pop()
            piece.append(cell)
            for m in neighbours(cell, n):
                if m in left:
                    left.discard(m)
                    stack.append(m)
        pieces.append(sorted(piece))
    return pieces


def possible_ops(values: list[int]) -> list[str]:
    """Operations a cage holding ``values`` may show (``/`` only when it divides evenly)."""
    if len(values) == 1:
        return ["="]
    if len(values) > 2:
        return ["+", "*"]
    return ["+", "-", "*"] + (["/"] if max(values) % min(values) == 0 else [])


def make_cage(cells: list[int], solution: list[int], op: str) -> Cage:
    values = [solution[c] for c in cells]
    target = cage_value(op, values)
    assert target is not None
    return Cage(tuple(cells), op, target)
