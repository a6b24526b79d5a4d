"""Parquet schemas derived from the records, and lossless round trips through Arrow."""

from __future__ import annotations

import pyarrow as pa
import pytest

from schemas.arrow import arrow_schema, canonical_json, from_table, to_table
from schemas.ids import derive_seed, problem_id, trace_id
from schemas.records import DatasetRecord, Problem, Scores, Trace, Verdict


def test_schema_maps_field_types():
    schema = arrow_schema(Problem)
    assert schema.names == list(Problem.model_fields)
    assert schema.field("seed").type == pa.int64()
    assert schema.field("level").nullable and schema.field("level").type == pa.int64()
    assert schema.field("config").type == pa.string()  # dicts are canonical JSON
    assert not schema.field("prompt").nullable


@pytest.mark.parametrize("model", [Problem, Trace, Verdict, Scores, DatasetRecord])
def test_every_record_type_has_a_schema(model):
    assert len(arrow_schema(model)) == len(model.model_fields)


def test_round_trip_keeps_nested_values():
    problem = Problem(
        problem_id="p",
        task="t",
        generator_version="1",
        seed=1,
        index=2,
        level=None,
        config={"b": 1, "a": [1, 2]},
        prompt="q",
        answer="a",
        payload={"nested": {"x": True, "y": None}},
    )
    table = to_table([problem], Problem)
    assert table.column("config")[0].as_py() == '{"a":[1,2],"b":1}'
    assert from_table(table, Problem) == [problem]


def test_canonical_json_is_order_independent():
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})


def test_ids_are_content_hashes():
    base = problem_id("t", "t", "1", {"n": 2}, 0, 5)
    assert base == problem_id("t", "t", "1", {"n": 2}, 0, 5)
    assert base != problem_id("t", "t", "1", {"n": 3}, 0, 5)
    assert base != problem_id("t", "t", "2", {"n": 2}, 0, 5)
    assert base != problem_id("t", "other", "1", {"n": 2}, 0, 5)
    assert trace_id(base, "solver", None, {}, 0) != trace_id(base, "solver", None, {}, 1)
    assert derive_seed(0, "t", 1) != derive_seed(0, "t", 2) != derive_seed(1, "t", 1)
