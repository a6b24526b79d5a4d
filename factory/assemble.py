"""Join a shard's stage outputs into dataset rows, on ids, into the derived schema.

This runs inside Luigi workers, which Luigi forks; it uses Arrow compute rather than
Polars because Arrow re-creates its thread pool after a fork and Polars does not
(a Polars pool started in the parent deadlocks a forked child).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from factory.layout import BuildLayout
from factory.stages import SOLVER
from schemas.arrow import arrow_schema
from schemas.records import DatasetRecord, TeacherTraceRecord


def assemble_shard(layout: BuildLayout, subset: str, shard: int) -> pa.Table:
    def stage(name: str, columns: list[str]) -> pa.Table:
        return pq.read_table(layout.stage_path(name, subset, shard), columns=columns)

    traces = stage("traces", ["trace_id", "problem_id", "producer", "text"])
    traces = traces.filter(pc.equal(traces["producer"], SOLVER))
    traces = traces.select(["trace_id", "problem_id", "text"]).rename_columns(
        ["trace_id", "problem_id", "reference_trace"]
    )
    verdicts = stage("verdicts", ["trace_id", "score"]).rename_columns(["trace_id", "verify_score"])
    scores = stage(
        "scores",
        ["problem_id", "solver_effort", "solver_stats", "reference_chars", "reference_steps"],
    )
    problems = pq.read_table(layout.stage_path("problems", subset, shard))
    rows = (
        problems.join(traces, "problem_id", join_type="inner")
        .join(verdicts, "trace_id", join_type="inner")
        .join(scores, "problem_id", join_type="inner")
        .sort_by("index")
    )
    schema = arrow_schema(DatasetRecord)
    return rows.select(schema.names).cast(schema)


def assemble_teacher_shard(layout: BuildLayout, subset: str, shard: int) -> pa.Table:
    """Teacher samples with their verdicts, in problem order then sample order."""
    traces = pq.read_table(layout.stage_path("teacher_traces", subset, shard))
    verdicts = pq.read_table(
        layout.stage_path("teacher_verdicts", subset, shard),
        columns=["trace_id", "score", "passed", "reason"],
    ).rename_columns(["trace_id", "verify_score", "passed", "verify_reason"])
    order = pq.read_table(
        layout.stage_path("problems", subset, shard), columns=["problem_id", "index"]
    )
    rows = (
        traces.join(verdicts, "trace_id", join_type="inner")
        .join(order, "problem_id", join_type="inner")
        .sort_by([("index", "ascending"), ("sample_index", "ascending")])
    )
    schema = arrow_schema(TeacherTraceRecord)
    return rows.select(schema.names).cast(schema)
