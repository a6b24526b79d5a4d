"""Countdown / game of 24 as a search space: combine two numbers until one is left.

A state is the tuple of remaining items, each an exact value with the expression that
built it; a move takes items ``i < j``, combines them with + − × ÷ and appends the result.
Only non-negative differences are offered (``a - b`` with ``a >= b``; the game_of_24
solver shows nothing reachable is lost) and division by zero never is; moves of one state
that would leave the same multiset of values are offered once. Answers are the
expression of the last item, which the game_of_24 verifier parses and checks. With
``integers`` only whole results are offered (the Stream-of-Search authors' game, whose
log format cannot write fractions).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from generators.registry import get_task
from generators.search.env import DEAD, TaskEnvironment
from generators.synlogic.game_of_24.solver import fmt
from schemas.records import Problem


@dataclass(frozen=True)
class Item:
    """One remaining number: its value, its expression, and the expression's top operator."""

    value: Fraction
    text: str
    op: str = ""  # "" for a given number


@dataclass(frozen=True)
class Combine:
    """``left op right = result`` on the items at positions ``i`` and ``j`` (``i < j``)."""

    i: int
    j: int
    op: str
    left: Fraction
    right: Fraction
    result: Fraction


CountdownState = tuple[Item, ...]


def _operand(item: Item, op: str, right: bool) -> str:
    """The item's text, parenthesised where precedence or non-associativity needs it."""
    if not item.op:
        return item.text
    additive = item.op in "+-"
    if op in "*/" and additive or right and (op == "-" and additive or op == "/"):
        return f"({item.text})"
    return item.text


def countdown_problem(numbers: list[int], target: int) -> Problem:
    """A game_of_24 problem on chosen numbers and target (e.g. one with no solution).

    Built from the task's own payload structure, so its verifier scores answers as usual.
    """
    task = get_task("game_of_24")
    listed = ", ".join(map(str, numbers))
    return Problem(
        problem_id=f"countdown-{'-'.join(map(str, numbers))}-to-{target}",
        task=task.name,
        generator_version=task.version,
        seed=0,
        index=0,
        config={},
        prompt=f"Make {target} out of the numbers {listed}.",
        answer="",
        payload={"numbers": list(numbers), "target": target, "style": [0, 0, 0]},
    )


