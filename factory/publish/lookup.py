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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FactoryError(f"{path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise FactoryError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise FactoryError(f"{path}: expected a JSON object with the problem's fields")
    if "payload" not in data and "ground_truth" in data:  # a row of `factory export`
        data = _ground_truth(data["ground_truth"], path)
    return problem_from_row(data, str(path))


def _ground_truth(value: Any, path: Path) -> dict[str, Any]:
    """The problem record an export row carries in ``ground_truth`` (JSON text or object)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            why = f"field 'ground_truth' is not valid JSON ({error})"
            raise FactoryError(f"{path}: {why}") from None
    if not isinstance(value, dict):
        raise FactoryError(f"{path}: field 'ground_truth' does not hold a problem record")
    return value


def find_problem(dataset_dir: Path, problem_id: str) -> Problem:
    """Look ``problem_id`` up in the data files of a version that matches its manifest."""
    manifest = load_verified_manifest(dataset_dir)
    files = [dataset_dir / e.path for e in manifest.files if is_data_file(e.path)]
    if not files:
        raise FactoryError(f"{dataset_dir}: the manifest lists no data files")
    rows = pl.scan_parquet(files).filter(pl.col("problem_id") == problem_id).collect()
    if rows.height == 0:
        raise FactoryError(f"{dataset_dir}: no problem with id {problem_id}")
    return problem_from_row(rows.row(0, named=True), f"{dataset_dir}:{problem_id}")
