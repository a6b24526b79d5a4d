"""``factory build`` flags for scale-out: many worker processes sharing one build through
Luigi's central scheduler (``luigid``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.build import BuildResult


def add_build_arguments(build: argparse.ArgumentParser) -> None:
    build.add_argument(
        "--scheduler-url",
        metavar="URL",
        default=None,
        help="central Luigi scheduler (luigid), e.g. http://sched-host:8082/: every `factory "
        "build` of the same config pointed at it, on any machine, shares the work "
        "(default: a scheduler inside this process)",
    )


def build_report(result: BuildResult) -> str:
    """The line ``factory build`` prints when it succeeds."""
    manifest = result.manifest
    where = result.layout.url(result.layout.version_dir)
    verb = "found" if result.already_published else "built"
    note = " (published by another worker)" if result.already_published else ""
    report = (
        f"{verb} {manifest.name} {manifest.version}: {manifest.total} problems "
        f"in {len(manifest.files)} files → {where}{note}"
    )
    if result.already_published:
        return report
    from factory.models.usage import run_usage_line
    from factory.publish.store import latest_run_usage

    usage = run_usage_line(latest_run_usage(result.layout))
    return f"{report}\n{usage}" if usage else report
