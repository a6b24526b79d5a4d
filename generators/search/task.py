"""Search-trace tasks: a base task's problems, solved by search, traced with its detours.

A search task (``search_countdown``, ``search_knights_knaves``, ``search_sudoku``,
``search_nlsat``) generates exactly the base task's problem (same prompt, payload and
proven answer; its config is the base knobs plus :class:`SearchKnobs`), and its solver
runs the configured search over the base task's environment and linearises it — an
ASTRO-style chain of thought with ``backtracks`` wrong branches, or the Stream-of-Search
log. Answers are checked by the base task's verifier, so search traces go through the
same verify / score / rewrite / assemble stages as any task.

Difficulty is ThinkLite-style: ``search_iterations`` and ``search_nodes`` to the first
verified answer (MCTS iterations; DFS/BFS count visited nodes as iterations). When the
configured search spends its budget unsolved, the solver falls back to a DFS bounded by
``node_budget`` for the trace (``fallback`` = 1 in the stats), and the effort is one more
than the budget, which ranks the problem above every one solved within it.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from generators.base import Instance, Solution, Task, TaskConfig
from generators.registry import get_task
from generators.search.engines import SearchResult, bfs, dfs, mcts
from generators.search.env import Environment, TaskEnvironment
from generators.search.linearize import astro, stream_of_search
from generators.search.policy import Policy
from schemas.config import ModelSpec
from schemas.ids import derive_seed
from schemas.records import Problem

SEARCH_STATS = ("search_iterations", "search_nodes")


class SearchKnobs(TaskConfig):
    """How a search task searches and writes its trace (on top of the base task's knobs)."""

    engine: Literal["mcts", "dfs", "bfs"] = "mcts"
    iterations: int = Field(default=200, ge=1, le=100_000, description="MCTS iteration budget")
    node_budget: int = Field(
        default=50_000, ge=10, le=2_000_000, description="DFS/BFS node budget (and fallback's)"
    )
    exploration: float = Field(default=1.0, ge=0, le=100, description="UCT constant c")
    expansions: int = Field(default=3, ge=1, le=100, description="MCTS children per expansion")
    policy: Literal["uniform", "heuristic", "model"] = Field(
        default="heuristic", description="MCTS move policy; `model` needs `policy_model`"
    )
    value_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="share of a failed rollout's reward taken from "
        "the model's value of the state (model policy only)",
    )
    policy_model: ModelSpec | None = Field(
        default=None, description="the model that proposes moves and values (policy: model)"
    )
    trace: Literal["astro", "stream_of_search"] = Field(
        default="astro", description="ASTRO chain of thought or Stream-of-Search log"
    )
    backtracks: int = Field(default=2, ge=0, le=20, description="ASTRO: wrong branches shown")

    @model_validator(mode="after")
    def _model_policy_has_a_model(self) -> SearchKnobs:
        if (self.policy == "model") != (self.policy_model is not None):
            raise ValueError("policy: model needs policy_model, and policy_model needs it")
        if self.value_weight and self.policy != "model":
            raise ValueError("value_weight applies to the model policy only")
        return self


class SearchTask(Task):
    """A base task whose reference traces come from search; subclasses name the base task
    and the environment (class and keyword options)."""

    base_task: ClassVar[str]
    environment_class: ClassVar[type[TaskEnvironment]]
    environment_options: ClassVar[dict[str, Any]] = {}

    def environment(self, problem: Problem) -> Environment:
        return self.environment_class(problem, **self.environment_options)

    @property
    def base(self) -> Task:
        return get_task(self.base_task)

    def generate(self, config: TaskConfig, rng: Random, index: int) -> Instance:
        knobs = config.model_dump(include=set(self.base.Config.model_fields))
        return self.base.generate(self.base.Config(**knobs), rng, index)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return self.base.check_answer(problem, answer)

    # The problems are the base task's, and so are their answer space and structure.
    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        return self.base.labels(problem)

    def answer_space(self, problem: Problem) -> int | None:
        return self.base.answer_space(problem)

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        return self.base.trivial_answers(problem)

    def structural_key(self, problem: Problem) -> str:
        return self.base.structural_key(problem)

    def solve(self, problem: Problem) -> Solution:
        knobs = SearchKnobs.model_validate(
            {k: v for k, v in problem.config.items() if k in SearchKnobs.model_fields}
        )
        env = self.environment(problem)
        seed = derive_seed(problem.seed, f"search:{self.name}", problem.index)
        policy = _policy(knobs)
        result = run_search(env, knobs, seed, policy)
        traced = result if result.solved else dfs(env, max_nodes=knobs.node_budget)
        if not traced.solved:
            raise RuntimeError(
                f"{self.name} problem {problem.problem_id}: no verified answer within "
                f"{knobs.node_budget} DFS nodes ({traced.reason}); raise node_budget"
            )
        stats = _stats(result, knobs)
        if knobs.policy_model is not None:
            stats["model_calls"] = policy.model_calls  # type: ignore[union-attr]
        if knobs.trace == "astro":
            trace = astro(env, traced.path_moves(), backtracks=knobs.backtracks, seed=seed)
            text, stats["backtracks"] = trace.text, trace.backtracks_taken
        else:
            text = stream_of_search(traced, env)
        reasoning, _, tagged = text.rpartition("<answer>")
        answer = tagged.removesuffix("</answer>")
        return Solution(answer=answer, reasoning=reasoning.rstrip(), stats=stats)


def run_search(
    env: Environment, knobs: SearchKnobs, seed: int, policy: str | Policy
) -> SearchResult:
    """The configured engine on ``env`` (``policy`` drives MCTS only)."""
    if knobs.engine == "dfs":
        return dfs(env, max_nodes=knobs.node_budget)
    if knobs.engine == "bfs":
        return bfs(env, max_nodes=knobs.node_budget)
    return mcts(
        env,
        iterations=knobs.iterations,
        c=knobs.exploration,
        expansions=knobs.expansions,
        rollout=policy,
        value_weight=knobs.value_weight,
        seed=seed,
    )


def _policy(knobs: SearchKnobs) -> str | Policy:
    if knobs.policy_model is None:
        return knobs.policy
    from factory.backends import shared_backend
    from generators.search.model_policy import ModelPolicy

    return ModelPolicy(shared_backend(knobs.policy_model, seed=0))


def _stats(result: SearchResult, knobs: SearchKnobs) -> dict[str, int | float]:
    """Effort figures; ``search_iterations``/``search_nodes`` only when solved in budget."""
    budget = knobs.iterations if knobs.engine == "mcts" else knobs.node_budget
    stats: dict[str, int | float] = {
        "effort": result.iterations_to_first_solution or budget + 1,
        "tree_nodes": result.total_nodes,
        "fallback": int(not result.solved),
    }
    if result.solved:
        stats["search_iterations"] = result.iterations_to_first_solution or 0
        stats["search_nodes"] = result.nodes_to_first_solution or 0
    return stats
