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
handful of vectorised operations whatever the number of rows. Where the C kernel
:mod:`._linear` was compiled, the same search runs there depth-first (several times
faster); it keeps the same partial assignments and returns the solutions in the same,
lexicographic order, so the numpy search below is the reference and the fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import numpy as np

from generators.synlogic.cryptarithm.solver import Equation

native: ModuleType | None
try:
    from generators.synlogic.cryptarithm import _linear as native
except ImportError:  # not compiled (no compiler at install): the numpy search below
    native = None

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
"""Index ``low``: the digits a letter may take without a hint (1..9 for a leading one)."""


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


def solution_table(
    equation: Equation, hints: Mapping[str, int] | None = None, python: bool = False
) -> tuple[list[str], np.ndarray]:
    """(letters, one row of digits per solution honouring ``hints``); ``python`` runs the
    numpy search even where the C kernel is available."""
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
    allowed = [_FROM[low] for low in lows]
    if hints:
        allowed = [
            1 << hints[x] if x in hints else m for x, m in zip(letters, allowed, strict=True)
        ]
    if native is not None and not python:
        av = [a.get(x, 0) for x in letters]
        bv = [b.get(x, 0) for x in letters]
        rows = native.solutions(av, bv, lows, allowed, factor is not None)
        return letters, np.frombuffer(rows, dtype=np.int8).reshape(-1, len(letters))
    return letters, _search(letters, lows, allowed, a, b, factor)


def agreement(table: np.ndarray, truth: bytes, python: bool = False) -> bytes:
    """Per letter (column of ``table``), the bitmask of the rows whose digit is the letter's
    in ``truth`` (one byte a letter), little-endian and padded to whole bytes, concatenated."""
    if native is not None and not python:
        return native.agreement(table, truth)
    agree = table == np.frombuffer(truth, dtype=np.int8)
    return np.packbits(agree, axis=0, bitorder="little").T.tobytes()


def _search(
    letters: list[str],
    lows: list[int],
    allowed: list[int],
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
            (digit,) = np.nonzero(_BITS[allowed[t]])
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
            if allowed[t] != _FULL:
                bits &= allowed[t]
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
