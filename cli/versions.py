"""``factory versions``, ``factory diff`` and ``factory check``: lineage and integrity."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from factory.errors import FactoryError


def cmd_versions(args: argparse.Namespace) -> None:
    from factory.publish.versions import list_versions, render_versions

    print(render_versions(*list_versions(Path(args.root), args.name)))


def cmd_diff(args: argparse.Namespace) -> None:
    from factory.publish.version_diff import diff_versions, parent_dir, render_diff

    if args.b is None:
        a, b = parent_dir(Path(args.a)), Path(args.a)
    else:
        a, b = Path(args.a), Path(args.b)
    diff = diff_versions(a, b)
    print(json.dumps(diff, indent=2) if args.json else render_diff(diff))


def cmd_check(args: argparse.Namespace) -> None:
    from factory.publish.integrity import check_version
    from factory.storage.filesystem import locate

    storage, version_dir = locate(args.dataset_dir)
    report = check_version(version_dir, storage)
    m = report.manifest
    if not report.ok:
        raise FactoryError(
            f"{storage.url(version_dir)}: {len(report.problems)} problem(s) against its "
            "manifest: " + "; ".join(report.problems)
        )
    subsets = ", ".join(f"{s} {sum(levels.values())}" for s, levels in sorted(m.counts.items()))
    print(
        f"OK {m.name} {m.version}: {len(m.files)} files match the manifest; "
        f"{m.total} problems ({subsets})"
    )


def add_commands(commands: argparse._SubParsersAction) -> None:
    versions = commands.add_parser("versions", help="published versions of a dataset, in order")
    versions.add_argument("name", help="dataset name, e.g. quickstart")
    versions.add_argument(
        "--root", default="out", help="output root, e.g. s3://bucket/datasets (default: out)"
    )
    versions.set_defaults(func=cmd_versions)

    diff = commands.add_parser(
        "diff", help="what changed between two versions (B alone: against its parent)"
    )
    diff.add_argument(
        "a",
        metavar="A",
        help="older version dir (or B, diffed with its parent), e.g. out/quickstart/0.1.0",
    )
    diff.add_argument(
        "b", metavar="B", nargs="?", help="newer version dir, e.g. out/quickstart/0.2.0"
    )
    diff.add_argument("--json", action="store_true", help="print the diff as JSON")
    diff.set_defaults(func=cmd_diff)

    check = commands.add_parser(
        "check", help="re-hash every file of a version against its manifest"
    )
    check.add_argument(
        "dataset_dir", help="a built version, e.g. out/quickstart/0.1.0 or s3://bucket/name/1.0"
    )
    check.set_defaults(func=cmd_check)
