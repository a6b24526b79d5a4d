"""What the publish step spends per problem: structural keys, the audit, Arrow decoding.

Run: ``python bench/bench_publish_parts.py [--per-level N] [--rounds N]``. Makes N problems
per subset and level of the quick start's config (as its build would) and times, best of
``--rounds`` in CPU seconds: each task's ``structural_key`` over its problems, the audit's count
of structural duplicates (``structural_duplicates``: keys only where the task's invariant
repeats), the whole audit (``factory.quality.audit.audit``, structural duplicates included,
as a build without dedup runs it), and ``schemas.arrow.from_table`` decoding the problems
back from their Arrow table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factory.config import load_build_config  # noqa: E402
from factory.quality.audit import (  # noqa: E402
    Sample,
    audit,
    config_samples,
    structural_duplicates,
)
from schemas.arrow import from_table, to_table  # noqa: E402
from schemas.records import Problem  # noqa: E402

QUICKSTART = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"


def best_of(rounds: int, run: Callable[[], object]) -> float:
    """The fastest of ``rounds`` runs, in CPU seconds of this process (steadier than wall
    time on a loaded machine; everything timed here runs in this one thread)."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def line(label: str, seconds: float, n: int) -> str:
    return f"  {label:<32} {seconds:7.3f} s  {1e6 * seconds / n:8.1f} µs/problem"


def key_times(samples: list[Sample], rounds: int) -> dict[str, tuple[int, float]]:
    """Per task: how many problems, and the seconds their structural keys take."""
    by_task: dict[str, list[Sample]] = {}
    for sample in samples:
        by_task.setdefault(sample.task.name, []).append(sample)
    figures = {}
    for name, group in by_task.items():
        pairs = [(s.task, p) for s in group for p in s.problems]
        seconds = best_of(rounds, lambda pairs=pairs: [t.structural_key(p) for t, p in pairs])
        figures[name] = (len(pairs), seconds)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-level", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    config = load_build_config(str(QUICKSTART))
    samples = config_samples(config, args.per_level)
    problems = [p for s in samples for p in s.problems]
    print(f"{len(problems)} problems ({args.per_level} per subset and level), CPU seconds")
    for name, (n, seconds) in key_times(samples, args.rounds).items():
        print(line(f"structural_key {name}", seconds, n))
    seconds = best_of(
        args.rounds, lambda: [structural_duplicates(s.task, s.problems) for s in samples]
    )
    print(line("structural duplicates (all)", seconds, len(problems)))
    seconds = best_of(args.rounds, lambda: audit(samples, config.audit))
    print(line("audit (all groups)", seconds, len(problems)))
    table = to_table(problems, Problem)
    seconds = best_of(args.rounds, lambda: from_table(table, Problem))
    print(line("from_table (Problem)", seconds, len(problems)))


if __name__ == "__main__":
    main()
