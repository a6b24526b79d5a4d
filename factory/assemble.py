"""Join a shard's stage outputs into dataset rows (Polars joins on ids, derived schema out)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from factory.layout import BuildLayout
from factory.stages import SOLVER
from schemas.arrow import arrow_schema
from schemas.records import DatasetRecord


def assemble_shard(layout: BuildLayout, subset: str, shard: int) -> pa.Table:
    def stage(name: str) -> pl.DataFrame:
        return pl.read_parquet(layout.stage_path(name, subset, shard))

    traces = (
        stage("traces")
        .filter(pl.col("producer") == SOLVER)
        .select("trace_id", "problem_id", pl.col("text").alias("reference_trace"))
    )
    verdicts = stage("verdicts").select("trace_id", pl.col("score").alias("verify_score"))
    scores = stage("scores").select(
        "problem_id", "solver_effort", "solver_stats", "reference_chars", "reference_steps"
    )
    rows = (
        stage("problems")
        .join(traces, on="problem_id", how="inner")
        .join(verdicts, on="trace_id", how="inner")
        .join(scores, on="problem_id", how="inner")
        .sort("index")
    )
    schema = arrow_schema(DatasetRecord)
    return rows.select(schema.names).to_arrow().cast(schema)
