"""Constraint propagation over a domain matrix, plus backtracking when propagation stalls.

Each (category, value) item has a bitmask of the houses it may still occupy. Clues narrow
the masks of their items (bit operations, no enumeration of assignments); each category
is a permutation, so a value fixed to a house takes that house from the others, and a
house only one value can occupy gets that value. Every narrowing is logged as an
:class:`Event` with its reason, which is what the reference trace narrates. When
propagation stalls the search splits on the undecided item with the fewest houses.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from generators.synlogic.zebra_puzzle.puzzle import Clue

# Why a mask narrowed: ("clue", k) | ("taken", item) | ("only", category, house).
Reason = tuple[str, int] | tuple[str, int, int]


class Event(NamedTuple):
    """One narrowing of an item's houses, from ``before`` to ``after`` (bitmasks)."""

    item: int
    before: int
    after: int
    reason: Reason


@dataclass
class Trail:
    """What the search did: events along the way, guesses and dead ends, in order.

    ``entries`` holds Events and ("guess", item, house, depth) / ("dead", depth) /
    ("solved", depth) markers, which the renderer turns into prose.
    """

    entries: list[object] = field(default_factory=list)


def bits(mask: int) -> list[int]:
    return [h for h in range(mask.bit_length()) if mask >> h & 1]


