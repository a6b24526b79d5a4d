"""``factory export``: a built dataset as verl / TRL / JSONL / SFT input, with the reward and
the length settings to use."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from factory.scoring.verbosity import WHITESPACE


def cmd_export(args: argparse.Namespace) -> None:
    from factory.publish.export import ExportOptions, export_dataset

    options = ExportOptions(
        system_prompt=args.system_prompt,
        traces=args.traces,
        layout=args.layout,
        think=args.think,
        tokenizer=args.tokenizer,
    )
    result = export_dataset(
        Path(args.dataset_dir), args.format, args.output, args.subset, args.split, options
    )
    noun = "examples" if result.format == "sft" else "problems"
    print(f"exported {result.rows} {noun} ({result.format}) → {result.path}")
    for line in trainer_settings(result):
        print(line)


def trainer_settings(result: Any) -> list[str]:
    """What to tell the trainer: the reward (RL formats) and the length limits that keep
    every exported prompt."""
    from factory import rewards

    unit = f"tokens of {result.tokenizer}"
    if result.tokenizer == WHITESPACE:
        unit = "whitespace words (not model tokens: name the model's with --tokenizer)"
    lines = [f"longest prompt: {result.longest_prompt} {unit}"]
    if result.format == "verl":
        path = Path(rewards.__file__).resolve()
        lines += [
            f"verl: data.max_prompt_length={result.longest_prompt} (default 512; a longer "
            "prompt is dropped silently under data.filter_overlong_prompts=true)",
            f"reward: reward.custom_reward_function.path={path} "
            "reward.custom_reward_function.name=compute_score "
            "(compute_score_with_format adds the format reward)",
        ]
    elif result.format == "trl":
        lines += [
            f"TRL: GRPOConfig(vllm_max_model_length >= {result.longest_prompt} + "
            "max_completion_length) (TRL 1.16 does not truncate prompts)",
            "reward: GRPOTrainer(reward_funcs=[factory.rewards.verifier_reward], ...) "
            "(add factory.rewards.format_reward for the format reward)",
        ]
    elif result.format == "sft":
        lines.append(
            f"TRL: SFTConfig(max_length={result.longest_sequence}) (prompt + completion; "
            "longer examples lose their end, and with it the answer)"
        )
    return lines


def add_commands(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="write a built dataset as verl/TRL/SFT Parquet or JSONL for training"
    )
    export.add_argument("dataset_dir", help="a built version, e.g. out/quickstart/0.1.0")
    export.add_argument(
        "--format",
        required=True,
        metavar="FORMAT",
        help="verl, trl, jsonl or sft, e.g. verl (verl/trl/sft write Parquet, jsonl JSON lines)",
    )
    export.add_argument(
        "--output",
        type=Path,
        default=None,
        help="output file, e.g. train.parquet (default, in this directory: "
        "<name>-<version>-<format>.parquet, or <name>-<version>.jsonl for jsonl)",
    )
    export.add_argument(
        "--subset",
        nargs="+",
        action="extend",
        default=None,
        metavar="SUBSET",
        help="only these subsets, e.g. knights_knaves sudoku (default: all)",
    )
    export.add_argument(
        "--split", default=None, help="only this split, e.g. train or test (default: all)"
    )
    export.add_argument(
        "--system-prompt",
        default=None,
        metavar="TEXT",
        help="a system turn before each prompt, e.g. 'You are a careful solver.'",
    )
    export.add_argument(
        "--tokenizer",
        default=WHITESPACE,
        metavar="NAME",
        help="measure the longest prompt in this tokenizer's tokens (a local directory or "
        "hub name), e.g. Qwen/Qwen3-0.6B (default: whitespace words)",
    )
    sft = export.add_argument_group("--format sft")
    sft.add_argument(
        "--traces",
        default="reference",
        help="which traces, e.g. teacher: reference (solver), teacher (passing samples), rsd "
        "(kept samples) or rewritten (a `factory rewrite` version); default: reference",
    )
    sft.add_argument(
        "--layout",
        default="prompt-completion",
        help="row layout, e.g. messages: prompt-completion (default) or one messages list",
    )
    sft.add_argument(
        "--think", action="store_true", help="wrap each trace's reasoning in <think>…</think>"
    )
    export.set_defaults(func=cmd_export)
