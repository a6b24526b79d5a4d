"""Dataset card (README.md with Hugging Face Hub YAML metadata) for a built version.

What a Hub reader gets: how it was built (tasks, seeds, models), counts and score tables,
figures (PNG, at least 800 px wide), the answer-space audit and the difficulty table
where the build has them, one sample of every subset, and a "Fields" section naming every
column of every published file with one line each (``card_fields``, derived from the
record schemas). Columns a build did not compute (``pass_rate`` without a teacher, the
graded columns without ``grading``, search figures without a search task …) are kept in
the data, null in every row, so that all versions and subsets share one schema; the
Fields section says of each such column why it is empty.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import yaml

from factory.markdown import markdown_table
from factory.publish.card_data import (
    SCORE_COLUMNS,
    empty_columns,
    problem_table,
    sample_rows,
    score_summary,
    trace_lengths,
)
from factory.publish.card_fields import GROUPS, fields_section
from factory.publish.card_figures import AuditBar, Figure, write_figures
from factory.storage.atomic import write_text_atomic
from factory.storage.layout import is_data_file, split_of, subset_of
from schemas.grading import DifficultyBuckets
from schemas.manifest import DatasetManifest
from schemas.usage import ModelUsage

CARD = "README.md"
AUDIT_FIGURE = "figures/answer_space.png"


@dataclass(frozen=True)
class CardAudit:
    """The answer-space audit as the card shows it: the table and the figure's bars."""

    table: str
    bars: list[AuditBar]
    per_level: int


# The Hub's size buckets: (exclusive upper bound, label).
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]


def size_category(total: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if total < bound:
            return label
    return "n>1T"


def hub_metadata(manifest: DatasetManifest) -> dict:
    subsets = sorted(manifest.counts)
    configs = [{"config_name": "all", "data_files": _split_files(manifest, "*"), "default": True}]
    configs += [{"config_name": s, "data_files": _split_files(manifest, s)} for s in subsets]
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


def _split_files(manifest: DatasetManifest, subset: str) -> list[dict[str, str]]:
    """One Hub split per named split with data in ``subset`` (``*``: any subset), in the
    config's order of splits."""
    present = {
        split_of(e.path)
        for e in manifest.files
        if is_data_file(e.path) and subset in ("*", subset_of(e.path))
    }
    order = list(manifest.config.get("splits") or {}) + sorted(present)
    names = [name for i, name in enumerate(order) if name in present and name not in order[:i]]
    return [{"split": name, "path": f"data/{subset}/{name}-*.parquet"} for name in names]


SUMMARY_COLUMNS = [
    "subset",
    "level",
    "problems",
    "median solver effort",
    "mean trace chars",
    "trace chars p50 / p99 / max",
    "oracle score",
]


STATS_COLUMNS = ["level", "solver_effort", "reference_chars", "verify_score"]


def problem_stats(rows: pa.Table, subset: str) -> pa.Table:
    """The per-problem columns the summaries use, tagged with the subset name."""
    subset_column = pa.array([subset] * rows.num_rows, pa.string())
    return rows.select(STATS_COLUMNS).append_column("subset", subset_column)


def level_summary(stats: pa.Table) -> list[list[object]]:
    """Rows of SUMMARY_COLUMNS from per-problem stats (subset, level, solver_effort,
    reference_chars, verify_score). Arrow, not Polars: this runs in forked Luigi workers.
    The median is exact (Arrow's grouped median is an order-dependent approximation, and the
    card must not depend on the order shards were built in)."""
    grouped = stats.group_by(["subset", "level"]).aggregate(
        [
            ("subset", "count"),
            ("solver_effort", "list"),
            ("reference_chars", "mean"),
            ("reference_chars", "list"),
            ("verify_score", "mean"),
        ]
    )
    rows = [
        [
            r["subset"],
            r["level"],
            r["subset_count"],
            _median(r["solver_effort_list"]),
            round(r["reference_chars_mean"]),
            _spread(r["reference_chars_list"]),
            round(r["verify_score_mean"], 3),
        ]
        for r in grouped.to_pylist()
    ]
    return sorted(rows, key=lambda row: (row[0], row[1] is None, row[1] or 0))


def _spread(values: list[int]) -> str:
    """Exact nearest-rank p50 / p99 / max: a long tail (a runaway search trace) shows."""
    ordered = sorted(values)

    def rank(percent: int) -> int:
        return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]

    return f"{rank(50)} / {rank(99)} / {ordered[-1]}"


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


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


