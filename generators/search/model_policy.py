"""A model-guided MCTS policy: a language model proposes moves and values through the backends.

The model sees the problem and the current state and is scored (prompt logprobs, one
batched ``Backend.score`` call per state) on the text of each legal move: a move's prior
is the softmax, at ``temperature``, of the log-probability of its text. Expansion takes
moves by descending prior; rollouts sample from the priors. A state's value is the
model's probability of " yes" against " no" after asking whether the state can still
lead to a correct answer. Scores depend only on the text, so they are memoised per
(prompt, state) and a seeded search stays deterministic.
"""

from __future__ import annotations

import math
from random import Random

from factory.backends.base import Backend, ScoreRequest
from generators.search.env import Environment, Move, State

VALUE_QUESTION = "Can this state still lead to a correct answer? Answer:"


class ModelPolicy:
    """Move priors and state values from a model served by any backend."""

    name = "model"

    def __init__(self, backend: Backend, *, temperature: float = 1.0) -> None:
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.backend = backend
        self.temperature = temperature
        self.tokenizer = backend.tokenizer()
        self._priors: dict[tuple[str, State], list[float]] = {}
        self._values: dict[tuple[str, State], float] = {}
        self.model_calls = 0

    def _context(self, env: Environment, state: State) -> str:
        return f"{env.problem.prompt}\n\nCurrent state: {env.describe(state)}\n"

    def _logprobs(self, prefix_text: str, continuations: list[str]) -> list[float]:
        prefix = tuple(self.tokenizer.encode(prefix_text))
        requests = [
            ScoreRequest(prefix=prefix, continuation=tuple(self.tokenizer.encode(text)))
            for text in continuations
        ]
        self.model_calls += 1
        return [sum(scores) for scores in self.backend.score(requests)]

    def priors(self, env: Environment, state: State, moves: list[Move]) -> list[float]:
        """Probability of each move (same order as ``moves``)."""
        key = (env.problem.prompt, state)
        if key not in self._priors:
            texts = [f" {env.describe_move(m)}" for m in moves]
            logprobs = self._logprobs(self._context(env, state) + "Next move:", texts)
            top = max(logprobs)
            weights = [math.exp((lp - top) / self.temperature) for lp in logprobs]
            total = sum(weights)
            self._priors[key] = [w / total for w in weights]
        return self._priors[key]

    def order(self, env: Environment, state: State, moves: list[Move], rng: Random) -> list[Move]:
        priors = self.priors(env, state, moves)
        ranked = sorted(range(len(moves)), key=lambda i: -priors[i])
        return [moves[i] for i in ranked]

    def choose(self, env: Environment, state: State, moves: list[Move], rng: Random) -> Move:
        priors = self.priors(env, state, moves)
        point, running = rng.random(), 0.0
        for move, prior in zip(moves, priors, strict=True):
            running += prior
            if point < running:
                return move
        return moves[-1]

    def value(self, env: Environment, state: State) -> float:
        key = (env.problem.prompt, state)
        if key not in self._values:
            yes, no = self._logprobs(self._context(env, state) + VALUE_QUESTION, [" yes", " no"])
            self._values[key] = 1.0 / (1.0 + math.exp(no - yes))
        return self._values[key]
