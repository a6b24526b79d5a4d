"""Every solution of a cryptarithm, searched on the equation as one linear sum.

``factor × (addend₁ + … + addendₖ) = result`` is, once the factor's digit ``f`` is fixed,
the linear equation ``Σ (a_L·f + b_L) · d_L = 0`` over the letters' digits ``d_L``: ``a_L``
sums ``10^position`` over the letter's places in the addends, ``b_L`` subtracts them over
its places in the result. The factor letter is assigned first, then the others in order of
decreasing coefficient; the letters still open can add only a bounded amount (each digit
lies in 0..9, or 1..9 for a leading letter), so each letter's digits are cut to the
interval from which the sum can still reach 0, and the last letter is solved for. Far
fewer partial assignments survive than in the column search from the units up
(:mod:`.solver`), which must branch on every new addend letter of a column before the
column sum can refute it.

All partial assignments of one depth are rows of numpy arrays, so a letter costs a fixed
handful of vectorised operations whatever the number of rows. :func:`reveal` picks the
hints from the solutions. Where the C kernel :mod:`._linear` was compiled, the generator
calls its ``puzzle`` instead, which runs the same search depth-first, pruned further (the
letters after each one must reach the rest of the sum with distinct digits, and its last
digit) and stopped at the second solution, chooses the hints by the same rule and writes
the puzzle's words and answer, all in one call; this module stays the reference and the
fallback, and the tests hold the two to identical output.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import numpy as np

from generators.synlogic.cryptarithm.solver import Equation

native: ModuleType | None
try:
    from generators.synlogic.cryptarithm import _linear as native
except ImportError:  # not compiled (no compiler at install): the numpy search below
    native = None

_DIGITS = "0123456789"
_FULL = (1 << 10) - 1
_ONE = 1 << np.arange(10, dtype=np.int64)
"""Bit of each digit."""
_BITS = ((np.arange(1 << 10)[:, None] >> np.arange(10)) & 1).astype(bool)
"""Row ``m``: which digits the bitmask ``m`` holds."""
_AT_LEAST = np.array([_FULL & ~((1 << d) - 1) for d in range(11)], dtype=np.int64)
"""Row ``d``: the digits ≥ d (indices clipped to 0..10 cover any integer)."""
_BELOW = np.array([(1 << d) - 1 for d in range(11)], dtype=np.int64)
"""Row ``d``: the digits < d."""
_FROM = (_FULL, _FULL & ~1)
"""Index ``low``: the digits a letter may take (1..9 for a leading one)."""


LIMIT = 2
"""Solutions a search looks for before it stops: the hint rule sees no more than these."""


def reveal(addends: Sequence[int], result: int, factor: int, letters: str) -> int:
    """The digits whose letters to reveal (a bitmask) for the puzzle ``factor × Σ addends =
    result`` (``factor`` 0: none) written with ``letters[d]`` for the digit d.

    While a search that stops at :data:`LIMIT` solutions finds two or more, the letter whose
    true digit keeps the fewest of those found is revealed, the alphabetically first among
    equals (the letters are a random labelling of the digits, so that is a random choice),
    and the search runs again with it fixed; the last search, finding one solution, exhausts
    the space. "Found" is the C kernel's depth-first order (:func:`_search_order`); here the
    full solution table, sorted in that order, stands in for each search."""
    table = str.maketrans(_DIGITS, letters)
    words = tuple(str(n).translate(table) for n in addends)
    factor_letter = letters[factor] if factor else None
    names, rows = solution_table(Equation(words, str(result).translate(table), factor_letter))
    classes = [letters.index(x) for x in names]
    column = {k: i for i, k in enumerate(classes)}
    keys = [rows[:, column[k]] for k in _search_order(addends, result, factor)]
    agree = rows[np.lexsort(keys[::-1])] == np.array(classes, dtype=np.int8)
    by_letter = sorted(range(len(names)), key=names.__getitem__)
    alive, mask = np.ones(len(agree), dtype=bool), 0
    while len(found := agree[alive][:LIMIT]) > 1:
        kept = found.sum(axis=0)
        i = min((i for i in by_letter if not mask >> classes[i] & 1), key=kept.__getitem__)
        mask |= 1 << classes[i]
        alive &= agree[:, i]
    return mask


def _search_order(addends: Sequence[int], result: int, factor: int) -> list[int]:
    """The digits (the letters' true values) in the C kernel's search order: the factor's
    first, then decreasing |coefficient| at a middling factor, doubled where it is not
    divisible by 10, the smaller digit first among equals."""
    weight = 5 if factor else 1
    coef = [0] * 10  # a·weight + b, as a letter's coefficient in solution_table
    for number, scale in (*((n, weight) for n in addends), (result, -1)):
        for power, digit in enumerate(reversed(str(number))):
            coef[int(digit)] += scale * 10**power
    size = [abs(c) * (2 if c % 10 else 1) for c in coef]
    used = {int(d) for n in (*addends, result) for d in str(n)}
    rest = sorted(used - {factor} if factor else used, key=lambda k: (-size[k], k))
    return [factor, *rest] if factor else rest


def _terms(equation: Equation) -> tuple[dict[str, int], dict[str, int]]:
    """(a, b): each letter's coefficient from the addends and from the result."""
    a: dict[str, int] = {}
    b: dict[str, int] = {}
    for word in equation.addends:
        for power, letter in enumerate(reversed(word)):
            a[letter] = a.get(letter, 0) + 10**power
    for power, letter in enumerate(reversed(equation.result)):
        b[letter] = b.get(letter, 0) - 10**power
    return a, b


def solution_table(equation: Equation) -> tuple[list[str], np.ndarray]:
    """(letters, one row of digits per solution) by the numpy search."""
    leading = equation.leading()
    a, b = _terms(equation)
    factor = equation.factor
    # Coefficient at a middling factor orders the letters; any order is correct.
    weight = 5 if factor else 1
    size = {x: abs(a.get(x, 0) * weight + b.get(x, 0)) for x in a.keys() | b.keys()}
    size.pop(factor, None)
    rest = sorted(size, key=lambda x: (-size[x], x))
    letters = [factor, *rest] if factor else rest
    lows = [int(x in leading) for x in letters]
    return letters, _search(letters, lows, a, b, factor)


def _search(
    letters: list[str],
    lows: list[int],
    a: dict[str, int],
    b: dict[str, int],
    factor: str | None,
) -> np.ndarray:
    """The numpy search: one row of digits per solution, in lexicographic order."""
    n = len(letters)
    # coef[f][t]: letter t's coefficient for factor digit f; lo[f][t], hi[f][t]: the range
    # of Σ coef·digit over letters[t:], the digits unconstrained by one another (the factor
    # letter's own term is added when it is set).
    coef: list[list[int]] = []
    lo: list[list[int]] = []
    hi: list[list[int]] = []
    for f_digit in range(10) if factor else (1,):
        cs = [a.get(x, 0) * f_digit + b.get(x, 0) for x in letters]
        low_sums, high_sums = [0] * (n + 1), [0] * (n + 1)
        for t in range(n - 1, 0 if factor else -1, -1):
            ends = (cs[t] * lows[t], cs[t] * 9)
            low_sums[t] = low_sums[t + 1] + min(ends)
            high_sums[t] = high_sums[t + 1] + max(ends)
        coef.append(cs)
        lo.append(low_sums)
        hi.append(high_sums)
    if factor:
        av = np.array([a.get(x, 0) for x in letters], dtype=np.int64)
        bv = np.array([b.get(x, 0) for x in letters], dtype=np.int64)
        lo_f, hi_f = np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)
        factor_coef = np.array([cs[0] for cs in coef], dtype=np.int64)

    # Per depth: the parent row and the digit of each partial assignment; per row, what the
    # letters still open must add up to (need) and the digits still free (a bitmask).
    parents: list[np.ndarray] = []
    chosen: list[np.ndarray] = []
    need = np.zeros(1, dtype=np.int64)
    free = np.full(1, _FULL, dtype=np.int64)
    f = np.ones(1, dtype=np.int64)
    for t in range(n):
        if factor and t == 0:
            (digit,) = np.nonzero(_BITS[_FROM[lows[t]]])
            rows = np.zeros(len(digit), dtype=np.intp)
            f = digit
            need = -factor_coef[f] * f
        else:
            if factor:
                c = av[t] * f + bv[t]
                bits = _range_rows(c, need, lo_f[f, t + 1], hi_f[f, t + 1])
            else:
                c = coef[0][t]
                bits = _range(c, need, lo[0][t + 1], hi[0][t + 1])
            if lows[t]:
                bits &= _FROM[1]
            rows, digit = _BITS[bits & free].nonzero()
            if factor:
                f = f[rows]
                need = need[rows] - c[rows] * digit
            else:
                need = need[rows] - c * digit
        parents.append(rows)
        chosen.append(digit)
        free = free[rows] ^ _ONE[digit]
    (index,) = (need == 0).nonzero()
    table = np.empty((len(index), n), dtype=np.int8)
    for t in range(n - 1, -1, -1):
        table[:, t] = chosen[t][index]
        index = parents[t][index]
    return table


def _between(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Bitmask of the digits low..high - 1 per row (any integers)."""
    return _AT_LEAST.take(low, mode="clip") & _BELOW.take(high, mode="clip")


def _range(c: int, need: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Per row, the bitmask of digits d with lo <= need - c·d <= hi."""
    if c > 0:  # d in [ceil((need - hi) / c), floor((need - lo) / c)]
        return _between((need + (c - 1 - hi)) // c, (need + (c - lo)) // c)
    if c < 0:  # d in [ceil((lo - need) / k), floor((hi - need) / k)], k = -c
        k = -c
        return _between(((lo + k - 1) - need) // k, ((hi + k) - need) // k)
    return np.where((need >= lo) & (need <= hi), _FULL, 0)


def _range_rows(c: np.ndarray, need: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """:func:`_range` with a coefficient and bounds per row (they vary with the factor)."""
    up = c > 0
    k = np.where(c == 0, 1, np.abs(c))
    low = np.where(up, need - hi, lo - need) + (k - 1)
    high = np.where(up, need - lo, hi - need) + k
    bits = _between(low // k, high // k)
    return np.where(c == 0, np.where((need >= lo) & (need <= hi), _FULL, 0), bits)
