"""Exact search for an expression: combine two numbers, replace them by the result, repeat.

Values are exact rationals, held in the hot loop as reduced integer pairs ``(p, q)``
(``q >= 1``) rather than :class:`fractions.Fraction`, whose arithmetic is ~50x slower;
comparisons cross-multiply, so "equals the target" is exact and no float is involved.
Only non-negative intermediate results are tried (``a - b`` with ``a >= b``): any
expression for a positive target can be rewritten that way (flip the operands of a
subtraction and the sign of everything above it), so nothing reachable is lost. Failed
multisets are memoised. A state of three numbers is settled in one node by checking
each pair's results against the third number. The order of the search is fixed, so the
number of states it examines before the first solution (``nodes``) is deterministic: it
is the task's effort figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

Rational = tuple[int, int]
Move = tuple[str, Rational, Rational, Rational]


class _OutOfBudget(Exception):
    pass


def fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(value)


@dataclass(frozen=True)
class Step:
    """One combination: ``left op right = result``."""

    left: Fraction
    op: str
    right: Fraction
    result: Fraction

    def text(self) -> str:
        return f"{fmt(self.left)} {self.op} {fmt(self.right)} = {fmt(self.result)}"


@dataclass
class Search:
    """Outcome of :func:`search`: the solution steps (None if none within budget) and counts.

    ``first_moves`` lists each first combination tried with the states its subtree
    examined and whether it led to the target; ``detours[d]`` is (dead-end combinations,
    states they examined) tried before step ``d`` of the solution (for the trace).
    """

    steps: list[Step] | None
    nodes: int
    exhausted: bool
    first_moves: list[tuple[Step, int, bool]] = field(default_factory=list)
    detours: list[tuple[int, int]] = field(default_factory=list)


def _reduced(p: int, q: int) -> Rational:
    g = gcd(p, q)
    return (p // g, q // g) if g > 1 else (p, q)


def _ge(a: Rational, b: Rational) -> bool:
    return a[0] * b[1] >= b[0] * a[1]


def _moves(a: Rational, b: Rational) -> list[Move]:
    """(op, left, right, result) for a pair with a >= b, non-negative results only."""
    (p, q), (r, s) = a, b
    if q == 1 and s == 1:
        moves = [("+", a, b, (p + r, 1)), ("*", a, b, (p * r, 1)), ("-", a, b, (p - r, 1))]
    else:
        moves = [
            ("+", a, b, _reduced(p * s + r * q, q * s)),
            ("*", a, b, _reduced(p * r, q * s)),
            ("-", a, b, _reduced(p * s - r * q, q * s)),
        ]
    if r:
        moves.append(("/", a, b, _reduced(p * s, q * r)))
    if p and a != b:
        moves.append(("/", b, a, _reduced(r * q, s * p)))
    return moves


def _results(a: Rational, b: Rational) -> list[Rational]:
    """The results of :func:`_moves` (same order) without building the moves."""
    (p, q), (r, s) = a, b
    if q == 1 and s == 1:
        results = [(p + r, 1), (p * r, 1), (p - r, 1)]
    else:
        results = [
            _reduced(p * s + r * q, q * s),
            _reduced(p * r, q * s),
            _reduced(p * s - r * q, q * s),
        ]
    if r:
        results.append(_reduced(p * s, q * r))
    if p and a != b:
        results.append(_reduced(r * q, s * p))
    return results


def _needed(c: Rational, t: int) -> set[Rational]:
    """Every r >= 0 that some final combination with c turns into t (all reduced)."""
    p, q = c
    if p == 0:
        return {(t, 1)}
    needed = {(t * q + p, q), (t * q - p, q), (p - t * q, q)}
    g = gcd(t, q)
    needed.add((t // g * p, q // g))  # r / c = t
    g = gcd(t, p)
    needed.add((t // g * q, p // g))  # r * c = t
    needed.add((p // g, q * (t // g)))  # c / r = t
    return needed


def _needed_integers(c: int, t: int) -> set[int]:
    """The integers among :func:`_needed` of an integer ``c`` (negatives are harmless)."""
    if c == 0:
        return {t, -t}
    needed = {t + c, t - c, c - t, t * c}
    if t % c == 0:
        needed.add(t // c)
    if c % t == 0:
        needed.add(c // t)
    return needed


def _integers_reach(state: tuple[Rational, ...], t: int, needed_by: dict[int, set[int]]) -> bool:
    """Whether three integers (sorted) make ``t``: what :func:`search`'s three-number node
    decides, without building a rational per result.

    For a pair ``a >= b`` and the third number ``c``, the results ``a + b``, ``a * b`` and
    ``a - b`` (and ``a / b`` when it is an integer) are looked up among the integers that
    make ``t`` with ``c``; a fraction ``a / b`` or ``b / a`` can make the integer ``t``
    only by a product or a quotient with ``c``, tested cross-multiplied.
    """
    (x, _), (y, _), (z, _) = state
    for a, b, c in ((y, x, z), (z, x, y), (z, y, x)):
        needed = needed_by.get(c)
        if needed is None:
            needed = needed_by[c] = _needed_integers(c, t)
        if not needed.isdisjoint((a + b, a * b, a - b)):
            return True
        if b and (
            a % b == 0 and a // b in needed or a * c == t * b or b * c == t * a or a == t * b * c
        ):
            return True
    return False


def _rationals_reach(
    state: tuple[Rational, ...], t: int, needed_by: dict[Rational, set[Rational]]
) -> bool:
    """Whether three numbers make ``t``: some pair's result is needed by the third."""
    x, y, z = state
    for a, b, c in ((x, y, z), (x, z, y), (y, z, x)):
        needed = needed_by.get(c)
        if needed is None:
            needed = needed_by[c] = _needed(c, t)
        if not needed.isdisjoint(_results(a, b) if _ge(a, b) else _results(b, a)):
            return True
    return False


