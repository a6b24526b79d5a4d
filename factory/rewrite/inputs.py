"""Read long traces to rewrite from a user's file, through a column mapping.

Accepted inputs: a Parquet file, a JSON Lines file, or a directory saved with
``datasets.Dataset.save_to_disk``. The mapping names the columns that hold the
question, the trace and, for verification, either a reference answer (compared after
normalisation) or a task name plus a problem payload of ours. Every error names the
file and the column or line that is wrong; no row is half-read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, model_validator

from factory.errors import FactoryError


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = "question"
    trace: str = "trace"
    answer: str | None = Field(default=None, description="reference answer column")
    problem: str | None = Field(
        default=None,
        description="column with one of our Problem records (JSON), verified by its task",
    )
    id: str | None = Field(default=None, description="row id column (default: the row number)")

    @model_validator(mode="after")
    def _something_to_verify_with(self) -> ColumnMapping:
        if self.answer is None and self.problem is None:
            raise ValueError("give `answer` (a reference answer column) or `problem`")
        return self


class LongTrace(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    trace: str
    answer: str | None = None
    problem: dict[str, Any] | None = None


def read_table(path: Path) -> pa.Table:
    if path.is_dir():
        return _read_saved_dataset(path)
    if path.suffix == ".parquet":
        try:
            return pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as error:
            raise FactoryError(f"{path}: not a readable Parquet file ({error})") from None
    if path.suffix in {".jsonl", ".json"}:
        return _read_jsonl(path)
    raise FactoryError(
        f"{path}: unsupported input; give a .parquet or .jsonl file or a saved datasets directory"
    )


def load_long_traces(path: Path, mapping: ColumnMapping) -> list[LongTrace]:
    table = read_table(path)
    wanted = [
        c
        for c in (mapping.question, mapping.trace, mapping.answer, mapping.problem, mapping.id)
        if c
    ]
    missing = [column for column in wanted if column not in table.column_names]
    if missing:
        raise FactoryError(
            f"{path}: no column {', '.join(repr(c) for c in missing)}; "
            f"its columns are {', '.join(table.column_names)}"
        )
    rows = table.select(list(dict.fromkeys(wanted))).to_pylist()
    return [_long_trace(path, mapping, number, row) for number, row in enumerate(rows)]


def _long_trace(path: Path, mapping: ColumnMapping, number: int, row: dict) -> LongTrace:
    for column in (mapping.question, mapping.trace):
        if not isinstance(row[column], str):
            raise FactoryError(f"{path}: row {number}, column '{column}': expected text")
    problem = row[mapping.problem] if mapping.problem else None
    if isinstance(problem, str):
        try:
            problem = json.loads(problem)
        except ValueError:
            raise FactoryError(
                f"{path}: row {number}, column '{mapping.problem}': not JSON"
            ) from None
    answer = row[mapping.answer] if mapping.answer else None
    return LongTrace(
        id=str(row[mapping.id]) if mapping.id else str(number),
        question=row[mapping.question],
        trace=row[mapping.trace],
        answer=None if answer is None else str(answer),
        problem=problem,
    )


def _read_jsonl(path: Path) -> pa.Table:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise FactoryError(f"{path}: cannot read ({error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise FactoryError(f"{path}: line {number} is not JSON ({error})") from None
        if not isinstance(row, dict):
            raise FactoryError(f"{path}: line {number} is not a JSON object")
        rows.append(row)
    return pa.Table.from_pylist(rows)


def _read_saved_dataset(path: Path) -> pa.Table:
    from datasets import load_from_disk

    try:
        dataset = load_from_disk(str(path))
    except (FileNotFoundError, ValueError) as error:
        raise FactoryError(f"{path}: not a saved datasets directory ({error})") from None
    if hasattr(dataset, "keys"):  # a DatasetDict: take its train split, else the first
        splits = list(dataset.keys())
        dataset = dataset["train" if "train" in splits else splits[0]]
    return dataset.data.table
