"""Generation throughput of the SynLogic tasks on one core, at levels 1, 5 and 10.

Run: ``python bench/bench_synlogic.py [--seconds S] [--tails N] [TASK ...]``. Each figure
is the number of problems ``make_problem`` finishes (answer proven, uniqueness where
promised) per wall-clock second in this single process. The issues' floors: every task
≥ 50/s at level 10; sudoku (unique, ≤ 25 clues at level 10) ≥ 100/s; web_of_lies with
18 people ≥ 200/s (printed as an extra line).

``--tails N`` then times N level-10 problems one by one per task and prints the median
and 99th-percentile time per problem: no heavy tails means p99 ≤ 20 × p50 (issue 18).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import make_problem  # noqa: E402
from generators.registry import get_task, synlogic_task_names  # noqa: E402

LEVELS = (1, 5, 10)
# (task, level, knob overrides, floor): figures the issues name besides the level table.
EXTRA_CASES = [("web_of_lies", 9, {"people": 18}, 200)]
TAIL_RATIO = 20  # p99 / p50 ceiling at level 10


def problems_per_second(
    task_name: str, level: int, seconds: float, knobs: dict | None = None
) -> float:
    task = get_task(task_name)
    config = task.config_for_level(level, knobs)
    make_problem(task, config, 0, 0, level)  # warm caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        make_problem(task, config, 1, count, level)
        count += 1
    return count / elapsed


def level_10_tail(task_name: str, count: int) -> tuple[float, float]:
    """(p50, p99) seconds per level-10 problem over ``count`` consecutive indices, in CPU
    time of this process: on a shared machine a preempted problem would otherwise look
    like a tail (a scheduler slice is ~10 ms, far above many tasks' median)."""
    task = get_task(task_name)
    config = task.config_for_level(10)
    make_problem(task, config, 0, 0, 10)  # warm caches
    times = []
    for index in range(count):
        start = time.process_time()
        make_problem(task, config, 2, index, 10)
        times.append(time.process_time() - start)
    times.sort()
    return statistics.median(times), times[min(count - 1, round(0.99 * (count - 1)))]


def print_tails(names: list[str], count: int) -> None:
    print(f"\n{'task (level 10)':<32}{'p50 ms':>10}{'p99 ms':>10}{'p99/p50':>9}  tail")
    for name in names:
        p50, p99 = level_10_tail(name, count)
        ratio = p99 / p50
        status = "ok" if ratio <= TAIL_RATIO else f"HEAVY (> {TAIL_RATIO}x)"
        print(f"{name:<32}{p50 * 1e3:>10.2f}{p99 * 1e3:>10.2f}{ratio:>9.1f}  {status}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per task and level")
    parser.add_argument(
        "--tails", type=int, default=0, help="also time N level-10 problems per task (p50/p99)"
    )
    parser.add_argument("--tails-only", action="store_true", help="skip the throughput table")
    parser.add_argument("tasks", nargs="*", help="default: every SynLogic task")
    args = parser.parse_args()
    names = args.tasks or synlogic_task_names()
    if args.tails_only:
        print_tails(names, args.tails or 200)
        return
    print(f"{'task':<32}" + "".join(f"{f'level {level}':>12}" for level in LEVELS) + "  floor")
    for name in names:
        rates = [problems_per_second(name, level, args.seconds) for level in LEVELS]
        floor = 100 if name == "sudoku" else 50
        status = "ok" if rates[-1] >= floor else f"BELOW {floor}/s"
        row = "".join(f"{rate:>12.1f}" for rate in rates)
        print(f"{name:<32}{row}  {status}", flush=True)
    for name, level, knobs, floor in EXTRA_CASES:
        if name in names:
            rate = problems_per_second(name, level, args.seconds, knobs)
            status = "ok" if rate >= floor else f"BELOW {floor}/s"
            print(f"{name} level {level} with {knobs}: {rate:.1f}/s  {status}", flush=True)
    if args.tails:
        print_tails(names, args.tails)


if __name__ == "__main__":
    main()
