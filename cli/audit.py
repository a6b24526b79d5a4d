"""``factory audit``: how far constant answers and trivial strategies get on a task's problems."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.args import positive
from factory.errors import ConfigError


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected levels such as 1,5,10, got {text!r}") from None
    if not levels or any(not 1 <= level <= 10 for level in levels):
        raise argparse.ArgumentTypeError(f"levels must be in 1..10, got {text!r}")
    return levels


def cmd_audit(args: argparse.Namespace) -> None:
    from factory.config import load_build_config
    from factory.publish.integrity import load_verified_manifest
    from factory.quality.audit import (
        AuditFailed,
        audit,
        audit_json,
        config_samples,
        dataset_samples,
        render_audit,
        thresholds_of,
        worst_violation,
    )

    source = Path(args.source)
    if source.is_file():
        config = load_build_config(source)
        samples = config_samples(config, args.per_level, args.levels)
        thresholds = thresholds_of(config.model_dump())
    elif source.is_dir():
        manifest = load_verified_manifest(source)
        samples = dataset_samples(source, manifest, args.per_level, args.levels)
        thresholds = thresholds_of(manifest.config)
    else:
        raise ConfigError(f"{source}: neither a build config file nor a dataset version directory")
    audits = audit(samples, thresholds)
    print(
        json.dumps(audit_json(audits, thresholds), indent=2) if args.json else render_audit(audits)
    )
    worst = worst_violation(audits)
    if worst is not None:
        raise AuditFailed(f"audit failed: {worst}")


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "audit",
        help="answer-space audit: constant answers, trivial strategies, label balance, duplicates",
    )
    parser.add_argument(
        "source",
        help="a build config (.yaml) or a built version, e.g. configs/quickstart.yaml",
    )
    parser.add_argument(
        "--per-level",
        type=positive,
        default=1000,
        help="problems per subset and level (generated from a config; the first ones of a "
        "dataset), e.g. 200 (default: 1000)",
    )
    parser.add_argument(
        "--levels", type=_levels, default=None, help="only these levels, e.g. 1,5,10"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(func=cmd_audit)
