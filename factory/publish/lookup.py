"""Find problems for ``factory verify``: by id in a built dataset, or from a JSON record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from factory.config import describe_validation_error
from factory.errors import FactoryError
from factory.publish.integrity import load_verified_manifest
from factory.storage.layout import is_data_file
from schemas.records import Problem


def problem_from_row(row: dict[str, Any], source: str) -> Problem:
    """A Problem from a problem record or a dataset row (JSON fields may be strings)."""
    fields = {name: row[name] for name in Problem.model_fields if name in row}
    for name in ("config", "payload"):
        if isinstance(fields.get(name), str):
            try:
                fields[name] = json.loads(fields[name])
            except json.JSONDecodeError as error:
                raise FactoryError(
                    f"{source}: field '{name}' is not valid JSON ({error})"
                ) from None
    try:
        return Problem.model_validate(fields)
    except ValidationError as error:
        raise FactoryError(f"{source}: {describe_validation_error(error)}") from None


def problem_from_record_file(path: Path) -> Problem:
    """The problem in a JSON file holding one record or row (see :func:`problem_record`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FactoryError(f"{path}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            raise FactoryError(
                f"{path}: holds {len(lines)} lines; put one row in a file (e.g. "
                f"`sed -n 1p {path} > row.json`), or pass --dataset {path} --problem-id ID"
            ) from None
        raise FactoryError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise FactoryError(f"{path}: expected a JSON object with the problem's fields")
    return problem_from_row(problem_record(data, str(path)), str(path))


def problem_record(row: dict[str, Any], source: str) -> dict[str, Any]:
    """The problem record any row we publish carries: the row itself (a problem record or
    dataset row), its ``ground_truth`` (jsonl, trl) or ``reward_model.ground_truth`` (verl).
    SFT rows carry none: they are looked up by id in the built version."""
    if "payload" in row:
        return row
    if "ground_truth" in row:
        return _ground_truth(row["ground_truth"], source)
    reward = row.get("reward_model")
    if isinstance(reward, dict) and "ground_truth" in reward:
        return _ground_truth(reward["ground_truth"], source)
    if "completion" in row or "messages" in row:
        raise FactoryError(
            f"{source}: an SFT row carries no ground truth; verify with "
            f"--problem-id {row.get('problem_id', 'ID')} --dataset <the built version>"
        )
    return row  # validation names what is missing


def _ground_truth(value: Any, source: str) -> dict[str, Any]:
    """The problem record an export row carries as its ground truth (JSON text or object)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            why = f"field 'ground_truth' is not valid JSON ({error})"
            raise FactoryError(f"{source}: {why}") from None
    if not isinstance(value, dict):
        raise FactoryError(f"{source}: field 'ground_truth' does not hold a problem record")
    return value


def find_problem(dataset: Path, problem_id: str) -> Problem:
    """Look ``problem_id`` up in a built version (its data files, checked against its
    manifest) or in a file of ``factory export`` (jsonl, verl, trl)."""
    source = f"{dataset}:{problem_id}"
    if dataset.is_file():
        return problem_from_row(problem_record(_exported_row(dataset, problem_id), source), source)
    manifest = load_verified_manifest(dataset)
    files = [dataset / e.path for e in manifest.files if is_data_file(e.path)]
    if not files:
        raise FactoryError(f"{dataset}: the manifest lists no data files")
    rows = pl.scan_parquet(files).filter(pl.col("problem_id") == problem_id).collect()
    if rows.height == 0:
        raise FactoryError(f"{dataset}: no problem with id {problem_id}")
    return problem_from_row(rows.row(0, named=True), source)


def _exported_row(path: Path, problem_id: str) -> dict[str, Any]:
    """The row of ``problem_id`` in an exported JSON Lines or Parquet file."""
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise FactoryError(f"{path}: line {number} is not JSON ({error})") from None
                if isinstance(row, dict) and row.get("problem_id") == problem_id:
                    return row
        raise FactoryError(f"{path}: no row with problem_id {problem_id}")
    try:
        scan = pl.scan_parquet(path)
        columns = scan.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as error:
        raise FactoryError(f"{path}: neither JSON Lines nor Parquet ({error})") from None
    if "problem_id" not in columns and "extra_info" not in columns:
        raise FactoryError(f"{path}: not a file of `factory export` (no problem_id column)")
    ids = (
        pl.col("problem_id")
        if "problem_id" in columns
        else pl.col("extra_info").struct.field("problem_id")  # verl
    )
    rows = scan.filter(ids == problem_id).collect()
    if rows.height == 0:
        raise FactoryError(f"{path}: no row with problem_id {problem_id}")
    return rows.row(0, named=True)
