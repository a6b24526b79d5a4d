"""Generation throughput and tails on one core: problems/s, p50 and p99 ms per problem.

Run: ``python bench/bench_generators.py [--seconds S]``. Each case times ``make_problem``
(uniqueness/label proven) one problem at a time, in CPU seconds of this single process,
so other processes on the machine inflate the figures little. ``p99/p50`` shows the heavy
tail; issue 18 asks for p99 ≤ 20 × p50 at level 10 for knights_knaves and sudoku, and
≤ 20 ms per problem for knights_knaves at 20 people (both flagged when missed). The
public K&K generator's speed measured on this machine (ALGORITHMS.md) is printed
alongside: ~70/s at n=8.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import make_problem  # noqa: E402
from generators.registry import get_task  # noqa: E402

PUBLIC_KK_PER_SECOND = {8: 70.0}
TAIL_LIMIT = 20.0  # p99 / p50 at level 10 (knights_knaves, sudoku)
KK20_MS = 20.0  # knights_knaves at 20 people: ms per problem (median)

# (task, level or None, knob overrides)
CASES: list[tuple[str, int | None, dict[str, Any]]] = [
    ("knights_knaves", None, {"n_people": 4, "depth": 2, "width": 2}),
    ("knights_knaves", None, {"n_people": 8, "depth": 2, "width": 2}),
    ("knights_knaves", None, {"n_people": 12, "depth": 2, "width": 2}),
    ("knights_knaves", None, {"n_people": 16, "depth": 2, "width": 2}),
    ("knights_knaves", None, {"n_people": 20, "depth": 2, "width": 2}),
    ("knights_knaves", None, {"n_people": 20, "depth": 3, "width": 3}),
    ("knights_knaves", 10, {}),
    ("sudoku", 1, {}),
    ("sudoku", 10, {}),
    ("sudoku", None, {"clues": 22}),
    ("nlsat", None, {"n_vars": 12, "alpha": 4.26, "question": "consistency"}),
    ("nlsat", None, {"n_vars": 20, "alpha": 4.26, "question": "consistency"}),
    ("nlsat", None, {"n_vars": 12, "alpha": 4.26, "question": "assignment"}),
    ("nlsat", None, {"n_vars": 20, "alpha": 4.26, "question": "assignment"}),
]


def problem_times(task_name: str, level: int | None, knobs: dict, seconds: float) -> list[float]:
    """CPU seconds of each problem made in ``seconds`` (at least 100 problems)."""
    task = get_task(task_name)
    config = task.config_for_level(level, knobs)
    make_problem(task, config, 0, 0, level)  # warm caches (masks, word lists, tables)
    times: list[float] = []
    start = time.process_time()
    while time.process_time() - start < seconds or len(times) < 100:
        began = time.process_time()
        make_problem(task, config, 1, len(times), level)
        times.append(time.process_time() - began)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def verdict(task_name: str, level: int | None, knobs: dict, p50: float, p99: float) -> str:
    flags = []
    if level == 10 and task_name in ("knights_knaves", "sudoku") and p99 > TAIL_LIMIT * p50:
        flags.append(f"TAIL > {TAIL_LIMIT:g}x")
    if task_name == "knights_knaves" and knobs.get("n_people") == 20 and p50 * 1e3 > KK20_MS:
        flags.append(f"SLOW > {KK20_MS:g} ms")
    public = PUBLIC_KK_PER_SECOND.get(knobs.get("n_people", 0))
    if task_name == "knights_knaves" and public and p50 > 0:
        flags.append(f"{1 / p50 / public:.1f}x of public ~{public:g}/s")
    return "  ".join(flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU time per case")
    parser.add_argument("tasks", nargs="*", help="only these tasks (default: all cases)")
    args = parser.parse_args()
    header = f"{'task':<16} {'level/knobs':<46} {'problems/s':>10} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{header} {'p99/p50':>8}  notes")
    for task_name, level, knobs in CASES:
        if args.tasks and task_name not in args.tasks:
            continue
        times = problem_times(task_name, level, knobs, args.seconds)
        p50, p99 = statistics.median(times), percentile(times, 0.99)
        rate = len(times) / sum(times)
        label = ", ".join(
            [*([f"L{level}"] if level else []), *(f"{k}={v}" for k, v in knobs.items())]
        )
        notes = verdict(task_name, level, knobs, p50, p99)
        print(
            f"{task_name:<16} {label:<46} {rate:>10.1f} {p50 * 1e3:>8.2f} {p99 * 1e3:>8.2f}"
            f" {p99 / p50:>8.1f}  {notes}",
            flush=True,
        )


if __name__ == "__main__":
    main()
