"""HashRandom: the ``random.Random`` API over bits from SHA-256 in counter mode.

Seeding a Mersenne Twister costs ~3.5 µs, more than the smallest tasks take to generate a
whole problem. A task that sets ``Task.hashed_rng`` draws from this instead: its first 256
bits are the problem's id digest (:func:`schemas.ids.problem_digest` of task, stream,
version, knobs, seed and index, which :func:`generators.base.make_problem` computes
anyway), each further 256 are ``sha256(digest || block number)``. So the draws are a pure
function of (seed, stream, index) for a given task version and knobs: independent of
order and process, like ``Random(derive_seed(...))``'s. Each draw is a Python call, so
tasks draw many values at once (:class:`Pools`, :class:`Draws`) or from a C-level stream of
words (:func:`words`).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Callable, MutableSequence, Sequence
from itertools import chain, count
from math import prod
from random import Random
from types import ModuleType
from typing import Generic, TypeVar

native: ModuleType | None
try:
    from generators import _radix as native
except ImportError:  # not compiled (no compiler at install): Pools picks in Python
    native = None

_sha256 = hashlib.sha256
_shake = hashlib.shake_256
_from_bytes = int.from_bytes  # bound once: the lookup costs a fifth of making a HashRandom
_BLOCK_BITS = 256
T = TypeVar("T")
Word = Callable[[], int]
"""A draw of a uniform 64-bit integer (see :func:`words`)."""
WORD_CHUNK = 64
"""64-bit words :func:`words` makes per SHAKE call unless told (512 bytes: ~1.3 µs)."""
_SWAP = sys.byteorder != "little"
_NATIVE_BITS = 4096  # the widest integer the C kernel takes (MAX_BITS in _radix.c)


class HashRandom:
    """Draws from the bit stream of ``key``: lowest bits first, a fresh block when short.

    Not a ``Random`` subclass (one would carry, and zero, a 2.5 KB Mersenne Twister state
    per problem), but its drawing methods are ``Random``'s own Python code, borrowed: they
    draw through :meth:`getrandbits` and :meth:`random`, as they do in a subclass."""

    __slots__ = ("_key", "_block", "_pool", "_left")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._block = 0
        self._pool = _from_bytes(key, "little")
        self._left = len(key) * 8

    def getrandbits(self, k: int) -> int:
        while self._left < k:
            self._block += 1
            block = _sha256(self._key + self._block.to_bytes(8, "big")).digest()
            self._pool |= _from_bytes(block, "little") << self._left
            self._left += _BLOCK_BITS
        pool = self._pool
        self._pool = pool >> k
        self._left -= k
        return pool & ((1 << k) - 1)

    def random(self) -> float:
        return self.getrandbits(53) * 2.0**-53

    def unread(self, bits: int, k: int) -> None:
        """Put back the last ``k`` bits drawn (``bits``, below 2**k): the next draws take them
        again. For a consumer that draws a chunk ahead and learns afterwards what it used."""
        self._pool = bits | self._pool << k
        self._left += k

    _randbelow = Random._randbelow_with_getrandbits
    randrange = Random.randrange
    randint = Random.randint
    choice = Random.choice
    choices = Random.choices
    shuffle = Random.shuffle
    sample = Random.sample
    uniform = Random.uniform


class Draws:
    """Uniform draws as the mixed-radix digits of one random integer: a ``divmod`` each
    instead of a Python-level rng call (``randint``, ``choice``, ``shuffle`` cost about a
    microsecond a value). The caller draws the integer with 64 bits more than the product
    of every radix it will use, so the draws are uniform up to a relative 2**-64, like
    :class:`Pools`, whose radices are fixed where these may depend on earlier draws."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def below(self, n: int) -> int:
        """Uniform in 0..n-1."""
        self.value, digit = divmod(self.value, n)
        return digit

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def belows(self, n: int, count: int) -> list[int]:
        """``count`` independent uniform draws in 0..n-1 (one method call for them all)."""
        value, out = self.value, []
        for _ in range(count):
            value, digit = divmod(value, n)
            out.append(digit)
        self.value = value
        return out

    def shuffle(self, items: list[T]) -> None:
        """Fisher–Yates in place; takes radices len(items), len(items) - 1, … 2."""
        value = self.value
        for i in range(len(items) - 1, 0, -1):
            value, j = divmod(value, i + 1)
            items[i], items[j] = items[j], items[i]
        self.value = value

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` distinct elements in random order, like ``Random.sample``: the first ``k``
        steps of a Fisher–Yates shuffle (radices len(items), len(items) - 1, …, k of them,
        never a redraw), on a copy of the pool, or, for a pool much longer than ``k``, with
        the swaps kept in a dict (the same swaps, so the same sample)."""
        n, value = len(items), self.value
        if n > 16 * k:
            moved: dict[int, int] = {}
            for i in range(k):
                value, j = divmod(value, n - i)
                j += i
                moved[i], moved[j] = moved.get(j, j), moved.get(i, i)
            self.value = value
            return [items[moved[i]] for i in range(k)]
        pool = list(items)
        for i in range(k):
            value, j = divmod(value, n - i)
            j += i
            pool[i], pool[j] = pool[j], pool[i]
        self.value = value
        del pool[k:]
        return pool


class Pools(Generic[T]):
    """Pools to draw one element of each from, independently, with one rng call: the
    mixed-radix digits of one integer below the product of the pool sizes, drawn as 64 more
    random bits than the product has, modulo the product (off uniform by under 2**-64
    relatively, which no audit can see). Built once per config, used per problem. The digits
    are taken by the C kernel :mod:`._radix` where it was compiled and the integer fits it,
    else by :meth:`digits`, the reference (the same picks)."""

    __slots__ = ("_sized", "_pools", "_total", "_bits", "_native")

    def __init__(self, pools: Sequence[Sequence[T]]) -> None:
        self._sized = tuple((pool, len(pool)) for pool in pools)
        self._pools = tuple(pool for pool, _ in self._sized)
        self._total = prod(size for _, size in self._sized)
        self._bits = self._total.bit_length() + 64
        self._native = (
            native is not None
            and self._total.bit_length() <= _NATIVE_BITS
            and all(0 < size < 2**32 for _, size in self._sized)
        )

    def pick(self, rng: Random) -> list[T]:
        value = rng.getrandbits(self._bits) % self._total
        if self._native:
            return native.pick(value, self._pools)  # type: ignore[union-attr]
        return self.digits(value)

    def digits(self, value: int) -> list[T]:
        """The pick that ``value`` (below the product of the sizes) stands for, in Python."""
        out = []
        for pool, size in self._sized:
            value, at = divmod(value, size)
            out.append(pool[at])
        return out


def distinct(rng: Random, picks: list[T], pool: Sequence[T]) -> list[T]:
    """``picks`` (independent uniform elements of ``pool``, whose elements are distinct)
    made distinct in place: each repeat of an earlier pick is drawn again until new.
    Position by position this is drawing without replacement, so the result is distributed
    as ``rng.sample(pool, len(picks))``."""
    if len(picks) < 2 or len(set(picks)) == len(picks):  # the usual cases, at C speed
        return picks
    seen: set[T] = set()
    for position, pick in enumerate(picks):
        while pick in seen:
            pick = pool[rng.randrange(len(pool))]
        picks[position] = pick
        seen.add(pick)
    return picks


def words(rng: Random, chunk: int = WORD_CHUNK) -> Word:
    """A C-level ``next`` over an endless stream of uniform 64-bit integers keyed by 256 bits
    of ``rng`` (for a fresh :class:`HashRandom`, its key): SHAKE-256 of the key and a chunk
    number, ``chunk`` little-endian words a call (a task passes about what it draws: each
    call costs ~0.5 µs plus ~2 µs a KB). For tasks that make many small draws, not known in
    advance (:class:`Draws` needs its digit budget fixed first): a draw, ``word() * n >> 64``
    (:func:`pick_word`; inlined in hot loops), costs about what ``int(random() * n)`` does
    on a seeded ``Random``, without the ~4 µs of seeding one."""
    if type(rng) is HashRandom and rng._block == 0 and rng._left == 256:
        key = rng._key  # what getrandbits(256) would give, as bytes: skip the round trip
        rng._pool, rng._left = 0, 0
    else:
        key = rng.getrandbits(256).to_bytes(32, "little")
    size = 8 * chunk

    def block_of(number: int) -> array:
        block = array("Q", _shake(key + number.to_bytes(4, "little")).digest(size))
        if _SWAP:
            block.byteswap()
        return block

    return chain.from_iterable(map(block_of, count())).__next__


def pick_word(word: Word, items: Sequence[T]) -> T:
    """A uniform element of ``items`` up to a relative len(items)/2**64 (the high bits of
    ``word() * len(items)``; hot loops inline that)."""
    return items[word() * len(items) >> 64]


def shuffle_words(word: Word, items: MutableSequence[T]) -> None:
    """Fisher–Yates in place, a word a swap."""
    for i in range(len(items) - 1, 0, -1):
        j = word() * (i + 1) >> 64
        items[i], items[j] = items[j], items[i]
