"""Move policies for MCTS: which moves a node expands first and which a rollout plays.

A policy orders a node's untried moves for expansion, picks rollout moves, and may
estimate a state's value (the chance it still leads to a verified answer). ``uniform``
and ``heuristic`` need nothing else; ``generators.search.model_policy`` asks a language
model through the backends.
"""

from __future__ import annotations

from random import Random
from typing import Protocol

from generators.search.env import Environment, Move, State

HEURISTIC_EPSILON = 0.25
"""Share of heuristic-rollout steps that take a uniform move, so rollouts do not repeat."""


class Policy(Protocol):
    name: str

    def order(self, env: Environment, state: State, moves: list[Move], rng: Random) -> list[Move]:
        """``moves`` in the order expansion takes them (a new list)."""
        ...

    def choose(self, env: Environment, state: State, moves: list[Move], rng: Random) -> Move:
        """The move a rollout plays from ``state``."""
        ...

    def value(self, env: Environment, state: State) -> float | None:
        """Estimated chance that ``state`` leads to a verified answer; None: no estimate."""
        ...


class UniformPolicy:
    """Random expansion order and uniformly random rollouts."""

    name = "uniform"

    def order(self, env: Environment, state: State, moves: list[Move], rng: Random) -> list[Move]:
        moves = list(moves)
        rng.shuffle(moves)
        return moves

    def choose(self, env: Environment, state: State, moves: list[Move], rng: Random) -> Move:
        return rng.choice(moves)

    def value(self, env: Environment, state: State) -> float | None:
        return None


class HeuristicPolicy:
    """The environment's heuristic: best moves expanded first; rollouts play the best move
    (ties at random) except for :data:`HEURISTIC_EPSILON` uniform steps."""

    name = "heuristic"

    def order(self, env: Environment, state: State, moves: list[Move], rng: Random) -> list[Move]:
        scores = [env.heuristic(state, m) for m in moves]
        return [m for _, m in sorted(zip(scores, moves, strict=True), key=lambda pair: -pair[0])]

    def choose(self, env: Environment, state: State, moves: list[Move], rng: Random) -> Move:
        if rng.random() < HEURISTIC_EPSILON:
            return rng.choice(moves)
        scores = [env.heuristic(state, m) for m in moves]
        best = max(scores)
        return rng.choice([m for m, s in zip(moves, scores, strict=True) if s == best])

    def value(self, env: Environment, state: State) -> float | None:
        return None


BUILT_IN: dict[str, Policy] = {"uniform": UniformPolicy(), "heuristic": HeuristicPolicy()}


def resolve_policy(policy: str | Policy) -> Policy:
    """A built-in policy by name, or the given policy object."""
    if not isinstance(policy, str):
        return policy
    if policy not in BUILT_IN:
        raise ValueError(f"unknown rollout policy {policy!r}; built in: {', '.join(BUILT_IN)}")
    return BUILT_IN[policy]
