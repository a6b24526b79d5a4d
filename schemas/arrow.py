"""The one place where Parquet/Arrow schemas are derived from the pydantic records.

Mapping: ``str`` → string, ``int`` → int64, ``float`` → float64, ``bool`` → bool,
``X | None`` → nullable X, ``list[X]`` → list<X>, ``dict``/``Any`` → string holding
canonical JSON (sorted keys, no spaces) so that rows are byte-stable.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

import pyarrow as pa
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
}


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and compact separators: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _is_json_field(annotation: Any) -> bool:
    annotation, _ = _unwrap_optional(annotation)
    return annotation is Any or typing.get_origin(annotation) is dict or annotation is dict


def _arrow_type(annotation: Any) -> pa.DataType:
    annotation, _ = _unwrap_optional(annotation)
    if _is_json_field(annotation):
        return pa.string()
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return pa.list_(_arrow_type(item))
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"no Arrow mapping for field type {annotation!r}")


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """Arrow schema of a record type, fields in declaration order."""
    fields = []
    for name, info in model.model_fields.items():
        _, optional = _unwrap_optional(info.annotation)
        fields.append(pa.field(name, _arrow_type(info.annotation), nullable=optional))
    return pa.schema(fields)


def _json_fields(model: type[BaseModel]) -> list[str]:
    return [n for n, info in model.model_fields.items() if _is_json_field(info.annotation)]


def to_table(records: Iterable[BaseModel], model: type[BaseModel]) -> pa.Table:
    """Records → Arrow table with the derived schema (dict fields as canonical JSON)."""
    json_fields = _json_fields(model)
    rows = []
    for record in records:
        row = record.model_dump()
        for name in json_fields:
            row[name] = canonical_json(row[name])
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=arrow_schema(model))


def from_table(table: pa.Table, model: type[M]) -> list[M]:
    """Arrow table (as written by :func:`to_table`) → validated records."""
    json_fields = _json_fields(model)
    records = []
    for row in table.to_pylist():
        for name in json_fields:
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
        records.append(model.model_validate(row))
    return records
