"""The domain work of each build stage, on one shard; the Luigi tasks only wire these."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyarrow as pa

from factory.scoring.difficulty import PASS_THRESHOLD, coefficient_of_variation, pass_rate
from factory.storage.layout import level_of, shard_indices
from generators.base import make_problem
from generators.registry import get_task
from schemas.arrow import decode_json
from schemas.config import BuildConfig, TaskSpec
from schemas.ids import trace_id
from schemas.records import Problem, Scores, Trace, Verdict

SOLVER = "solver"


def problem_maker(config: BuildConfig, spec: TaskSpec) -> Callable[[int], Problem]:
    """``index → problem`` of a subset, with each level's task config built once."""
    task = get_task(spec.task)
    configs: dict[int | None, object] = {}

    def make(index: int) -> Problem:
        level = level_of(spec, index)
        if level not in configs:
            configs[level] = task.config_for_level(level, spec.knobs)
        return make_problem(task, configs[level], config.seed, index, level, spec.subset)

    return make


def generate_shard(config: BuildConfig, spec: TaskSpec, shard: int) -> list[Problem]:
    """Candidates ``shard * shard_size …`` of a subset, before dedup."""
    make = problem_maker(config, spec)
    return [make(index) for index in shard_indices(spec, config.shard_size, shard)]


def reference_trace(problem: Problem) -> Trace:
    """The generator's own solver as the producer: its reasoning and answer as a trace."""
    solution = get_task(problem.task).solve(problem)
    return Trace(
        trace_id=trace_id(problem.problem_id, SOLVER, None, {}, 0),
        problem_id=problem.problem_id,
        producer=SOLVER,
        text=solution.trace_text(),
        answer=solution.answer,
        finish_reason="stop",
        solver_stats=solution.stats,
    )


def verify_trace(problem: Problem, trace: Trace) -> Verdict:
    if trace.error is not None:
        return Verdict(
            problem_id=problem.problem_id,
            trace_id=trace.trace_id,
            score=0.0,
            passed=False,
            reason=f"request failed: {trace.error}",
        )
    verdict = get_task(problem.task).verify(problem, trace.text)
    return verdict.model_copy(update={"trace_id": trace.trace_id})


@dataclass(frozen=True)
class SelfCheck:
    traces: list[Trace]
    verdicts: list[Verdict]

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]


def solve_and_self_check(problems: list[Problem]) -> SelfCheck:
    traces = [reference_trace(p) for p in problems]
    verdicts = [verify_trace(p, t) for p, t in zip(problems, traces, strict=True)]
    return SelfCheck(traces, verdicts)


# What scoring reads of each solver stage: a few columns, never the problems' payloads.
SCORE_INPUTS = {
    "problems": ["problem_id", "task", "level"],
    "traces": ["trace_id", "problem_id", "producer", "text", "solver_stats"],
    "verdicts": ["trace_id", "passed"],
}


def score_shard(
    problems: pa.Table,
    traces: pa.Table,
    verdicts: pa.Table,
    teacher_verdicts: Iterable[Verdict] = (),
    pass_threshold: float = PASS_THRESHOLD,
) -> list[Scores]:
    """Join on ids (never on row order): one Scores row per problem, with the teacher's
    pass rate and its coefficient of variation when teacher samples were verified.

    The inputs are the stage tables with (at least) the :data:`SCORE_INPUTS` columns."""
    trace_ids, problem_ids, producers, texts, stats_texts = (
        column.to_pylist() for column in traces.select(SCORE_INPUTS["traces"]).columns
    )
    # the last solver trace of each problem, as a dict of rows would keep it
    solver_trace = {
        problem_id: i
        for i, (problem_id, producer) in enumerate(zip(problem_ids, producers, strict=True))
        if producer == SOLVER
    }
    passed_of = dict(
        zip(verdicts["trace_id"].to_pylist(), verdicts["passed"].to_pylist(), strict=True)
    )
    samples: dict[str, list[float]] = {}
    for verdict in teacher_verdicts:
        samples.setdefault(verdict.problem_id, []).append(verdict.score)
    scores = []
    for problem_id, task, level in zip(
        *(column.to_pylist() for column in problems.select(SCORE_INPUTS["problems"]).columns),
        strict=True,
    ):
        sample_scores = samples.get(problem_id, [])
        i = solver_trace[problem_id]
        text, stats = texts[i], decode_json(stats_texts[i])
        scores.append(
            Scores(
                problem_id=problem_id,
                task=task,
                level=level,
                solver_effort=float(stats.get("effort", 0)),
                solver_stats=stats,
                reference_chars=len(text),
                reference_steps=reference_steps(text),
                reference_passed=passed_of[trace_ids[i]],
                samples=len(sample_scores),
                pass_rate=pass_rate(sample_scores, pass_threshold) if sample_scores else None,
                pass_cv=coefficient_of_variation(sample_scores) if sample_scores else None,
                search_iterations=stats.get("search_iterations"),
                search_nodes=stats.get("search_nodes"),
            )
        )
    return scores


def reference_steps(text: str) -> int:
    """The non-blank lines of a trace's reasoning (its text before the last ``<answer>``)."""
    return len(list(filter(None, map(str.strip, text.rsplit("<answer>", 1)[0].splitlines()))))
