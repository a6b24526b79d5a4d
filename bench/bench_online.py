"""Online generation for RL and the adaptive curriculum, in figures.

Run: ``python bench/bench_online.py [--seconds S] [--workers N] [--seeds K]``.

1. Prompts per second of the quickstart mix (``configs/quickstart.yaml``: subsets weighted
   by count, levels round-robin, dedup on): per subset and for the mix, this process
   pinned to one core; then TRL rows (prompt + ground truth) on one core; then the mix
   made ahead by ``--workers`` spawned processes (``workers=N``), wall-clock.
2. The curriculum on a simulated learner whose pass rate is ``sigmoid(skill - level)``
   (``tests/test_curriculum.py``), 16 rollouts per subset per update, band 0.3–0.7,
   window 64, a decision every 32 rollouts: updates until every subset's true pass rate
   sits in the band (from level 1), the share of later updates in the band, and how an
   improving learner (skill 1.5 + update/40) is followed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import factory as rf  # noqa: E402
from factory.api import rows  # noqa: E402
from tests.test_curriculum import SKILLS, in_band, simulate  # noqa: E402

QUICKSTART = REPO / "configs" / "quickstart.yaml"


def rate(items: Iterable[object], seconds: float) -> float:
    """Items per second drawn from ``items`` within about ``seconds``."""
    iterator = iter(items)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        next(iterator)
        count += 1
    return count / (time.perf_counter() - start)


def generation(seconds: float, workers: int) -> None:
    source = rf.from_config(QUICKSTART, endless=True)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print("prompts per second, one core (quickstart levels round-robin, dedup on)")
    for spec in source.config.tasks:
        alone = rf.from_config(source.config.model_copy(update={"tasks": [spec]}), endless=True)
        print(f"  {spec.subset:<20} {rate(alone.stream(), seconds):>8,.0f}")
    print(f"  {'mix':<20} {rate(source.stream(), seconds):>8,.0f}")
    print(f"  {'mix as TRL rows':<20} {rate(rows(source.stream()), seconds):>8,.0f}")
    os.sched_setaffinity(0, range(os.cpu_count() or 1))
    pooled = rf.from_config(QUICKSTART, endless=True, workers=workers)
    with pooled.stream() as stream:
        rate(stream, 1.0)  # workers start (spawn) and fill their queues
        print(f"  {f'mix, {workers} workers':<20} {rate(stream, seconds):>8,.0f} (wall clock)")


def curriculum(seeds: int) -> None:
    print("curriculum on a simulated learner (16 rollouts per subset per update)")
    reached, shares = [], []
    for seed in range(seeds):
        rates = simulate(rf.Curriculum(list(SKILLS)), lambda s, _: SKILLS[s], 150, seed=seed)
        first = next(i for i, r in enumerate(rates) if in_band(r)) + 1
        reached.append(first)
        shares.append(sum(map(in_band, rates[first:])) / len(rates[first:]))
    print(f"  skills {SKILLS}, start level 1, {seeds} seeds:")
    print(
        f"  updates until every subset is in the band: median {statistics.median(reached)}, "
        f"max {max(reached)}; later updates in the band: {statistics.mean(shares):.0%}"
    )
    tracked = []
    for seed in range(seeds):
        learner = rf.Curriculum(["learner"])
        rates = simulate(learner, lambda _, t: 1.5 + t / 40, 300, seed=seed)
        tracked.append(sum(map(in_band, rates[60:])) / len(rates[60:]))
    print(
        f"  improving learner (skill 1.5 -> 9.0 over 300 updates): in the band "
        f"{statistics.mean(tracked):.0%} of updates 60-300, final level {learner.level('learner')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    generation(args.seconds, args.workers)
    curriculum(args.seeds)


if __name__ == "__main__":
    main()
