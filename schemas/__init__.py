"""Pydantic models for every record and config, and their derived Arrow schemas."""

from schemas.arrow import arrow_schema, canonical_json, from_table, to_table
from schemas.config import BuildConfig, TaskSpec
from schemas.manifest import DatasetManifest, FileEntry
from schemas.records import DatasetRecord, Problem, Scores, Trace, Verdict

__all__ = [
    "BuildConfig",
    "DatasetManifest",
    "DatasetRecord",
    "FileEntry",
    "Problem",
    "Scores",
    "TaskSpec",
    "Trace",
    "Verdict",
    "arrow_schema",
    "canonical_json",
    "from_table",
    "to_table",
]
