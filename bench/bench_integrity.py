"""What integrity costs a build: re-verification at publish and checksummed stage files.

Run: ``python bench/bench_integrity.py [CONFIG] [--workers N]`` (default: the quick start).
Builds the config once into a temporary root, then, in this process, repeats the two
checks the build made on what it produced: every published row re-verified (what
``publish_version`` does before it writes a version) and every stage file hashed against
its record (what Luigi's completeness checks do). Prints each as seconds and as a share of
the build's wall-clock time (target for re-verification: at most 10%).
"""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq
from temporary_build import build_arguments, temporary_build

from factory.publish.reverify import reference_failures
from factory.publish.store import PROBLEM_COLUMNS
from factory.storage.layout import is_data_file, subset_of
from factory.storage.stage_files import SIDECAR_SUFFIX, _proven, stage_problem
from schemas.arrow import from_table
from schemas.records import Problem


def main() -> None:
    args = build_arguments(__doc__.splitlines()[0])
    with temporary_build(args.config, args.workers) as (_, result, build_s):
        layout = result.layout
        version_dir = Path(layout.version_dir)

        start = time.perf_counter()
        rows = failures = 0
        for entry in result.manifest.files:
            if is_data_file(entry.path):
                table = pq.read_table(version_dir / entry.path)
                rows += table.num_rows
                failures += len(
                    reference_failures(
                        from_table(table.select(PROBLEM_COLUMNS), Problem),
                        table["reference_trace"].to_pylist(),
                        table["verify_score"].to_pylist(),
                        subset_of(entry.path),
                        table["config"].to_pylist(),
                    )
                )
        reverify_s = time.perf_counter() - start

        _proven.clear()  # hash every file, as a fresh process does
        stage_files = [
            p
            for p in Path(layout.work_dir).rglob("*.parquet")
            if Path(f"{p}{SIDECAR_SUFFIX}").exists()
        ]
        start = time.perf_counter()
        bad = sum(stage_problem(p, layout.storage) is not None for p in stage_files)
        hash_s = time.perf_counter() - start

    print(f"config {args.config}: {rows} problems, build {build_s:.2f} s ({args.workers} worker)")
    print(
        f"re-verification at publish: {reverify_s:.3f} s for {rows} rows "
        f"({reverify_s / build_s:.1%} of the build), {failures} failures"
    )
    print(
        f"stage checksums: {hash_s:.3f} s to prove {len(stage_files)} stage files whole "
        f"({hash_s / build_s:.1%} of the build), {bad} damaged"
    )


if __name__ == "__main__":
    main()