class Countdown(TaskEnvironment):
    """Search space of a game_of_24 problem (any count of numbers, any target)."""

    def __init__(self, problem: Problem, *, integers: bool = False) -> None:
        super().__init__(problem)
        self.numbers: list[int] = list(problem.payload["numbers"])
        self.target = Fraction(problem.payload["target"])
        self.integers = integers
        self._reachable: dict[tuple[Fraction, ...], bool] = {}
        self._moves: dict[CountdownState, list[Combine]] = {}

    @classmethod
    def from_numbers(cls, numbers: list[int], target: int) -> Countdown:
        return cls(countdown_problem(numbers, target))

    def initial(self) -> CountdownState:
        return tuple(Item(Fraction(n), str(n)) for n in self.numbers)

    def complete(self, state: CountdownState) -> bool:
        return len(state) == 1

    def is_terminal(self, state: CountdownState) -> bool:
        return len(state) == 1  # two numbers or more always combine

    def moves(self, state: CountdownState) -> list[Combine]:
        """Legal moves, memoised per state (searches and rollouts revisit states)."""
        known = self._moves.get(state)
        if known is None:
            known = self._moves[state] = self._combines(state)
        return list(known)

    def _combines(self, state: CountdownState) -> list[Combine]:
        found: list[Combine] = []
        seen: set[tuple[Fraction, ...]] = set()
        for i in range(len(state)):
            for j in range(i + 1, len(state)):
                a, b = state[i].value, state[j].value
                big, small = (a, b) if a >= b else (b, a)
                options = [("+", a, b, a + b), ("-", big, small, big - small), ("*", a, b, a * b)]
                if b:
                    options.append(("/", a, b, a / b))
                if a and a != b:
                    options.append(("/", b, a, b / a))
                rest = [item.value for k, item in enumerate(state) if k not in (i, j)]
                for op, left, right, result in options:
                    if self.integers and result.denominator != 1:
                        continue
                    key = tuple(sorted([*rest, result]))
                    if key not in seen:
                        seen.add(key)
                        found.append(Combine(i, j, op, left, right, result))
        return found

    def apply(self, state: CountdownState, move: Combine) -> CountdownState:
        first, second = state[move.i], state[move.j]
        left, right = (first, second) if first.value == move.left else (second, first)
        if (left.value, right.value) != (move.left, move.right):
            raise ValueError(f"{self.describe_move(move)} does not fit {self.describe(state)}")
        text = f"{_operand(left, move.op, False)} {move.op} {_operand(right, move.op, True)}"
        rest = tuple(item for k, item in enumerate(state) if k not in (move.i, move.j))
        return (*rest, Item(move.result, text, move.op))

    def answer(self, state: CountdownState) -> str:
        if not self.complete(state):
            raise ValueError("an answer needs exactly one number left")
        return state[0].text

    def key(self, state: CountdownState) -> tuple[Fraction, ...]:
        """The remaining values, unordered: how they were made does not change what they
        can still reach."""
        return tuple(sorted(item.value for item in state))

    def describe(self, state: CountdownState) -> str:
        return ", ".join(fmt(item.value) for item in state)

    def describe_move(self, move: Combine) -> str:
        return f"{fmt(move.left)} {move.op} {fmt(move.right)} = {fmt(move.result)}"

    def could_verify(self, state: CountdownState) -> bool:
        return state[0].value == self.target

    def failure(self, state: CountdownState) -> str:
        if not self.complete(state):
            return super().failure(state)
        return f"it ends at {fmt(state[0].value)}, not the target {fmt(self.target)}"

    def heuristic(self, state: CountdownState, move: Combine) -> float:
        """How close the move looks to reaching the target. With three or fewer numbers
        left an exact look-ahead decides: 2 if the target is still reachable, else
        :data:`~generators.search.engines.DEAD`; before that, the closeness of the best
        remaining number to the target, in (0, 1]."""
        values = [item.value for k, item in enumerate(state) if k not in (move.i, move.j)]
        values.append(move.result)
        if len(values) <= LOOKAHEAD:
            return 2.0 if self.reachable(tuple(sorted(values))) else DEAD
        return max(1 / (1 + abs(float(value - self.target))) for value in values)

    def reachable(self, values: tuple[Fraction, ...]) -> bool:
        """Whether the sorted ``values`` (three at most) can still make the target: some
        pair's result is one the remaining number turns into the target (memoised)."""
        known = self._reachable.get(values)
        if known is None:
            if len(values) == 1:
                known = values[0] == self.target
            elif len(values) == 2:
                known = self.target in self.results(*values)
            else:
                known = any(
                    not self.needed(c).isdisjoint(self.results(a, b))
                    for a, b, c in (
                        (values[0], values[1], values[2]),
                        (values[0], values[2], values[1]),
                        (values[1], values[2], values[0]),
                    )
                )
            self._reachable[values] = known
        return known

    def results(self, a: Fraction, b: Fraction) -> set[Fraction]:
        """Every value one operation makes of ``a`` and ``b`` (whole ones with ``integers``)."""
        found = {a + b, abs(a - b), a * b}
        found.update(x / y for x, y in ((a, b), (b, a)) if y)
        return {r for r in found if r.denominator == 1} if self.integers else found

    def needed(self, c: Fraction) -> set[Fraction]:
        """Every r that one operation with ``c`` turns into the target."""
        t = self.target
        found = {t - c, t + c, c - t, t * c}
        if c:
            found.add(t / c)
        if t:
            found.add(c / t)
        return found


LOOKAHEAD = 3
"""Numbers left up to which the heuristic checks exactly whether the target is reachable."""
