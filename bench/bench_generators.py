"""Generation throughput on one core: problems/s for Knights & Knaves and NLSat.

Run: ``python bench/bench_generators.py [--seconds S]``. Each figure is the number of
problems ``make_problem`` finishes (uniqueness/label proven) per wall-clock second in
this single process. The public K&K generator's speed measured on this machine
(ALGORITHMS.md) is printed alongside: ~70/s at n=8 and ~11–23/s at n=10.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import make_problem  # noqa: E402
from generators.registry import get_task  # noqa: E402

PUBLIC_KK_PER_SECOND = {8: 70.0}

CASES = [
    ("knights_knaves", {"n_people": 4, "depth": 2, "width": 2}),
    ("knights_knaves", {"n_people": 8, "depth": 2, "width": 2}),
    ("knights_knaves", {"n_people": 12, "depth": 2, "width": 2}),
    ("knights_knaves", {"n_people": 16, "depth": 2, "width": 2}),
    ("nlsat", {"n_vars": 12, "alpha": 4.26, "question": "consistency"}),
    ("nlsat", {"n_vars": 20, "alpha": 4.26, "question": "consistency"}),
    ("nlsat", {"n_vars": 12, "alpha": 4.26, "question": "assignment"}),
    ("nlsat", {"n_vars": 20, "alpha": 4.26, "question": "assignment"}),
]


def problems_per_second(task_name: str, knobs: dict, seconds: float) -> float:
    task = get_task(task_name)
    config = task.config_for_level(None, knobs)
    make_problem(task, config, 0, 0)  # warm caches (masks, word lists)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        make_problem(task, config, 1, count)
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case")
    args = parser.parse_args()
    print(f"{'task':<16} {'knobs':<52} {'problems/s':>11}  vs public")
    for task_name, knobs in CASES:
        rate = problems_per_second(task_name, knobs, args.seconds)
        public = PUBLIC_KK_PER_SECOND.get(knobs.get("n_people", 0))
        ratio = (
            f"{rate / public:6.1f}x of ~{public:.0f}/s"
            if task_name == "knights_knaves" and public
            else ""
        )
        knob_text = ", ".join(f"{k}={v}" for k, v in knobs.items())
        print(f"{task_name:<16} {knob_text:<52} {rate:>11.1f}  {ratio}", flush=True)


if __name__ == "__main__":
    main()
