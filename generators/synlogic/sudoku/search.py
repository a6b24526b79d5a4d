"""Fast exhaustive search: singles propagation on spread bitmasks, minimum-remaining-values.

A search state is a list with one int per cell. An open cell holds its candidate digits in
the spread encoding (see ``geometry``); a placed cell holds its digit's bit shifted left by
``4·n``, out of the candidate range. So the sum of a unit's entries counts, per 4-bit field,
the open cells that can take each digit (low half) and the placed cells that hold it (high
half): one ``sum`` in C finds every hidden single and every digit with no place in a unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from random import Random

from generators.synlogic.sudoku.geometry import FIELD, Geometry, digit_bit


def propagate(cand: list[int], todo: list[int], g: Geometry, dirty: int = -1) -> bool:
    """Place singles (naked and hidden) to a fixpoint; False on a contradiction.

    ``todo`` holds open cells with a single candidate that are not yet placed; ``dirty``
    is a bitmask of the units whose cells changed since they were last summed (-1: all).
    """
    peers, units, getters, unit_bits = g.peers, g.units, g.unit_getters, g.unit_bits
    shift = FIELD * g.n
    ones = g.full
    low_mask = (1 << shift) - 1
    if dirty < 0:
        dirty = (1 << len(units)) - 1
    while True:
        while todo:
            x = todo.pop()
            b = cand[x]
            if b > low_mask:  # placed meanwhile (queued twice)
                continue
            cand[x] = b << shift
            for p in peers[x]:
                m = cand[p]
                if m & b:
                    m ^= b
                    if not m:
                        return False
                    cand[p] = m
                    dirty |= unit_bits[p]
                    if not m & (m - 1):
                        todo.append(p)
        if not dirty:
            return True
        u = (dirty & -dirty).bit_length() - 1
        dirty ^= 1 << u
        s = sum(getters[u](cand))
        low = s & low_mask
        total = low + (s >> shift)
        if (total | total >> 1 | total >> 2 | total >> 3) & ones != ones:
            return False  # a digit with no place left in this unit
        hidden = low & ~(low >> 1 | low >> 2 | low >> 3) & ones
        if hidden:
            for x in units[u]:
                m = cand[x]
                h = m & hidden
                if h and h != m:
                    if h & (h - 1):
                        return False  # two digits that both need this cell
                    cand[x] = h
                    dirty |= unit_bits[x]
                    todo.append(x)


def initial_state(givens: list[int], g: Geometry) -> tuple[list[int], list[int]] | None:
    """Candidates after eliminating the givens (digits, 0 = empty), and the open singles.

    None when two givens clash or an empty cell has no candidate.
    """
    shift = FIELD * g.n
    used = [0] * (3 * g.n)
    cand = [0] * g.cells
    for x, digit in enumerate(givens):
        if digit:
            bit = digit_bit(digit)
            for u in g.cell_units[x]:
                if used[u] & bit:
                    return None
                used[u] |= bit
            cand[x] = bit << shift
    todo = []
    for x, (r, c, b) in enumerate(g.cell_units):
        if not cand[x]:
            m = g.full & ~(used[r] | used[c] | used[b])
            if not m:
                return None
            cand[x] = m
            if not m & (m - 1):
                todo.append(x)
    return cand, todo


def _depth_first(
    cand: list[int], g: Geometry, avoid: list[int], rng: Random | None
) -> Iterator[list[int]]:
    """Depth-first search below a propagated state, branching on a cell with the fewest
    candidates among the open cells whose candidates miss their ``avoid`` bits.

    Yields each state in which no such cell is left; candidates are tried in increasing
    order or in ``rng``'s order.
    """
    high = 1 << FIELD * g.n
    stack: list[tuple[list[int], int]] = [(cand, -1)]
    while stack:
        cand, cell = stack.pop()
        if cell >= 0 and not propagate(cand, [cell], g, g.unit_bits[cell]):
            continue
        best, best_count = -1, 99
        for x, m in enumerate(cand):
            if m < high and not m & avoid[x]:
                k = m.bit_count()
                if k < best_count:
                    best, best_count = x, k
                    if k == 2:
                        break
        if best < 0:
            yield cand
            continue
        m = cand[best]
        bits = []
        while m:
            b = m & -m
            bits.append(b)
            m ^= b
        if rng is not None:
            rng.shuffle(bits)
        else:
            bits.reverse()  # the stack pops the smallest first
        for b in bits:
            child = cand.copy()
            child[best] = b
            stack.append((child, best))


def solutions(
    cand: list[int], g: Geometry, limit: int, rng: Random | None = None
) -> list[list[int]]:
    """Up to ``limit`` solutions (digit lists) below a propagated state."""
    shift = FIELD * g.n
    found = islice(_depth_first(cand, g, [0] * g.cells, rng), limit)
    return [[(m.bit_length() - 1 - shift) // FIELD + 1 for m in state] for state in found]


def completes(cand: list[int], g: Geometry, reference: list[int]) -> bool:
    """Whether a propagated state has a solution, searching near a ``reference`` solution
    (spread bits) that the state excludes somewhere.

    A state in which every open cell can still take its reference digit completes at once:
    the placed cells eliminated their digits from their peers, so the reference digits
    clash neither with them nor with each other. So the search only branches on open cells
    that must leave the reference.
    """
    return next(_depth_first(cand, g, reference, None), None) is not None


def count_solutions(givens: list[int], g: Geometry, limit: int = 2) -> int:
    """How many solutions the givens (0 = empty) have, counting up to ``limit``."""
    state = initial_state(givens, g)
    if state is None or not propagate(state[0], state[1], g):
        return 0
    return len(solutions(state[0], g, limit))
