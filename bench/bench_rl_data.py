"""What dedup and the answer-space audit cost a build, and how fast dedup runs.

Run: ``python bench/bench_rl_data.py [CONFIG] [--workers N]`` (default: the quick start).
Builds the config once into a temporary root, then repeats in this process, on the very
problems the build made, the two steps the build ran: the dataset-wide selection of
distinct problems (``SelectDistinct``: exact and structural keys of every candidate) and
the audit of what it published. Prints the build's wall-clock time, each step's time and
share of it (target: both together at most 10%), and dedup throughput in problems/s.
"""

from __future__ import annotations

import time

from temporary_build import build_arguments, temporary_build

from factory.publish.store import AUDIT_PER_LEVEL
from factory.quality.audit import SampleCollector, audit
from factory.quality.dedup import DistinctFilter, distinct_problems
from factory.stages import problem_maker
from factory.storage.layout import shard_count
from factory.storage.stage_files import read_stage_records
from schemas.records import DedupReport, Problem


def main() -> None:
    args = build_arguments(__doc__.splitlines()[0])
    with temporary_build(args.config, args.workers) as (config, result, build_s):
        layout = result.layout
        candidates = {
            spec.subset: [
                problem
                for shard in range(shard_count(spec, config.shard_size))
                for problem in read_stage_records(
                    layout.stage_path("candidates", spec.subset, shard), Problem, layout.storage
                )
            ]
            for spec in config.tasks
        }

    start = time.perf_counter()
    keep, collector, looked_at = DistinctFilter(True, None), SampleCollector(AUDIT_PER_LEVEL), 0
    for spec in config.tasks:
        report = DedupReport(subset=spec.subset)
        chosen = list(
            distinct_problems(
                spec, candidates[spec.subset], problem_maker(config, spec), keep, report
            )
        )
        looked_at += report.drawn
        collector.add(spec.subset, chosen)
    dedup_s = time.perf_counter() - start
    start = time.perf_counter()
    audit(collector.samples(), config.audit, structural=not config.dedup)
    audit_s = time.perf_counter() - start

    work_s = build_s - dedup_s - audit_s
    print(f"config {args.config}: {result.manifest.total} problems, build {build_s:.2f} s")
    print(
        f"dedup: {dedup_s:.3f} s for {looked_at} candidates ({looked_at / dedup_s:,.0f}/s), "
        f"{dedup_s / work_s:.1%} on top of the rest of the build"
    )
    print(f"audit: {audit_s:.3f} s, {audit_s / work_s:.1%} on top of the rest of the build")
    print(f"dedup + audit: {(dedup_s + audit_s) / work_s:.1%} overhead")


if __name__ == "__main__":
    main()
