"""Dataset card (README.md with Hugging Face Hub YAML metadata) for a built version."""

from __future__ import annotations

import json

import pyarrow as pa
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
    for producer in PRODUCER_TITLES:
        if any(entry.path.startswith(f"{producer}_traces/") for entry in manifest.files):
            configs.append(
                {
                    "config_name": f"{producer}_traces",
                    "data_files": [{"split": "train", "path": f"{producer}_traces/*/*.parquet"}],
                }
            )
    return {
        "license": manifest.config.get("license", "cc-by-4.0"),
        "pretty_name": manifest.name,
        "task_categories": ["question-answering", "text-generation"],
        "language": ["en"],
        "size_categories": [size_category(manifest.total)],
        "tags": ["synthetic", "reasoning", "verifiable"],
        "configs": configs,
    }


SUMMARY_COLUMNS = [
    "subset",
    "level",
    "problems",
    "median solver effort",
    "mean trace chars",
    "oracle score",
]


def markdown_table(columns: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join("-" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


STATS_COLUMNS = ["level", "solver_effort", "reference_chars", "verify_score"]


def problem_stats(rows: pa.Table, subset: str) -> pa.Table:
    """The per-problem columns the summaries use, tagged with the subset name."""
    subset_column = pa.array([subset] * rows.num_rows, pa.string())
    return rows.select(STATS_COLUMNS).append_column("subset", subset_column)


def level_summary(stats: pa.Table) -> list[list[object]]:
    """Rows of SUMMARY_COLUMNS from per-problem stats (subset, level, solver_effort,
    reference_chars, verify_score). Arrow, not Polars: this runs in forked Luigi workers."""
    grouped = stats.group_by(["subset", "level"]).aggregate(
        [
            ("subset", "count"),
            ("solver_effort", "approximate_median"),
            ("reference_chars", "mean"),
            ("verify_score", "mean"),
        ]
    )
    rows = [
        [
            r["subset"],
            r["level"],
            r["subset_count"],
            r["solver_effort_approximate_median"],
            round(r["reference_chars_mean"]),
            round(r["verify_score_mean"], 3),
        ]
        for r in grouped.to_pylist()
    ]
    return sorted(rows, key=lambda row: (row[0], row[1] is None, row[1] or 0))


PRODUCER_TITLES = {"teacher": "Teacher traces", "rsd": "RSD (student-aligned) traces"}
SAMPLE_COLUMNS = ["subset", "samples", "passed", "pass rate", "kept"]


def sample_stats(traces: pa.Table, subset: str) -> pa.Table:
    """Per-sample (subset, passed, kept) of a model-trace table; kept is null without a filter."""
    kept = (
        traces["kept"] if "kept" in traces.column_names else pa.nulls(traces.num_rows, pa.bool_())
    )
    return pa.table(
        {
            "subset": pa.array([subset] * traces.num_rows, pa.string()),
            "passed": traces["passed"],
            "kept": kept,
        }
    )


def sample_summary(stats: pa.Table) -> list[list[object]]:
    """Rows of SAMPLE_COLUMNS from :func:`sample_stats` tables."""
    grouped = stats.group_by("subset").aggregate(
        [("passed", "count"), ("passed", "sum"), ("kept", "sum")]
    )
    rows = [
        [
            r["subset"],
            r["passed_count"],
            r["passed_sum"],
            round(r["passed_sum"] / r["passed_count"], 3),
            r["kept_sum"],
        ]
        for r in grouped.to_pylist()
    ]
    return sorted(rows)


DIFFICULTY_COLUMNS = ["subset", "difficulty", "problems", "kept"]


def difficulty_summary(selection: pa.Table) -> list[list[object]]:
    """Rows of DIFFICULTY_COLUMNS from a graded build's selection table."""
    grouped = selection.group_by(["subset", "difficulty"]).aggregate(
        [("selected", "count"), ("selected", "sum")]
    )
    rows = [
        [r["subset"], r["difficulty"], r["selected_count"], r["selected_sum"]]
        for r in grouped.to_pylist()
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def render_card(
    manifest: DatasetManifest,
    summary: list[list[object]],
    sample: dict | None,
    producers: dict[str, list[list[object]]] | None = None,
    grades: list[list[object]] | None = None,
) -> str:
    """``summary`` holds the rows of :func:`level_summary` for the whole version;
    ``producers`` those of :func:`sample_summary` per model producer (teacher, rsd)."""
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
        markdown_table(SUMMARY_COLUMNS, summary),
        "## Fields",
        "`prompt` (asks for reasoning, then the answer in `<answer></answer>`), `answer`, "
        "`reference_trace`, `level` (1..10), `config` (knobs, JSON), `payload` (the instance "
        "the verifier checks against, JSON), `solver_effort`, `verify_score`, ids and seeds.",
    ]
    if grades is not None:
        grading = manifest.config["grading"]
        parts += [
            "## Difficulty distribution",
            "Buckets of the teacher's pass rate over its samples (a sample passes at score "
            f">= {grading['pass_threshold']}); dropped buckets: "
            f"{', '.join(grading['drop']) or 'none'}; quotas per subset: "
            f"{json.dumps(grading['quotas'], sort_keys=True)}. Each row's `difficulty`, "
            "`pass_rate`, `pass_cv` and `effort_percentile` (solver effort ranked within "
            "its subset) are in the data.",
            markdown_table(DIFFICULTY_COLUMNS, grades),
        ]
    for producer, rows in (producers or {}).items():
        parts += [
            f"## {PRODUCER_TITLES[producer]}",
            _producer_line(producer, manifest.config[producer]),
            markdown_table(SAMPLE_COLUMNS, rows),
        ]
    if sample:
        parts += [
            "## Sample",
            f"```\n{sample['prompt']}\n```",
            f"Answer:\n```\n{sample['answer']}\n```",
        ]
    return "\n\n".join(parts) + "\n"


def _producer_line(producer: str, spec: dict) -> str:
    scored = f"every sample was scored by the task's verifier (config `{producer}_traces`)"
    if producer == "teacher":
        sampling = json.dumps(spec["sampling"], sort_keys=True)
        return f"`{spec['model']}` ({spec['backend']} backend), sampling `{sampling}`; {scored}."
    return (
        f"Teacher `{spec['teacher']['model']}` proposes, student `{spec['student']['model']}` "
        f"disposes ({spec['engine']} engine, `{json.dumps(spec['params'], sort_keys=True)}`), "
        f"{spec['n']} samples per problem; {scored}; `kept` marks the shortest sample per "
        "problem that passes the filter (one </think>, proper ending, fallback share within "
        "bounds, verified answer)."
    )
