"""Which problems a difficulty-graded corpus keeps.

Per subset: every problem gets its pass-rate bucket and its solver effort's percentile
within the subset; buckets in ``drop`` are left out; a bucket with a quota keeps its
most mixed-outcome problems first (highest coefficient of variation: DeepDistill finds
them the most valuable), ties broken by problem id so the choice is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from factory.scoring.difficulty import effort_percentiles
from schemas.grading import GradingConfig
from schemas.records import Selection


@dataclass(frozen=True)
class Graded:
    problem_id: str
    subset: str
    pass_rate: float
    cv: float | None
    effort: float


def select_problems(problems: Sequence[Graded], grading: GradingConfig) -> list[Selection]:
    by_subset: dict[str, list[Graded]] = {}
    for problem in problems:
        by_subset.setdefault(problem.subset, []).append(problem)
    selections = []
    for subset in sorted(by_subset):
        members = by_subset[subset]
        percentiles = effort_percentiles([p.effort for p in members])
        bucket_of = {p.problem_id: grading.buckets.bucket(p.pass_rate) for p in members}
        kept = _kept(members, bucket_of, grading)
        for problem, percentile in zip(members, percentiles, strict=True):
            bucket = bucket_of[problem.problem_id]
            selections.append(
                Selection(
                    problem_id=problem.problem_id,
                    subset=subset,
                    difficulty=bucket,
                    effort_percentile=round(percentile, 6),
                    selected=problem.problem_id in kept,
                    reason=_reason(problem.problem_id in kept, bucket, grading),
                )
            )
    return selections


def shortfall(selections: Sequence[Selection], grading: GradingConfig) -> str | None:
    """Why the selection is too small to publish (fewer than ``grading.min_problems``),
    naming each dropped bucket with the problems it held; None when it is large enough."""
    kept = sum(s.selected for s in selections)
    if kept >= grading.min_problems:
        return None
    held = {bucket: 0 for bucket in grading.drop}
    capped: dict[str, int] = {}
    for selection in selections:
        if selection.difficulty in held:
            held[selection.difficulty] += 1
        elif not selection.selected:
            capped[selection.difficulty] = capped.get(selection.difficulty, 0) + 1
    dropped = ", ".join(f"{bucket} held {count}" for bucket, count in held.items()) or "none"
    over = "".join(f"; over the {b} quota: {n}" for b, n in sorted(capped.items()))
    return (
        f"grading: the selection keeps {kept} of {len(selections)} problems, fewer than "
        f"min_problems {grading.min_problems}; dropped buckets: {dropped}{over}"
    )


def _kept(members: list[Graded], bucket_of: dict[str, str], grading: GradingConfig) -> set[str]:
    kept: set[str] = set()
    for bucket in grading.buckets.names():
        if bucket in grading.drop:
            continue
        candidates = [p for p in members if bucket_of[p.problem_id] == bucket]
        candidates.sort(key=lambda p: (-(p.cv or 0.0), p.problem_id))
        quota = grading.quotas.get(bucket, len(candidates))
        kept.update(p.problem_id for p in candidates[:quota])
    return kept


def _reason(selected: bool, bucket: str, grading: GradingConfig) -> str:
    if selected:
        return f"kept ({bucket})"
    if bucket in grading.drop:
        return f"bucket {bucket} is dropped"
    return f"over the {bucket} quota of {grading.quotas[bucket]}"
