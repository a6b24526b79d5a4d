"""Statement trees: sampling, bit-parallel evaluation over all assignments, Kleene evaluation.

A statement is a JSON tree of nested lists:

- ``["truthful", j]`` / ``["lying", j]``: person ``j`` is a knight / a knave;
- ``["not", s]``, ``["and", s1, ..., sk]``, ``["or", s1, ..., sk]``,
  ``["implies", a, b]``, ``["iff", a, b]``.

An *assignment* of roles to n people is an integer ``a`` in ``0..2**n - 1`` whose bit ``j``
says whether person ``j`` is truthful. A *truth mask* is a Python int with one bit per
assignment: bit ``a`` is set iff the statement holds under assignment ``a``. Evaluating a
tree on masks evaluates it under all ``2**n`` assignments at once.
"""

from __future__ import annotations

from functools import cache
from random import Random
from typing import Any, NamedTuple

from generators.base import GenerationError

Tree = list[Any]

LEAF_OPS = ("truthful", "lying")
_COMPOUND_BY_ROLL = ("and", "or", "implies", "iff")  # die rolls 2..5


class PuzzleGenerationError(GenerationError):
    """No puzzle with exactly one solution was found within the attempt bound."""


def sample_statement(rng: Random, n: int, depth: int, width: int) -> Tree:
    """A random statement about ``n`` people, nested at most ``depth`` levels.

    Operands of a compound are distinct; this always terminates because ``width <= 4``
    and the ``2 * n >= 4`` leaves are all distinct.
    """
    roll = 0 if depth == 1 else rng.randrange(6)
    if roll == 0:
        return ["truthful" if rng.random() < 0.5 else "lying", rng.randrange(n)]
    if roll == 1:
        return ["not", sample_statement(rng, n, depth - 1, width)]
    op = _COMPOUND_BY_ROLL[roll - 2]
    arity = rng.randint(2, width) if op in ("and", "or") else 2
    operands: list[Tree] = []
    while len(operands) < arity:
        operand = sample_statement(rng, n, depth - 1, width)
        if operand not in operands:
            operands.append(operand)
    return [op, *operands]


def sample_claim(rng: Random, n: int, speaker: int, depth: int, width: int) -> Tree:
    """What ``speaker`` says; never the paradoxical "I am lying" on its own."""
    while True:
        claim = sample_statement(rng, n, depth, width)
        if claim != ["lying", speaker]:
            return claim


class Masks(NamedTuple):
    """Truth masks of the leaves for n people, and of "always" (every assignment)."""

    truthful: tuple[int, ...]
    lying: tuple[int, ...]
    full: int


@cache
def truth_masks(n: int) -> Masks:
    """The masks of "person j is truthful" and "person j is lying" for each j, cached per n.

    The mask of "j is truthful" repeats a block of ``2**j`` zeros then ``2**j`` ones over
    the ``2**n`` assignments; the repetition is built by doubling (``m | m << period``),
    which costs O(2**n) per step instead of a big-int division for the repeat factor.
    """
    size = 1 << n
    full = (1 << size) - 1
    truthful = []
    for j in range(n):
        half = 1 << j
        mask = ((1 << half) - 1) << half
        period = half << 1
        while period < size:
            mask |= mask << period
            period <<= 1
        truthful.append(mask)
    return Masks(tuple(truthful), tuple(mask ^ full for mask in truthful), full)


def truth_mask(tree: Tree, masks: Masks) -> int:
    """The set of assignments (as a bitmask) under which ``tree`` is true."""
    op = tree[0]
    if op == "truthful":
        return masks.truthful[tree[1]]
    if op == "lying":
        return masks.lying[tree[1]]
    if op == "not":
        return truth_mask(tree[1], masks) ^ masks.full
    if op == "and":
        result = masks.full
        for operand in tree[1:]:
            result &= truth_mask(operand, masks)
        return result
    if op == "or":
        result = 0
        for operand in tree[1:]:
            result |= truth_mask(operand, masks)
        return result
    left = truth_mask(tree[1], masks)
    right = truth_mask(tree[2], masks)
    if op == "implies":
        return (left ^ masks.full) | right
    return left ^ right ^ masks.full  # iff


