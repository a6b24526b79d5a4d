"""The card's "Fields" section: every published column with one line about it.

The columns come from the record schemas (``schemas.records``) through the Arrow schema
the data files are written with, so a new column shows up here by itself; its line comes
from ``DESCRIPTIONS`` or else the schema field's own ``description`` (a test fails for a
column with neither). A column that is null in every row of a version stays in the data
— every version and every subset keeps one schema, which the Hub's ``datasets`` configs
need — and its line says why it is empty (:func:`why_empty`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas.arrow import arrow_schema
from schemas.records import DatasetRecord, RSDTraceRecord, TeacherTraceRecord

DESCRIPTIONS: dict[str, str] = {
    # dataset rows
    "problem_id": "content hash of (task, generator version, knobs, seed, index)",
    "task": "the generator that made the problem (see `factory tasks`)",
    "subset": "the build config's subset the problem belongs to (one Hub config each)",
    "split": "the named split: train, validation, test …",
    "generator_version": "version of the task's generator and verifier",
    "seed": "the build seed the problem was drawn with",
    "index": "the problem's index within its subset (with the seed, it remakes the problem)",
    "level": "difficulty level 1..10 the knobs came from",
    "config": "the task's knobs for this problem (JSON)",
    "prompt": "the question; asks for reasoning, then the final answer in `<answer></answer>`",
    "answer": "the proven reference answer (what goes inside `<answer>`)",
    "payload": "the instance the verifier checks an answer against (JSON)",
    "trace_id": "id of the reference trace",
    "reference_trace": "the solver's step-by-step reasoning, ending in the tagged answer",
    "verify_score": "the task's own verifier on the reference trace (1.0: passed)",
    "solver_effort": "the solver's primary effort count (search nodes, decisions …)",
    "solver_stats": "the solver's effort figures in full (JSON)",
    "reference_chars": "characters of the reference trace",
    "reference_steps": "non-empty lines (steps) of the reference trace's reasoning",
    "pass_rate": "share of the teacher's samples the verifier passed",
    "pass_cv": "population σ/μ of the teacher's sample scores (how consistent it is)",
    "search_iterations": "search tasks: iterations to the first verified answer",
    "search_nodes": "search tasks: tree nodes made by then",
    "difficulty": "graded builds: the pass-rate bucket (e.g. never_solved … always_solved)",
    "effort_percentile": "graded builds: solver effort's rank within its subset (0..1)",
    # model-trace rows (teacher_traces, rsd_traces)
    "model": "the model that wrote the sample",
    "params": "decoding parameters and the request seed (JSON)",
    "sample_index": "which sample of the problem (0 ..)",
    "text": "the sample as generated",
    "thinking": "its reasoning before the answer, when separable",
    "finish_reason": "why generation stopped: stop, length or error",
    "num_tokens": "tokens generated",
    "passed": "whether the verifier passed the sample",
    "verify_reason": "the verifier's reason for its score",
    "prompt_tokens": "tokens of the prompt as the model saw it",
    "error": "why the request failed, if it did",
    "tokens": "verbosity: tokens of the trace in the measuring tokenizer",
    "steps": "verbosity: reasoning steps of the trace",
    "hesitation_share": "verbosity: share of steps that hesitate (wait, hmm, let me re-check …)",
    "first_correct_token": "verbosity: tokens before the first correct answer starts",
    "external_redundancy": "verbosity: share of tokens after the first correct answer",
    "overthinking": "verbosity: SBT overthinking score (needs a correct answer)",
    "rv": "judge: reasoning verbosity, 0..9",
    "cd": "judge: cognitive difficulty, 0..9",
    "judge_reason": "judge: why a judge score is missing",
    "provenance": "rsd: one letter per token, T teacher-accepted, S student",
    "stats": "rsd: acceptance rate, fallback share, teacher and student calls (JSON)",
    "kept": "rsd: whether the filter kept the sample (the shortest passing one per problem)",
    "filter_reason": "rsd: the filter's word on the sample",
}

# File group (as the card names it) → the record type of its rows.
GROUPS: dict[str, type[BaseModel]] = {
    "data": DatasetRecord,
    "teacher_traces": TeacherTraceRecord,
    "rsd_traces": RSDTraceRecord,
}


def columns_of(group: str) -> list[str]:
    """The columns of a file group, in the order the Parquet files hold them."""
    return arrow_schema(GROUPS[group]).names


def description(group: str, column: str) -> str | None:
    """The column's line: ours, else the schema field's description."""
    field = GROUPS[group].model_fields.get(column)
    return DESCRIPTIONS.get(column) or (field.description if field else None)


def why_empty(column: str, config: dict[str, Any], families: set[str]) -> str:
    """Why a column is null in every row of a version built from ``config`` whose tasks
    are of ``families``."""
    if column in ("pass_rate", "pass_cv") and config.get("teacher") is None:
        return "this build ran no teacher"
    if column in ("difficulty", "effort_percentile") and config.get("grading") is None:
        return "this build has no `grading` section"
    if column in ("search_iterations", "search_nodes"):
        if "search" not in families:
            return "this build has no search-trace task"
        return "no search found a verified answer within its budget"
    if column == "level":
        return "built without levels (the knobs' defaults)"
    if column in ("tokens", "steps", "hesitation_share", "first_correct_token"):
        return "this build measured no verbosity"
    if column in ("external_redundancy", "overthinking", "rv", "cd", "judge_reason"):
        return "not measured by this build's verbosity settings"
    return "not computed by this build"


def fields_section(groups: dict[str, set[str]], config: dict[str, Any], families: set[str]) -> str:
    """Markdown: per published file group (``data``, ``teacher_traces`` …) → the set of
    its columns that are null in every row, a list of every column with its line."""
    parts = []
    for group, empty in groups.items():
        where = "data/<subset>/" if group == "data" else f"{group}/<subset>/"
        lines = [f"Columns of `{where}*.parquet`:", ""]
        for column in columns_of(group):
            line = f"- `{column}`: {description(group, column) or 'see schemas/records.py'}"
            if column in empty:
                line += f" — null in every row: {why_empty(column, config, families)}"
            lines.append(line)
        parts.append("\n".join(lines))
    note = (
        "Columns a build did not compute stay in the data (every version and subset "
        "shares one schema), null in every row, and say why below."
    )
    return "\n\n".join([note, *parts])
