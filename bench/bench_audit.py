"""The answer-space audit of every task, and structural-key (dedup) throughput.

Run: ``python bench/bench_audit.py [--per-level N] [--levels 1,5,10] [--tasks a,b]
[--out FILE]``. For each task, N problems per level are made as a build with seed 0 would
make them, and audited (``factory.quality.audit``): best constant, trivial strategies, another
problem's answer, label balance, duplicates. Prints the audit table (also written to
``--out``), the seconds each task took to generate and audit, and how many structural
keys per second each task computes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factory.quality.audit import audit, config_samples, render_audit  # noqa: E402
from generators.registry import task_names  # noqa: E402
from schemas.audit import AuditThresholds  # noqa: E402
from schemas.config import BuildConfig, TaskSpec  # noqa: E402


def keys_per_second(samples: list) -> float:
    problems = [(s.task, p) for s in samples for p in s.problems]
    start = time.perf_counter()
    for task, problem in problems:
        task.structural_key(problem)
    return len(problems) / max(time.perf_counter() - start, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-level", type=int, default=1000)
    parser.add_argument("--levels", default="1,5,10")
    parser.add_argument("--tasks", default=None, help="comma-separated (default: every task)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    names = args.tasks.split(",") if args.tasks else task_names()
    thresholds, audits = AuditThresholds(), []
    print(f"{'task':<32} {'generate s':>10} {'audit s':>8} {'keys/s':>9}", file=sys.stderr)
    for name in names:
        config = BuildConfig(
            name="audit-bench", tasks=[TaskSpec(task=name, count=1, levels=levels)]
        )
        start = time.perf_counter()
        samples = config_samples(config, args.per_level)
        made = time.perf_counter()
        audits += audit(samples, thresholds)
        done = time.perf_counter()
        rate = keys_per_second(samples)
        print(
            f"{name:<32} {made - start:>10.1f} {done - made:>8.1f} {rate:>9.0f}",
            file=sys.stderr,
            flush=True,
        )
    table = render_audit(audits)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