def _fitting_claim(
    rng: Random, roles: list[bool | None], speaker: int, depth: int, width: int
) -> Tree:
    """A claim of ``speaker`` consistent with the full assignment ``roles``: true when the
    speaker is truthful there, false otherwise (checked at that one assignment)."""
    n = len(roles)
    while True:  # "I am truthful" always fits, so each draw fits with good odds
        claim = sample_claim(rng, n, speaker, depth, width)
        if kleene(claim, roles) == roles[speaker]:
            return claim


def _block_masks(n: int, low: int, target: int) -> Masks:
    """Leaf masks over the ``2**low`` assignments that agree with ``target`` on people
    ``low..n-1`` (the target's *block*): those people's leaves are constants there."""
    masks = truth_masks(low)
    fixed = [bool(target >> j & 1) for j in range(low, n)]
    constant = {True: masks.full, False: 0}
    truthful = masks.truthful + tuple(constant[role] for role in fixed)
    lying = masks.lying + tuple(constant[not role] for role in fixed)
    return Masks(truthful, lying, masks.full)


def _alone_in(claims: list[Tree], masks: Masks, target: int) -> bool:
    """Whether ``target`` is the only assignment of the masks' universe consistent with
    every claim (given that it is consistent with each): the AND over the universe at once,
    stopping as soon as ``target`` alone is left (int equality is O(1) while sizes differ)."""
    alone = 1 << target
    consistent = masks.full
    for speaker, claim in enumerate(claims):
        consistent &= truth_mask(claim, masks) ^ masks.lying[speaker]
        if consistent == alone:
            return True
    return False


def only_fit(claims: list[Tree], target: int) -> bool:
    """Whether ``target`` is the only assignment consistent with every claim (given that it
    is consistent with each), proven over all ``2**n`` assignments.

    A second solution usually differs from ``target`` in a few people; before the full
    check, the blocks of assignments that agree with ``target`` on the last 8, then the last
    4 people are searched (256 and 16 times smaller), which refutes most attempts cheaply.
    """
    n = len(claims)
    for low in (n - 8, n - 4):
        if low >= 8 and not _alone_in(claims, _block_masks(n, low, target), target % (1 << low)):
            return False
    return _alone_in(claims, truth_masks(n), target)


def sample_unique_claims(
    rng: Random, n: int, depth: int, width: int, max_attempts: int
) -> tuple[list[Tree], list[bool]]:
    """Claims of ``n`` people with exactly one consistent role assignment, and that assignment.

    The assignment is drawn uniformly first, so no role pattern (everyone truthful, say) is
    the answer more often than chance; every claim is drawn to fit it, and an attempt is
    kept only if no other assignment fits all claims. Person ``i`` is truthful exactly when
    claim ``i`` holds, so the consistent assignments are the AND over i of
    NOT(T_i XOR S_i) = S_i XOR (i is lying); only the kept draws are evaluated that way.
    """
    target = rng.getrandbits(n)
    roles: list[bool | None] = [bool(target >> j & 1) for j in range(n)]
    for _ in range(max_attempts):
        claims = [_fitting_claim(rng, roles, speaker, depth, width) for speaker in range(n)]
        if only_fit(claims, target):
            return claims, [bool(role) for role in roles]
    raise PuzzleGenerationError(
        f"no puzzle with exactly one solution in {max_attempts} attempts "
        f"(n_people={n}, depth={depth}, width={width}); raise max_attempts or change the knobs"
    )


def kleene(tree: Tree, roles: list[bool | None]) -> bool | None:
    """Three-valued truth of ``tree`` when only some roles are known (None = undetermined)."""
    op = tree[0]
    if op == "truthful":
        return roles[tree[1]]
    if op == "lying":
        role = roles[tree[1]]
        return None if role is None else not role
    if op == "not":
        value = kleene(tree[1], roles)
        return None if value is None else not value
    if op in ("and", "or"):
        absorbing = op == "or"  # the operand value that decides the whole: True for or
        result: bool | None = not absorbing
        for operand in tree[1:]:
            value = kleene(operand, roles)
            if value is absorbing:
                return absorbing
            if value is None:
                result = None
        return result
    left = kleene(tree[1], roles)
    right = kleene(tree[2], roles)
    if op == "implies":
        if left is False or right is True:
            return True
        return None if left is None or right is None else False
    return None if left is None or right is None else left == right  # iff


def people_in(tree: Tree) -> list[int]:
    """The people a statement mentions, in order of first mention."""
    if tree[0] in LEAF_OPS:
        return [tree[1]]
    found: list[int] = []
    for operand in tree[1:]:
        found += [person for person in people_in(operand) if person not in found]
    return found
