"""The one place where Parquet/Arrow schemas are derived from the pydantic records.

Mapping: ``str`` → string, ``int`` → int64, ``float`` → float64, ``bool`` → bool,
``X | None`` → nullable X, ``list[X]`` → list<X>, ``dict``/``Any`` → string holding
canonical JSON (sorted keys, no spaces) so that rows are byte-stable.
"""

from __future__ import annotations

import gc
import json
import json.encoder
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import pyarrow as pa
from pydantic import BaseModel, TypeAdapter
from pydantic_core import from_json

M = TypeVar("M", bound=BaseModel)

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
}


# No circular-reference bookkeeping (a dict entry per container encoded, ~15% of the time):
# what is stored is decoded JSON or record fields, never cyclic; a cycle would end in
# RecursionError instead of ValueError.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)


def _one_shot_encoder() -> Callable[[Any], str]:
    """``_CANONICAL.encode``, or the C encoder that it makes anew for every value, made once
    (~15% of a small value's encoding): the same encoder, so the same text and errors. The
    pure-Python ``json`` (no C encoder) keeps ``encode``."""
    make = json.encoder.c_make_encoder
    if make is None:
        return _CANONICAL.encode
    encoder = make(
        None,  # markers: no circular check, as _CANONICAL
        _CANONICAL.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        _CANONICAL.key_separator,
        _CANONICAL.item_separator,
        _CANONICAL.sort_keys,
        _CANONICAL.skipkeys,
        _CANONICAL.allow_nan,
    )
    return lambda value: "".join(encoder(value, 0))


_encode = _one_shot_encoder()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and compact separators: equal values give equal bytes."""
    return _encode(value)


def decode_json(text: str) -> Any:
    """``json.loads(text)``, by pydantic-core's parser where it takes the text: ~1.6× faster
    on stored payloads, and the same value (types, key order, NaN and big integers
    included) for every text both take (``tests/test_arrow.py`` fuzzes the two). What it
    refuses, such as a lone surrogate, goes to ``json.loads``, which decides."""
    try:
        return from_json(text)
    except (ValueError, TypeError):
        return json.loads(text)


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


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """Arrow schema of a record type, fields in declaration order."""
    fields = []
    for name, info in model.model_fields.items():
        _, optional = _unwrap_optional(info.annotation)
        fields.append(pa.field(name, _arrow_type(info.annotation), nullable=optional))
    return pa.schema(fields)


@cache
def _json_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(n for n, info in model.model_fields.items() if _is_json_field(info.annotation))


@cache
def _list_of(model: type[M]) -> TypeAdapter[list[M]]:
    """Validates a whole column of rows in one call (much cheaper than one call a row)."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def to_table(records: Iterable[BaseModel], model: type[BaseModel]) -> pa.Table:
    """Records → Arrow table with the derived schema (dict fields as canonical JSON).

    Built column by column from the attributes, without a ``model_dump`` a record: the
    fields are plain values already (no nested models), so the columns are the same."""
    records = list(records)
    schema = arrow_schema(model)
    json_fields = _json_fields(model)
    columns = []
    for field in schema:
        values = [getattr(record, field.name) for record in records]
        if field.name in json_fields:
            values = [canonical_json(value) for value in values]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (back on after, if it was on).

    For code that builds many long-lived containers without cycles, such as decoded
    JSON: each batch of new containers would set off a collection that walks them all
    again, which costs several times the decoding itself in a process holding many
    objects. Nothing is leaked: the next collection after the block sees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def from_table(table: pa.Table, model: type[M]) -> list[M]:
    """Arrow table (as written by :func:`to_table`) → validated records."""
    json_fields = _json_fields(model) & set(table.column_names)
    with gc_paused():
        rows = table.to_pylist()
        for row in rows:
            for name in json_fields:
                if row[name] is not None:
                    row[name] = decode_json(row[name])
        return _list_of(model).validate_python(rows)