def write_card(
    version_dir: Path,
    manifest: DatasetManifest,
    summary: list[list[object]],
    producers: dict[str, list[list[object]]] | None = None,
    grades: list[list[object]] | None = None,
    audit: CardAudit | None = None,
) -> list[str]:
    """Write the figures and README.md of the version in ``version_dir`` (its data files
    already there); returns their relative paths, for the manifest to hash."""
    problems = problem_table(version_dir, manifest)
    grading = manifest.config.get("grading")
    buckets = None if grading is None else DifficultyBuckets(**grading["buckets"]).names()
    traces = trace_lengths(version_dir, manifest)
    bars = audit.bars if audit else None
    figures = write_figures(version_dir, problems, traces, buckets, bars)
    empty = {group: empty_columns(version_dir, manifest, f"{group}/") for group in GROUPS}
    card = render_card(
        manifest,
        summary,
        sample_rows(version_dir, manifest),
        producers,
        grades,
        score_summary(problems),
        figures,
        audit,
        {group: columns for group, columns in empty.items() if columns is not None},
    )
    write_text_atomic(version_dir / CARD, card)
    return [*(figure.path for figure in figures), CARD]


def render_card(
    manifest: DatasetManifest,
    summary: list[list[object]],
    samples: list[dict],
    producers: dict[str, list[list[object]]] | None = None,
    grades: list[list[object]] | None = None,
    scores: list[list[object]] | None = None,
    figures: list[Figure] | None = None,
    audit: CardAudit | None = None,
    empty: dict[str, set[str]] | None = None,
) -> str:
    """``summary`` holds the rows of :func:`level_summary` for the whole version;
    ``producers`` those of :func:`sample_summary` per model producer (teacher, rsd);
    ``scores`` those of :func:`factory.publish.card_data.score_summary`; ``empty`` the
    published file groups (``data``, ``teacher_traces`` …) with their all-null columns."""
    front = yaml.safe_dump(hub_metadata(manifest), sort_keys=False).strip()
    parts = [
        f"---\n{front}\n---",
        f"# {manifest.name} {manifest.version}",
        manifest.config.get("description")
        or "Procedurally generated reasoning problems "
        "with proven answers and verified reference traces.",
        "## How it was built",
        _build_line(manifest),
        markdown_table(TASK_COLUMNS, _task_rows(manifest)),
    ]
    for producer in producers or {}:
        parts.append(f"{PRODUCER_TITLES[producer]}: {_producer_line(producer, manifest)}")
    parts += [
        f"## Counts and difficulty ({manifest.total} problems)",
        markdown_table(SUMMARY_COLUMNS, summary),
    ]
    if scores:
        parts += ["### Score distributions", markdown_table(SCORE_COLUMNS, scores)]
    audit_figures = [f for f in figures or [] if f.path == AUDIT_FIGURE]
    parts += [f"![{f.title}]({f.path})" for f in figures or [] if f not in audit_figures]
    if audit is not None:
        parts += [
            "## Answer-space audit",
            "How much reward a policy gets without solving anything, per subset and level "
            f"(at most {audit.per_level} problems each), scored by each task's own verifier: "
            "the answer-space size (`~`: estimated from the answers seen) and its uniform "
            "chance, the best constant answer (learned on one half, scored on the other), "
            "the worst trivial strategy the task declares, another problem's answer, the "
            "label shares of categorical answers, and duplicates left. A group fails when a "
            "guess wins more than max(2 × chance, 5%) or a label strays more than 5 points "
            "from its fair share (`factory audit` exits 2 on a failure); a group of fewer than "
            "200 problems is shown but not judged.",
            audit.table,
            *(f"![{f.title}]({f.path})" for f in audit_figures),
        ]
    parts += [
        "## Fields",
        fields_section(empty or {"data": set()}, manifest.config, _families(manifest)),
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
        parts += [f"## {PRODUCER_TITLES[producer]}", markdown_table(SAMPLE_COLUMNS, rows)]
    if manifest.model_usage:
        parts += ["## Model usage", *usage_section(manifest.model_usage)]
    if samples:
        parts.append("## Samples")
    for row in samples:
        level = "default level" if row["level"] is None else f"level {row['level']}"
        parts += [
            f"`{row['subset']}`, {level}, solver effort {row['solver_effort']:g}:",
            _fenced(_clip(row["prompt"])),
            "Answer:\n" + _fenced(_clip(row["answer"])),
        ]
    return "\n\n".join(parts) + "\n"


USAGE_COLUMNS = ["stage", "model", "requests", "failed", "prompt tokens", "completion tokens"]


def usage_section(usage: list[ModelUsage]) -> list[str]:
    """Requests and tokens per model stage (the manifest's ``model_usage``), a line on
    failed requests and how to ask them again, and a cost line where prices are given.
    Only figures every build of the config gives: the card stays byte-identical however
    the build ran, so wall time, tokens/s and cached share are left to the run record."""
    rows = [
        [u.stage, u.model, u.requests, u.failed, u.prompt_tokens, u.completion_tokens]
        for u in usage
    ]
    lines = [
        "Tokens count every answer the data uses, cached or not (an RSD sample: its prompt "
        "and emitted tokens). Wall time, tokens/s and the cached share depend on the run: "
        "they are in the build's work directory (`usage/run-*.json`), not here.",
        markdown_table(USAGE_COLUMNS, rows),
    ]
    failed = [f"{u.failed} in {u.stage}" for u in usage if u.failed]
    if failed:
        lines.append(
            f"Failed requests: {', '.join(failed)} (their traces have `finish_reason` "
            "`error`); `factory build CONFIG --retry-failed` asks only them again."
        )
    costs = [f"{u.stage} {u.model}: {u.cost:.2f}" for u in usage if u.cost is not None]
    if costs:
        lines.append(
            f"Cost of these tokens at the configured price per million: {'; '.join(costs)}."
        )
    return lines


TASK_COLUMNS = ["subset", "task", "generator", "problems", "levels", "knobs"]
SAMPLE_CHARS = 2000


def _build_line(manifest: DatasetManifest) -> str:
    code = manifest.code_version
    parent = f"; parent version `{manifest.parent}`" if manifest.parent else ""
    return (
        f"Built by reasoning-factory {code.get('version')} (commit {code.get('git') or 'unknown'})"
        f" with seed {manifest.seed}, config fingerprint `{manifest.config_fingerprint}`{parent}."
        " Every reference trace was written by the task's solver and passed the task's own "
        "verifier; `manifest.json` holds the full config and the sha256 of every file "
        "(`factory check` re-hashes them)."
    )


def _task_rows(manifest: DatasetManifest) -> list[list[object]]:
    return [
        [
            spec.get("name") or spec["task"],
            f"`{spec['task']}`",
            manifest.generators.get(spec["task"]),
            spec["count"],
            ", ".join(map(str, spec.get("levels") or [])) or "default",
            f"`{json.dumps(spec.get('knobs') or {}, sort_keys=True)}`",
        ]
        for spec in manifest.config["tasks"]
    ]


def _families(manifest: DatasetManifest) -> set[str]:
    from generators.registry import UnknownTaskError, task_family

    families = set()
    for spec in manifest.config["tasks"]:
        try:
            families.add(task_family(spec["task"]))
        except UnknownTaskError:
            families.add("plugin")
    return families


def _clip(text: str) -> str:
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + " …"


def _fenced(text: str) -> str:
    """A code block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _producer_line(producer: str, manifest: DatasetManifest) -> str:
    spec = manifest.config[producer]
    scored = f"every sample was scored by the task's verifier (config `{producer}_traces`)"
    if producer == "teacher":
        sampling = json.dumps(spec["sampling"], sort_keys=True)
        seed = spec["sampling"].get("seed")
        seed = manifest.seed if seed is None else seed
        return (
            f"`{spec['model']}` ({spec['backend']} backend, revision {spec.get('revision') or '-'})"
            f", sampling `{sampling}`, request seeds derived from {seed}; {scored}."
        )
    seed = manifest.seed if spec.get("seed") is None else spec["seed"]
    return (
        f"Teacher `{spec['teacher']['model']}` proposes, student `{spec['student']['model']}` "
        f"disposes ({spec['engine']} engine, `{json.dumps(spec['params'], sort_keys=True)}`), "
        f"{spec['n']} samples per problem, seed {seed}; {scored}; `kept` marks the shortest "
        "sample per "
        "problem that passes the filter (one </think>, proper ending, fallback share within "
        "bounds, verified answer)."
    )