def _fraction(value: Rational) -> Fraction:
    return Fraction(*value)


def _step(move: Move) -> Step:
    op, left, right, result = move
    return Step(_fraction(left), op, _fraction(right), _fraction(result))


def search(numbers: list[int], target: int, budget: int, record: bool = True) -> Search:
    """First solution in the fixed search order, examining at most ``budget`` states.

    ``record=False`` leaves ``first_moves`` empty (the generator only needs the steps and
    the node count; building a Step of Fractions per first move was a fifth of its time).
    """
    if len(numbers) < 3 or target < 1:
        raise ValueError("the search needs at least three numbers and a positive target")
    failed: set[tuple[Rational, ...]] = set()
    needed_by: dict[Rational, set[Rational]] = {}
    integers_needed: dict[int, set[int]] = {}
    path: list[Move] = []
    first_moves: list[tuple[Step, int, bool]] = []
    detours: list[tuple[int, int]] = []
    top = len(numbers)
    nodes = 0

    def enter(state: tuple[Rational, ...]) -> bool:
        """Count a node; False when the state is a known dead end."""
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _OutOfBudget
        return state not in failed

    def dfs(state: tuple[Rational, ...]) -> bool:
        """A state of four or more numbers: try every pair and operation in order."""
        if not enter(state):
            return False
        k = len(state)
        start_nodes, dead_ends = nodes, 0
        for i in range(k):
            a = state[i]
            if i and a == state[i - 1]:
                continue
            for j in range(i + 1, k):
                b = state[j]
                if j > i + 1 and b == state[j - 1]:
                    continue
                rest = state[:i] + state[i + 1 : j] + state[j + 1 :]
                for move in _moves(a, b) if _ge(a, b) else _moves(b, a):
                    path.append(move)
                    before = nodes
                    child = (*sorted((*rest, move[3])),)
                    found = three(child) if k == 4 else dfs(child)
                    if k == top and record:
                        first_moves.append((_step(move), nodes - before, found))
                    if found:
                        detours.append((dead_ends, before - start_nodes))
                        return True
                    dead_ends += 1
                    path.pop()
        failed.add(state)
        return False

    def three(state: tuple[Rational, ...]) -> bool:
        """Three numbers: one node; each pair's results are checked against the third."""
        if not enter(state):
            return False
        x, y, z = state
        # Decide first (most nodes fail); the loop below, which finds the same split and
        # result in the fixed order, then runs once per search, on the node that succeeds.
        if x[1] == y[1] == z[1] == 1:
            reached = _integers_reach(state, target, integers_needed)
        else:
            reached = _rationals_reach(state, target, needed_by)
        if not reached:
            failed.add(state)
            return False
        dead_ends = 0
        for index, (a, b, c) in enumerate(((x, y, z), (x, z, y), (y, z, x))):
            if index and state[2 - index] == state[3 - index]:
                continue  # the same pair and single as the previous split
            needed = needed_by.get(c)
            if needed is None:
                needed = needed_by[c] = _needed(c, target)
            if not _ge(a, b):
                a, b = b, a
            for position, r in enumerate(_results(a, b)):
                if r in needed:
                    hi, lo = (r, c) if _ge(r, c) else (c, r)
                    path.append(_moves(a, b)[position])
                    path.append(next(m for m in _moves(hi, lo) if m[3] == (target, 1)))
                    detours.extend([(0, 0), (dead_ends, 0)])
                    return True
                dead_ends += 1
        failed.add(state)
        return False

    start = tuple(sorted((n, 1) for n in numbers))
    try:
        found = three(start) if top == 3 else dfs(start)
    except _OutOfBudget:
        return Search(None, budget, False, first_moves)
    finally:
        dfs = None  # empties the cell that points back at the closure: no reference cycle
    if not found:
        return Search(None, nodes, True, first_moves)
    return Search([_step(move) for move in path], nodes, True, first_moves, detours[::-1])


def expression(numbers: list[int], steps: list[Step]) -> str:
    """Replay ``steps`` on the numbers as one expression with only the needed parentheses."""
    items: list[tuple[Fraction, str, str]] = [(Fraction(n), str(n), "atom") for n in numbers]
    for step in steps:
        left = _take(items, step.left)
        right = _take(items, step.right)
        text = f"{_wrap(left, step.op, False)} {step.op} {_wrap(right, step.op, True)}"
        items.append((step.result, text, step.op))
    (_, text, _), *rest = items
    if rest:
        raise ValueError("the steps must reduce the numbers to one value")
    return text


def _take(items: list[tuple[Fraction, str, str]], value: Fraction) -> tuple[Fraction, str, str]:
    for index, item in enumerate(items):
        if item[0] == value:
            return items.pop(index)
    raise ValueError(f"{fmt(value)} is not available")


def _wrap(item: tuple[Fraction, str, str], op: str, right: bool) -> str:
    """Parenthesise an operand only where precedence or non-associativity demands it."""
    _, text, inner = item
    if inner == "atom":
        return text
    additive = inner in "+-"
    if op in "*/" and additive:
        return f"({text})"
    if right and (op == "-" and additive or op == "/"):
        return f"({text})"
    return text
