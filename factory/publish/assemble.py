"""Join a shard's stage outputs into dataset rows, on ids, into the derived schema.

This runs inside Luigi workers, which Luigi forks; it uses Arrow compute rather than
Polars because Arrow re-creates its thread pool after a fork and Polars does not
(a Polars pool started in the parent deadlocks a forked child).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from factory.rsd.select import KEPT, select
from factory.scoring.verbosity import TraceVerbosity
from factory.stages import SOLVER
from factory.storage.layout import BuildLayout
from factory.storage.stage_files import read_stage_records, read_stage_table
from schemas.arrow import arrow_schema, to_table
from schemas.config import RSDFilter
from schemas.records import DatasetRecord, RSDTraceRecord, TeacherTraceRecord, Trace, Verdict


def assemble_shard(
    layout: BuildLayout, subset: str, shard: int, selection: pa.Table | None = None
) -> pa.Table:
    """One data file's rows. With a graded build's ``selection`` (problem_id, difficulty,
    effort_percentile, selected) only the selected problems are kept."""

    def stage(name: str, columns: list[str]) -> pa.Table:
        return read_stage_table(layout.stage_path(name, subset, shard), layout.storage, columns)

    traces = stage("traces", ["trace_id", "problem_id", "producer", "text"])
    solver = pc.equal(traces["producer"], SOLVER)
    if not pc.all(solver).as_py():
        traces = traces.filter(solver)
    traces = traces.select(["trace_id", "problem_id", "text"]).rename_columns(
        ["trace_id", "problem_id", "reference_trace"]
    )
    verdicts = stage("verdicts", ["trace_id", "score"]).rename_columns(["trace_id", "verify_score"])
    scores = stage(
        "scores",
        [
            "problem_id",
            "solver_effort",
            "solver_stats",
            "reference_chars",
            "reference_steps",
            "pass_rate",
            "pass_cv",
            "search_iterations",
            "search_nodes",
        ],
    )
    problems = read_stage_table(layout.stage_path("problems", subset, shard), layout.storage)
    problems = problems.append_column("subset", pa.array([subset] * problems.num_rows))
    splits = stage("splits", ["problem_id", "split"])
    rows = inner_join(problems, splits, "problem_id")
    rows = inner_join(rows, traces, "problem_id")
    rows = inner_join(rows, verdicts, "trace_id")
    rows = inner_join(rows, scores, "problem_id").sort_by("index")
    if selection is not None:
        rows = inner_join(rows, selection, "problem_id")
        rows = rows.filter(rows["selected"]).sort_by("index")
    schema = arrow_schema(DatasetRecord)
    for name in ("difficulty", "effort_percentile"):
        if name not in rows.column_names:
            rows = rows.append_column(name, pa.nulls(rows.num_rows, schema.field(name).type))
    return rows.select(schema.names).cast(schema)


def inner_join(left: pa.Table, right: pa.Table, key: str) -> pa.Table:
    """``left`` joined with ``right`` on ``key`` (inner; rows in no particular order): left's
    columns, then right's others. Tables aligned by row (the same distinct keys in the same
    order, as a shard's stages write them) are put side by side; otherwise only the keys and
    row numbers go through Arrow's hash join, which copies every column it carries, and the
    wide ones (prompts, payloads, traces) are gathered once with ``take``."""
    if aligned(left[key], right[key]):
        rows, gathered = left, right.drop_columns([key])
    else:
        numbered = [
            pa.table({key: table[key], side: pa.array(np.arange(table.num_rows, dtype=np.int64))})
            for table, side in ((left, "_left"), (right, "_right"))
        ]
        pairs = numbered[0].join(numbered[1], key, join_type="inner")
        gathered = right.drop_columns([key]).take(pairs["_right"])
        rows = left.take(pairs["_left"])
    for name, column in zip(gathered.column_names, gathered.columns, strict=True):
        rows = rows.append_column(name, column)
    return rows


def aligned(left: pa.ChunkedArray, right: pa.ChunkedArray) -> bool:
    """Whether two key columns hold the same distinct, non-null keys in the same order: then
    their inner join pairs row i with row i."""
    return (
        left.null_count == 0 and left.equals(right) and pc.count_distinct(left).as_py() == len(left)
    )


def assemble_model_traces(
    layout: BuildLayout, producer: str, subset: str, shard: int, rsd_filter: RSDFilter | None
) -> pa.Table:
    """A producer's samples with their verdicts, in problem then sample order; RSD rows
    also carry the filter's word (``kept``, ``filter_reason``)."""
    storage = layout.storage
    traces = read_stage_records(
        layout.stage_path(f"{producer}_traces", subset, shard), Trace, storage
    )
    verdicts = read_stage_records(
        layout.stage_path(f"{producer}_verdicts", subset, shard), Verdict, storage
    )
    order = read_stage_table(
        layout.stage_path("problems", subset, shard), storage, ["problem_id", "index"]
    )
    index_of = dict(zip(order["problem_id"].to_pylist(), order["index"].to_pylist(), strict=True))
    verdict_of = {v.trace_id: v for v in verdicts}
    traces.sort(key=lambda t: (index_of[t.problem_id], t.sample_index))
    record = RSDTraceRecord if producer == "rsd" else TeacherTraceRecord
    words = select(traces, verdicts, rsd_filter) if rsd_filter is not None else {}
    measured = (
        layout.stage_path(f"{producer}_verbosity", subset, shard) if producer == "teacher" else None
    )
    figures = (
        {
            f.trace_id: f.model_dump(exclude={"trace_id", "tokenizer"})
            for f in read_stage_records(measured, TraceVerbosity, storage)
        }
        if measured is not None and storage.exists(measured)
        else {}
    )
    rows = []
    for trace in traces:
        verdict = verdict_of[trace.trace_id]
        row = trace.model_dump() | {
            "verify_score": verdict.score,
            "passed": verdict.passed,
            "verify_reason": verdict.reason,
        }
        row |= figures.get(trace.trace_id, {})
        if rsd_filter is not None:
            row |= {"kept": words[trace.trace_id] == KEPT, "filter_reason": words[trace.trace_id]}
        rows.append(record.model_validate({k: row[k] for k in record.model_fields if k in row}))
    return to_table(rows, record)
