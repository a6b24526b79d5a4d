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
    share one rank and a lone problem sits at 0.5. Ranks are taken within one task (a
    subset): effort units differ per task (search nodes, SAT decisions, …) and span
    orders of magnitude with long tails; a rank makes "harder than 80% of this task's
    problems" comparable across tasks and is unmoved by outliers.
    """
    if any(math.isnan(effort) for effort in efforts):
        raise ValueError("solver effort must be a number, not NaN")
    ordered = sorted(efforts)

    def rank(effort: float) -> float:
        below = bisect_left(ordered, effort)
        equal = bisect_right(ordered, effort) - below
        return (below + equal / 2) / len(ordered)

    return [rank(effort) for effort in efforts]
