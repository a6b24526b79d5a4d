"""The environment contract the search engines run on, and a base that rewards by verifier.

An environment turns one generated :class:`~schemas.records.Problem` into a search space:
immutable, hashable states and moves, legal moves in a deterministic order, and a terminal
reward that is the task's *own* verifier applied to the answer the terminal state spells
out, so a search can never count an answer the task would reject.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, runtime_checkable

from generators.registry import get_task
from schemas.records import Problem

State = Hashable
Move = Hashable

DEAD = float("-inf")
"""The heuristic of a move proven to lead to no verified answer: ordered searches skip it."""


@runtime_checkable
class Environment(Protocol):
    """What the engines need from a task: moves, transitions, terminal check and reward."""

    problem: Problem

    def initial(self) -> State:
        """The start state (nothing decided yet)."""
        ...

    def moves(self, state: State) -> list[Move]:
        """Legal moves from ``state``, always in the same order."""
        ...

    def apply(self, state: State, move: Move) -> State:
        """The state ``move`` leads to; ``state`` is left unchanged."""
        ...

    def is_terminal(self, state: State) -> bool:
        """True for a finished state and for a dead end (no legal move left)."""
        ...

    def reward(self, state: State) -> float:
        """1.0 iff ``state`` is finished and its answer passes the task's verifier."""
        ...

    def answer(self, state: State) -> str:
        """The answer text a finished state stands for (what goes inside <answer>)."""
        ...

    def describe(self, state: State) -> str:
        """A short line describing ``state`` for traces."""
        ...

    def describe_move(self, move: Move) -> str:
        """A short line describing ``move`` for traces."""
        ...

    def heuristic(self, state: State, move: Move) -> float:
        """How promising ``move`` looks from ``state`` (higher is better; :data:`DEAD`
        when it provably leads to no verified answer)."""
        ...

    def key(self, state: State) -> Hashable:
        """Transposition key: states with equal keys have the same futures, so DFS and BFS
        explore only the first one they meet."""
        ...

    def failure(self, state: State) -> str:
        """Why a failing terminal fails, naming the number, statement or constraint."""
        ...


def verifies(problem: Problem, answer: str) -> bool:
    """Whether ``answer`` passes the verifier of ``problem.task``, exactly as a model's would."""
    return get_task(problem.task).verify(problem, f"<answer>{answer}</answer>").passed


class TaskEnvironment:
    """Shared part of the concrete environments: terminal = complete or stuck, verifier reward.

    Subclasses implement ``complete`` (every decision made), ``moves``, ``apply``,
    ``answer``, ``describe``, ``describe_move``, ``heuristic`` and, to say what fails,
    ``failure``. Rewards are cached per state, since searches revisit terminals and the
    verifier parses text; ``could_verify`` lets a state that surely fails skip the parse.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._rewards: dict[State, float] = {}

    def complete(self, state: State) -> bool:
        raise NotImplementedError

    def moves(self, state: State) -> list[Move]:
        raise NotImplementedError

    def answer(self, state: State) -> str:
        raise NotImplementedError

    def is_terminal(self, state: State) -> bool:
        return self.complete(state) or not self.moves(state)

    def key(self, state: State) -> Hashable:
        return state

    def could_verify(self, state: State) -> bool:
        """A cheap necessary condition for a finished state to verify (skips the parse)."""
        return True

    def failure(self, state: State) -> str:
        if self.complete(state):
            return "the finished answer does not pass the check"
        return "no legal move is left"

    def reward(self, state: State) -> float:
        if not self.complete(state) or not self.could_verify(state):
            return 0.0
        cached = self._rewards.get(state)
        if cached is None:
            cached = self._rewards[state] = (
                1.0 if verifies(self.problem, self.answer(state)) else 0.0
            )
        return cached
