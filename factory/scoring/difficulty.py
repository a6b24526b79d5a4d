"""Difficulty of a problem: empirical pass rate, its spread, a bucket, normalised effort.

Follows DeepDistill: sample a problem ``n`` times, verify each sample, and read
difficulty off the pass rate; the coefficient of variation (population σ/μ) of the
scores marks mixed-outcome problems, the most valuable ones for training.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from schemas.grading import DifficultyBuckets

PASS_THRESHOLD = 0.99  # exact tasks score 0 or 1; partial credit below this is a fail


def pass_rate(scores: Sequence[float], threshold: float = PASS_THRESHOLD) -> float:
    """Share of samples whose verifier score is at least ``threshold``."""
    if not scores:
        raise ValueError("pass_rate needs at least one score")
    return sum(score >= threshold for score in scores) / len(scores)


def coefficient_of_variation(scores: Sequence[float]) -> float | None:
    """Population σ/μ of the scores (for 0/1 scores: sqrt((1 − p)/p)).

    ``None`` when μ = 0 (every sample scored 0): the ratio is undefined there, and such a
    problem is told apart by its pass rate (never solved), not by its spread.
    """
    if not scores:
        raise ValueError("coefficient_of_variation needs at least one score")
    mean = statistics.fmean(scores)
    if mean == 0:
        return None
    return statistics.pstdev(scores, mu=mean) / mean


def effort_percentiles(efforts: Sequence[float]) -> list[float]:
    """Percentile rank of each effort among ``efforts``, as a fraction in (0, 1).

    Mid-rank definition: (number below + half the number equal) / n, so tied efforts
    share one rank and a lone problem sits at 0.5.
    """
    if any(math.isnan(effort) for effort in efforts):
        raise ValueError("solver effort must be a number, not NaN")
    ordered = sorted(efforts)

    def rank(effort: float) -> float:
        below = bisect_left(ordered, effort)
        equal = bisect_right(ordered, effort) - below
        return (below + equal / 2) / len(ordered)

    return [rank(effort) for effort in efforts]


def normalised_effort(efforts_by_task: dict[str, Sequence[float]]) -> dict[str, list[float]]:
    """Each task's solver efforts as percentile ranks within that task, same order.

    Percentiles, not raw counts or z-scores: effort units differ per task (search nodes,
    SAT decisions, …) and span orders of magnitude between tasks and levels, with long
    tails; ranks make "harder than 80% of this task's problems" comparable across
    tasks and are unmoved by outliers.
    """
    return {task: effort_percentiles(efforts) for task, efforts in efforts_by_task.items()}


class ProblemDifficulty(BaseModel):
    """Difficulty figures of one problem, joined to the rest on ``problem_id``."""

    model_config = ConfigDict(extra="forbid")

    problem_id: str
    level: int | None
    solver_effort: float
    effort_percentile: float = Field(ge=0.0, le=1.0, description="within the problem's task")
    samples: int = Field(ge=1, description="verified samples behind pass_rate and cv")
    pass_rate: float = Field(ge=0.0, le=1.0)
    cv: float | None = Field(description="population σ/μ of the scores; None when μ = 0")
    bucket: str
    mcts_iterations: int | None = Field(
        default=None,
        ge=1,
        description="search iterations to the first correct rollout; plugs in when "
        "search traces exist",
    )


def grade(
    problem_id: str,
    level: int | None,
    solver_effort: float,
    effort_percentile: float,
    scores: Sequence[float],
    buckets: DifficultyBuckets | None = None,
    threshold: float = PASS_THRESHOLD,
) -> ProblemDifficulty:
    """One problem's record from its verifier scores."""
    rate = pass_rate(scores, threshold)
    return ProblemDifficulty(
        problem_id=problem_id,
        level=level,
        solver_effort=solver_effort,
        effort_percentile=effort_percentile,
        samples=len(scores),
        pass_rate=rate,
        cv=coefficient_of_variation(scores),
        bucket=(buckets or DifficultyBuckets()).bucket(rate),
    )
