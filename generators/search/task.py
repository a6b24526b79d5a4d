"""Search-trace tasks: a base task's problems, solved by search, traced with its detours.

A search task (``search_countdown``, ``search_knights_knaves``, ``search_sudoku``,
``search_nlsat``) generates exactly the base task's problem (same prompt, payload and
proven answer; its config is the base knobs plus :class:`SearchKnobs`), and its solver
runs the configured search over the base task's environment and linearises it — an
ASTRO-style chain of thought with ``backtracks`` wrong branches, the Stream-of-Search
log, or (countdown) that log in the Stream-of-Search authors' own format. Answers are
checked by the base task's verifier, so search traces go through the same verify / score
/ rewrite / assemble stages as any task.

Difficulty is ThinkLite-style: ``search_iterations`` and ``search_nodes`` to the first
verified answer (MCTS iterations; DFS/BFS count visited nodes as iterations). When the
configured search spends its budget unsolved, the effort is one more than the budget,
which ranks the problem above every one solved within it.

Every trace has at most ``max_trace_lines`` lines. When the configured search is unsolved
or its trace is longer, the solver traces a heuristic-ordered DFS of at most that many
nodes instead (``fallback`` = 1 in the stats). A problem that even this cannot trace in
the budget is skipped at generation: the next draw of the same rng takes its place, and
the payload's ``search_skipped`` (and the stat ``skipped``) counts the draws passed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from random import Random
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from generators.base import GenerationError, Instance, Solution, Task, TaskConfig
from generators.registry import get_task
from generators.search.engines import SearchResult, bfs, dfs, mcts
from generators.search.env import Environment, TaskEnvironment
from generators.search.linearize import astro, stream_of_search
from generators.search.policy import Policy
from generators.search.sos_paper import paper_trace
from schemas.config import ModelSpec
from schemas.ids import derive_seed
from schemas.records import Problem

SEARCH_STATS = ("search_iterations", "search_nodes")
PAPER = "stream_of_search_paper"
MAX_SKIPS = 50
"""Draws a problem may pass over because no search traces it within the line budget."""


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
    trace: Literal["astro", "stream_of_search", "stream_of_search_paper"] = Field(
        default="astro",
        description="ASTRO chain of thought, Stream-of-Search log, or (countdown) that log "
        "in the SoS authors' format",
    )
    backtracks: int = Field(default=2, ge=0, le=20, description="ASTRO: wrong branches shown")
    detour_plausibility: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="ASTRO: 1 takes the best-looking wrong moves as detours, 0 random ones",
    )
    max_trace_lines: int = Field(
        default=1000, ge=20, le=1_000_000, description="longest trace, in lines"
    )

    paper_format: ClassVar[bool] = False
    """Whether the task's environment can be written in the SoS authors' format."""

    @model_validator(mode="after")
    def _model_policy_has_a_model(self) -> SearchKnobs:
        if (self.policy == "model") != (self.policy_model is not None):
            raise ValueError("policy: model needs policy_model, and policy_model needs it")
        if self.value_weight and self.policy != "model":
            raise ValueError("value_weight applies to the model policy only")
        if self.trace == PAPER and not self.paper_format:
            raise ValueError(f"trace: {PAPER} is for search_countdown only")
        return self


class SearchTask(Task):
    """A base task whose reference traces come from search; subclasses name the base task
    and the environment (class and keyword options)."""

    base_task: ClassVar[str]
    environment_class: ClassVar[type[TaskEnvironment]]
    environment_options: ClassVar[dict[str, Any]] = {}

    def environment(self, problem: Problem) -> Environment:
        options = dict(self.environment_options)
        if problem.config.get("trace") == PAPER:
            options["integers"] = True  # the format writes whole numbers only
        return self.environment_class(problem, **options)

    @property
    def base(self) -> Task:
        return get_task(self.base_task)

    def generate(self, config: TaskConfig, rng: Random, index: int) -> Instance:
        knobs = config.model_dump(include=set(self.base.Config.model_fields))
        base_config = self.base.Config(**knobs)
        for skipped in range(MAX_SKIPS):
            instance = self.base.generate(base_config, rng, index)
            if self.traceable(instance, config):
                extra = {"search_skipped": skipped} if skipped else {}
                return Instance(instance.prompt, instance.answer, {**instance.payload, **extra})
        raise GenerationError(
            f"{self.name}: {MAX_SKIPS} draws in a row cannot be traced within "
            f"max_trace_lines={config.max_trace_lines}; raise max_trace_lines"  # type: ignore[attr-defined]
        )

    def traceable(self, instance: Instance, config: TaskConfig) -> bool:
        """Whether the bounded fallback search traces ``instance`` within the line budget
        (then :meth:`solve` always can)."""
        problem = Problem(
            problem_id="traceable",
            task=self.name,
            generator_version=self.version,
            seed=0,
            index=0,
            config=config.model_dump(mode="json"),
            prompt=instance.prompt,
            answer=instance.answer,
            payload=instance.payload,
        )
        knobs: SearchKnobs = config  # type: ignore[assignment]
        env = self.environment(problem)
        result = bounded_dfs(env, knobs)
        return result.solved and fits(render(env, knobs, result, 0, 0)[0], knobs)

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
        knobs: SearchKnobs = self.Config.model_validate(problem.config)  # type: ignore[assignment]
        env = self.environment(problem)
        seed = derive_seed(problem.seed, f"search:{self.name}", problem.index)
        policy = _policy(knobs)
        result = run_search(env, knobs, seed, policy)
        stats = _stats(result, knobs)
        if knobs.policy_model is not None:
            stats["model_calls"] = policy.model_calls  # type: ignore[union-attr]
        for traced, backtracks in _attempts(env, knobs, result):
            text, taken = render(env, knobs, traced, seed, backtracks)
            if fits(text, knobs):
                break
        else:
            raise RuntimeError(
                f"{self.name} problem {problem.problem_id}: no trace within "
                f"max_trace_lines={knobs.max_trace_lines}"
            )
        stats["fallback"] = int(traced is not result)
        stats["trace_lines"] = text.count("\n") + 1
        stats["skipped"] = int(problem.payload.get("search_skipped", 0))
        if knobs.trace == "astro":
            stats["backtracks"] = taken
        reasoning, _, tagged = text.rpartition("<answer>")
        answer = tagged.removesuffix("</answer>")
        return Solution(answer=answer, reasoning=reasoning.rstrip(), stats=stats)


def fits(text: str, knobs: SearchKnobs) -> bool:
    return text.count("\n") + 1 <= knobs.max_trace_lines


def bounded_dfs(env: Environment, knobs: SearchKnobs) -> SearchResult:
    """The fallback: a heuristic-ordered DFS of at most ``max_trace_lines`` nodes (each
    visit writes at least one line) and ``node_budget``."""
    return dfs(env, max_nodes=min(knobs.node_budget, knobs.max_trace_lines), ordered=True)


def _attempts(
    env: Environment, knobs: SearchKnobs, result: SearchResult
) -> Iterator[tuple[SearchResult, int]]:
    """(search, ASTRO backtracks) to trace, best first: the configured search, the bounded
    fallback, and for ASTRO the fallback's path without detours."""
    if result.solved:
        yield result, knobs.backtracks
    fallback = bounded_dfs(env, knobs)
    if fallback.solved:
        yield fallback, knobs.backtracks
        if knobs.trace == "astro" and knobs.backtracks:
            yield fallback, 0