class Solver:
    """Propagation and search for one puzzle: n houses, m categories, the clues."""

    def __init__(self, n: int, m: int, clues: list[Clue]) -> None:
        self.n, self.m = n, m
        self.full = (1 << n) - 1
        self.clues: list[tuple[str, tuple[int, ...], int | None]] = []
        self.watch: list[list[int]] = [[] for _ in range(n * m)]
        for clue in clues:
            self.add(clue)

    def add(self, clue: Clue) -> int:
        """Append a clue; returns its index."""
        k = len(self.clues)
        ids = tuple(cat * self.n + v for cat, v in clue.items)
        self.clues.append((clue.kind, ids, clue.house))
        for item in ids:
            self.watch[item].append(k)
        return k

    def pop(self) -> None:
        """Remove the clue added last."""
        _, ids, _ = self.clues.pop()
        for item in ids:
            self.watch[item].pop()

    def start(self) -> list[int]:
        return [self.full] * (self.n * self.m)

    def propagate(
        self,
        masks: list[int],
        log: list[object] | None,
        pending: list[int] | None = None,
        active: list[bool] | None = None,
    ) -> bool:
        """Narrow ``masks`` in place to a fixpoint; False on a contradiction (an empty mask).

        ``pending`` lists the clues to revise first (all clues when None); clues whose
        ``active`` flag is False are ignored (marked as queued, so never queued).
        """
        n, count = self.n, len(self.clues)
        queued = [False] * count if active is None else [not flag for flag in active]
        queue: deque[int] = deque()
        for k in range(count) if pending is None else pending:
            if not queued[k]:
                queued[k] = True
                queue.append(k)
        dirty = [True] * self.m
        placed = [item for item, mask in enumerate(masks) if mask and not mask & (mask - 1)]

        def narrow(item: int, after: int, reason: Reason) -> bool:
            before = masks[item]
            if after == before:
                return True
            masks[item] = after
            if log is not None:
                log.append(Event(item, before, after, reason))
            if not after:
                return False
            if not after & (after - 1):
                placed.append(item)
            dirty[item // n] = True
            for k in self.watch[item]:
                if not queued[k]:
                    queued[k] = True
                    queue.append(k)
            return True

        while True:
            if placed:  # a placed value takes its house from the rest of its category
                item = placed.pop()
                bit = masks[item]
                first = item - item % n
                for other in range(first, first + n):
                    if (
                        other != item
                        and masks[other] & bit
                        and not narrow(other, masks[other] & ~bit, ("taken", item))
                    ):
                        return False
                continue
            if queue:
                k = queue.popleft()
                queued[k] = False
                for item, after in self.revise(k, masks):
                    if after != masks[item] and not narrow(item, after, ("clue", k)):
                        return False
                continue
            category = next((c for c in range(self.m) if dirty[c]), None)
            if category is None:
                return True
            dirty[category] = False
            if not self._hidden_singles(category, masks, narrow):
                return False

    def _hidden_singles(self, category: int, masks: list[int], narrow) -> bool:
        """A house that only one value of the category can still occupy gets that value."""
        n = self.n
        items = range(category * n, category * n + n)
        before = [0] * (n + 1)
        for i, item in enumerate(items):
            before[i + 1] = before[i] | masks[item]
        if before[n] != self.full:
            return False
        after = 0
        for i in range(n - 1, -1, -1):
            item = category * n + i
            mask = masks[item]
            alone = mask & ~(before[i] | after)
            after |= mask
            if alone and alone != mask:
                bit = alone & -alone
                if not narrow(item, bit, ("only", category, bit.bit_length() - 1)):
                    return False
        return True

    def revise(self, k: int, masks: list[int]) -> list[tuple[int, int]]:
        """New masks for clue k's items, keeping only houses some assignment supports."""
        kind, ids, house = self.clues[k]
        x = ids[0]
        mx = masks[x]
        if kind == "position":
            return [(x, mx & (1 << house))]
        if kind == "not_position":
            return [(x, mx & ~(1 << house))]
        if kind == "at_end":
            return [(x, mx & (1 | 1 << (self.n - 1)))]
        y = ids[1]
        my = masks[y]
        if kind == "same":
            both = mx & my
            return [(x, both), (y, both)]
        if kind == "not_same":
            changes = []
            if mx and not mx & (mx - 1):
                changes.append((y, my & ~mx))
            if my and not my & (my - 1):
                changes.append((x, mx & ~my))
            return changes
        if kind == "next_to":
            nx = mx & ((my << 1) | (my >> 1))
            return [(x, nx), (y, my & ((nx << 1) | (nx >> 1)))]
        if kind == "right_after":
            nx = mx & (my >> 1)
            return [(x, nx), (y, my & (nx << 1))]
        if kind == "left_of":
            nx = mx & ((1 << (my.bit_length() - 1)) - 1) if my else 0
            return [(x, nx), (y, my & ~(((nx & -nx) << 1) - 1) if nx else 0)]
        if kind == "between":
            return self._between(ids, masks)
        raise ValueError(f"unknown clue kind {kind!r}")

    def _between(self, ids: tuple[int, ...], masks: list[int]) -> list[tuple[int, int]]:
        x, y, z = ids
        mx, my, mz = masks[x], masks[y], masks[z]
        nx = ny = nz = 0
        for h in bits(my):
            below, above = (1 << h) - 1, self.full & ~((2 << h) - 1)
            if mx & below and mz & above:
                nx, ny, nz = nx | mx & below, ny | 1 << h, nz | mz & above
            if mz & below and mx & above:
                nx, ny, nz = nx | mx & above, ny | 1 << h, nz | mz & below
        return [(x, nx), (y, ny), (z, nz)]

    def solved(self, masks: list[int]) -> bool:
        return all(mask and not mask & (mask - 1) for mask in masks)

    def search(
        self, limit: int, trail: Trail | None = None, active: list[bool] | None = None
    ) -> tuple[list[list[int]], int]:
        """Up to ``limit`` solutions (as masks) and the number of case splits made."""
        solutions: list[list[int]] = []
        guesses = 0
        log = trail.entries if trail is not None else None

        def visit(masks: list[int], pending: list[int] | None, depth: int) -> None:
            nonlocal guesses
            if not self.propagate(masks, log, pending, active):
                if log is not None:
                    log.append(("dead", depth))
                return
            if self.solved(masks):
                solutions.append(masks)
                if log is not None:
                    log.append(("solved", depth))
                return
            item = min(
                (i for i, mask in enumerate(masks) if mask & (mask - 1)),
                key=lambda i: (masks[i].bit_count(), i),
            )
            for house in bits(masks[item]):
                if len(solutions) >= limit:
                    return
                guesses += 1
                branch = list(masks)
                if log is not None:
                    log.append(("guess", item, house, depth + 1))
                branch[item] = 1 << house
                visit(branch, list(self.watch[item]), depth + 1)

        try:
            visit(self.start(), None, 0)
        finally:
            visit = None  # empties the cell that points back at the closure: no reference cycle
        return solutions, guesses
