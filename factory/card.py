"""Dataset card (README.md with Hugging Face Hub YAML metadata) for a built version."""

from __future__ import annotations

import json

import polars as pl
import yaml

from schemas.manifest import DatasetManifest

SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
]


def size_category(total: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if total < bound:
            return label
    return "n>10M"


def hub_metadata(manifest: DatasetManifest) -> dict:
    subsets = sorted(manifest.counts)
    configs = [
        {"config_name": "all", "data_files": [{"split": "train", "path": "data/*/*.parquet"}]}
    ]
    configs += [
        {"config_name": s, "data_files": [{"split": "train", "path": f"data/{s}/*.parquet"}]}
        for s in subsets
    ]
    return {
        "license": manifest.config.get("license", "cc-by-4.0"),
        "pretty_name": manifest.name,
        "task_categories": ["question-answering", "text-generation"],
        "language": ["en"],
        "size_categories": [size_category(manifest.total)],
        "tags": ["synthetic", "reasoning", "verifiable"],
        "configs": configs,
    }


def _markdown_table(frame: pl.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *rows])


def level_summary(stats: pl.DataFrame) -> pl.DataFrame:
    """stats has subset, level, solver_effort, reference_chars, verify_score per problem."""
    return (
        stats.group_by("subset", "level")
        .agg(
            pl.len().alias("problems"),
            pl.col("solver_effort").median().alias("median solver effort"),
            pl.col("reference_chars").mean().round(0).cast(pl.Int64).alias("mean trace chars"),
            pl.col("verify_score").mean().round(3).alias("oracle score"),
        )
        .sort("subset", "level", nulls_last=True)
    )


def render_card(manifest: DatasetManifest, stats: pl.DataFrame, sample: dict | None) -> str:
    front = yaml.safe_dump(hub_metadata(manifest), sort_keys=False).strip()
    tasks = "\n".join(
        f"- `{spec['task']}` as subset `{spec.get('name') or spec['task']}`: "
        f"{spec['count']} problems, levels {spec.get('levels') or 'default'}, "
        f"knobs {json.dumps(spec.get('knobs') or {})}"
        for spec in manifest.config["tasks"]
    )
    generators = ", ".join(f"`{t}` {v}" for t, v in sorted(manifest.generators.items()))
    parts = [
        f"---\n{front}\n---",
        f"# {manifest.name} {manifest.version}",
        manifest.config.get("description")
        or "Procedurally generated reasoning problems "
        "with proven answers and verified reference traces.",
        "## How it was built",
        f"Built by reasoning-factory {manifest.code_version.get('version')} "
        f"(commit {manifest.code_version.get('git') or 'unknown'}) with seed {manifest.seed}; "
        f"generators: {generators}. Every reference trace was written by the task's solver "
        "and passed the task's own verifier.\n\n" + tasks,
        f"## Counts and difficulty ({manifest.total} problems)",
        _markdown_table(level_summary(stats)),
        "## Fields",
        "`prompt` (asks for reasoning, then the answer in `<answer></answer>`), `answer`, "
        "`reference_trace`, `level` (1..10), `config` (knobs, JSON), `payload` (the instance "
        "the verifier checks against, JSON), `solver_effort`, `verify_score`, ids and seeds.",
    ]
    if sample:
        parts += [
            "## Sample",
            f"```\n{sample['prompt']}\n```",
            f"Answer:\n```\n{sample['answer']}\n```",
        ]
    return "\n\n".join(parts) + "\n"