def render(
    env: Environment, knobs: SearchKnobs, traced: SearchResult, seed: int, backtracks: int
) -> tuple[str, int]:
    """The trace text ending in ``<answer>``, and the ASTRO backtracks it takes."""
    if knobs.trace == "astro":
        trace = astro(
            env,
            traced.path_moves(),
            backtracks=backtracks,
            seed=seed,
            plausibility=knobs.detour_plausibility,
        )
        return trace.text, trace.backtracks_taken
    if knobs.trace == PAPER:
        answer = env.answer(traced.nodes[(traced.solution_path or [0])[-1]].state)
        return f"{paper_trace(traced, env)}<answer>{answer}</answer>", 0  # type: ignore[arg-type]
    return stream_of_search(traced, env), 0


def run_search(
    env: Environment, knobs: SearchKnobs, seed: int, policy: str | Policy
) -> SearchResult:
    """The configured engine on ``env`` (``policy`` drives MCTS only); the paper format is a
    DFS log, so it always runs the bounded heuristic DFS."""
    if knobs.trace == PAPER:
        return bounded_dfs(env, knobs)
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
    mcts_run = knobs.engine == "mcts" and knobs.trace != PAPER
    budget = knobs.iterations if mcts_run else knobs.node_budget
    stats: dict[str, int | float] = {
        "effort": result.iterations_to_first_solution or budget + 1,
        "tree_nodes": result.total_nodes,
    }
    if result.solved:
        stats["search_iterations"] = result.iterations_to_first_solution or 0
        stats["search_nodes"] = result.nodes_to_first_solution or 0
    return stats
