"""The distinct problems a build delivers, and the split each one goes to.

A subset's candidates are its problems ``0..count-1`` (problem ``i`` at level
``levels[i % L]``). Walking the subsets in config order and each subset's candidates in
index order, a problem is dropped when an excluded source matches it (see
``factory.quality.exclusion``), or — with ``dedup`` on — when a problem with the same prompt
(exact duplicate) or the same structural key (the task's canonical form, names and
orders normalised) was kept before anywhere in the dataset. A level left short draws
further indices of the same level (``count``, ``count + 1``, … with the same ``i % L``)
until it has its share; after ``draw_limit`` fruitless draws the build stops, naming the
subset, level and how many distinct problems it found. Everything depends only on the
config, so any number of workers gives the same problems.

Splits are stratified by level: each level's share of every split is fixed first (exact
totals per split), then a seeded shuffle says which of the level's problems goes where.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from random import Random

from factory.errors import BuildError
from factory.quality.exclusion import ExclusionSet
from factory.quality.problem_keys import exact_key64, structural_key64
from schemas.config import BuildConfig, Splits, TaskSpec
from schemas.ids import derive_seed
from schemas.records import DedupReport, Problem, SplitAssignment

EXACT = "exact"
STRUCTURAL = "structural"


class NotEnoughDistinctProblems(BuildError):
    """A level cannot make as many distinct problems as the config asks for."""


def draw_limit(quota: int) -> int:
    """Extra draws a level may make before its space counts as too small."""
    return 4 * quota + 200


class DistinctFilter:
    """The keys kept so far across the whole dataset, and the excluded sources."""

    def __init__(self, dedup: bool, exclusions: ExclusionSet | None) -> None:
        self.dedup = dedup
        self.exclusions = exclusions
        self.exact: set[int] = set()
        self.structural: set[int] = set()

    @property
    def keeps_all(self) -> bool:
        """Whether every problem passes (no dedup, no exclusions): then a subset's problems
        are its candidates, shard for shard."""
        return not self.dedup and self.exclusions is None

    def reject(self, problem: Problem) -> str | None:
        """Why ``problem`` is not emitted (``exact``, ``structural`` or ``excluded:<i>``),
        else None, and then its keys count as kept."""
        if self.keeps_all:
            return None
        structural = structural_key64(problem)
        if self.exclusions is not None:
            source = self.exclusions.match(structural, problem.prompt)
            if source is not None:
                return f"excluded:{source}"
        if not self.dedup:
            return None
        exact = exact_key64(problem)
        if exact in self.exact:
            return EXACT
        if structural in self.structural:
            return STRUCTURAL
        self.exact.add(exact)
        self.structural.add(structural)
        return None


def level_quotas(spec: TaskSpec) -> list[int]:
    """Problems per level position ``p`` (levels[p]) among indices ``0..count-1``."""
    positions = len(spec.levels) if spec.levels else 1
    return [spec.count // positions + (p < spec.count % positions) for p in range(positions)]


def distinct_problems(
    spec: TaskSpec,
    candidates: Iterable[Problem],
    make: Callable[[int], Problem],
    keep: DistinctFilter,
    report: DedupReport,
) -> Iterator[Problem]:
    """The subset's ``count`` distinct problems in index order: the candidates that pass
    ``keep``, then further draws (``make(index)``) for the levels left short."""
    quotas = level_quotas(spec)
    kept = [0] * len(quotas)
    drawn = [0] * len(quotas)

    def admit(problem: Problem) -> bool:
        position = problem.index % len(quotas)
        drawn[position] += 1
        report.drawn += 1
        reason = keep.reject(problem)
        if reason is not None:
            report.removed[reason] = report.removed.get(reason, 0) + 1
            return False
        kept[position] += 1
        report.kept += 1
        return True

    for problem in candidates:
        if admit(problem):
            yield problem
    index = spec.count
    while any(k < q for k, q in zip(kept, quotas, strict=True)):
        position = index % len(quotas)
        if kept[position] < quotas[position]:
            if drawn[position] - quotas[position] >= draw_limit(quotas[position]):
                raise NotEnoughDistinctProblems(_too_few(spec, position, kept, drawn, quotas))
            problem = make(index)
            if admit(problem):
                yield problem
        index += 1


def _too_few(
    spec: TaskSpec, position: int, kept: list[int], drawn: list[int], quotas: list[int]
) -> str:
    level = spec.levels[position] if spec.levels else "default"
    return (
        f"{spec.subset} ({spec.task}) level {level}: only {kept[position]} distinct problems "
        f"in {drawn[position]} draws, {quotas[position]} asked; lower its count, choose "
        "other levels or knobs, or set `dedup: false`"
    )


def split_labels(config: BuildConfig, spec: TaskSpec) -> list[list[str]]:
    """For each level position, the split of its r-th kept problem (exact split totals)."""
    quotas = level_quotas(spec)
    targets = _split_counts(config.splits_of(spec), spec.count)
    assigned = dict.fromkeys(targets, 0)
    placed = 0
    labels = []
    for position, quota in enumerate(quotas):
        level_labels = []
        for _ in range(quota):
            placed += 1
            name = max(
                (n for n in targets if assigned[n] < targets[n]),
                key=lambda n: targets[n] * placed / spec.count - assigned[n],
            )
            assigned[name] += 1
            level_labels.append(name)
        Random(derive_seed(config.seed, f"{spec.subset}/splits", position)).shuffle(level_labels)
        labels.append(level_labels)
    return labels


class SplitAssigner:
    """The split of each kept problem of a subset, given in index order."""

    def __init__(self, config: BuildConfig, spec: TaskSpec, report: DedupReport) -> None:
        self.labels = split_labels(config, spec)
        self.ranks = [0] * len(self.labels)
        self.report = report

    def __call__(self, problem: Problem) -> SplitAssignment:
        return self.assign(problem.problem_id, problem.index)

    def assign(self, problem_id: str, index: int) -> SplitAssignment:
        position = index % len(self.labels)
        split = self.labels[position][self.ranks[position]]
        self.ranks[position] += 1
        self.report.splits[split] = self.report.splits.get(split, 0) + 1
        return SplitAssignment(problem_id=problem_id, split=split)


def in_shards(problems: Iterable[Problem], size: int) -> Iterator[list[Problem]]:
    """``problems`` in consecutive lists of ``size`` (the last may be shorter)."""
    shard: list[Problem] = []
    for problem in problems:
        shard.append(problem)
        if len(shard) == size:
            yield shard
            shard = []
    if shard:
        yield shard


def _split_counts(splits: Splits, count: int) -> dict[str, int]:
    """Counts as given, or fractions of ``count`` by largest remainder (ties: config order)."""
    if all(isinstance(size, int) for size in splits.values()):
        return {name: int(size) for name, size in splits.items()}
    exact = {name: size * count for name, size in splits.items()}
    counts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda n: exact[n] - counts[n], reverse=True)
    for name in by_remainder[: count - sum(counts.values())]:
        counts[name] += 1
    return counts
