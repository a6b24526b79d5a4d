"""Throughput of the math and graph families on one core.

Run: ``python bench/bench_families.py [--seconds S] [--families math,graphs] [--tasks a,b]``.
For every task of the families (found through the registry, so tasks added later are
picked up), prints problems/s at levels 1, 5 and 10 with the p50 and p99 milliseconds of
one ``make_problem``, and the verifier's evaluations/s on the oracle answer wrapped in
``<answer>`` tags (``task.verify``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import make_problem  # noqa: E402
from generators.registry import get_task, task_family, task_names  # noqa: E402

LEVELS = (1, 5, 10)


def timings(task, level: int, seconds: float) -> list[float]:
    """Seconds per ``make_problem`` for as many indices as fit in ``seconds``."""
    config = task.config_for_level(level)
    make_problem(task, config, 0, 0, level)  # warm caches
    found, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds:
        begin = time.perf_counter()
        make_problem(task, config, 1, len(found), level)
        found.append(time.perf_counter() - begin)
    return found


def verifications_per_second(task, level: int, seconds: float) -> float:
    config = task.config_for_level(level)
    problems = [make_problem(task, config, 2, i, level) for i in range(20)]
    texts = [f"Reasoning.\n<answer>{p.answer}</answer>" for p in problems]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        i = count % len(problems)
        assert task.verify(problems[i], texts[i]).passed
        count += 1
    return count / (time.perf_counter() - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--families", default="math,graphs")
    parser.add_argument("--tasks", default=None, help="comma-separated subset")
    args = parser.parse_args()
    families = set(args.families.split(","))
    names = [n for n in task_names() if task_family(n) in families]
    if args.tasks:
        names = [n for n in names if n in args.tasks.split(",")]
    header = f"{'family':<7} {'task':<24} {'level':>5} {'problems/s':>11} {'p50 ms':>8}"
    print(header + f" {'p99 ms':>8} {'verify/s':>9}")
    for name in names:
        task = get_task(name)
        for level in LEVELS:
            if level not in task.LEVELS:
                continue
            try:
                times = timings(task, level, args.seconds)
            except Exception as error:  # another family's generator failing must not stop us
                print(f"{task_family(name):<7} {name:<24} {level:>5} failed: {error}", flush=True)
                continue
            rate = len(times) / sum(times)
            p50, p99 = statistics.median(times) * 1e3, percentile(times, 0.99) * 1e3
            verify = verifications_per_second(task, level, args.seconds / 2)
            print(
                f"{task_family(name):<7} {name:<24} {level:>5} {rate:>11.0f} {p50:>8.2f} "
                f"{p99:>8.2f} {verify:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
