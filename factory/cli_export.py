"""``factory export``: a built dataset as verl / TRL / JSONL input, with the reward to use."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_export(args: argparse.Namespace) -> None:
    from factory import rewards
    from factory.export import export_dataset

    result = export_dataset(
        Path(args.dataset_dir), args.format, args.output, args.subset, args.split
    )
    print(f"exported {result.rows} problems ({result.format}) → {result.path}")
    if result.format == "verl":
        print(
            f"reward: custom_reward_function.path={Path(rewards.__file__).resolve()} "
            "custom_reward_function.name=compute_score"
        )
    elif result.format == "trl":
        print("reward: GRPOTrainer(reward_funcs=[factory.rewards.verifier_reward], ...)")


def add_commands(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="write a built dataset as verl/TRL Parquet or JSONL for RL training"
    )
    export.add_argument("dataset_dir", help="a built version: <root>/<name>/<version>")
    export.add_argument("--format", required=True, help="verl, trl or jsonl")
    export.add_argument(
        "--output",
        type=Path,
        default=None,
        help="output file (default: <name>-<version>-<format>.parquet|.jsonl here)",
    )
    export.add_argument(
        "--subset",
        nargs="+",
        action="extend",
        default=None,
        metavar="SUBSET",
        help="only these subsets (default: all)",
    )
    export.add_argument(
        "--split", default=None, help="only this split, e.g. train or test (default: all)"
    )
    export.set_defaults(func=cmd_export)
