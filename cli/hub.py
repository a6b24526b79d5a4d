"""``factory push``: publish a built version to the Hugging Face Hub."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.args import add_quiet, progress_mode


def cmd_push(args: argparse.Namespace) -> None:
    from factory.publish.hub import push_version

    if progress_mode(args) == "quiet":
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()

    result = push_version(
        Path(args.dataset_dir), args.repo_id, private=args.private, branch=args.branch
    )
    print(result.summary())


def add_commands(commands: argparse._SubParsersAction) -> None:
    push = commands.add_parser(
        "push", help="push a built version to a Hub dataset repo (one commit and tag v<version>)"
    )
    push.add_argument("dataset_dir", help="a built version, e.g. out/quickstart/0.1.0")
    push.add_argument("repo_id", help="the dataset repo, e.g. my-org/my-dataset")
    push.add_argument("--private", action="store_true", help="create the repo as private")
    push.add_argument(
        "--branch", default=None, help="commit to this branch, e.g. staging (default: main)"
    )
    add_quiet(push)
    push.set_defaults(func=cmd_push)
