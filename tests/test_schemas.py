"""Parquet schemas derived from the records, and lossless round trips through Arrow."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas.arrow import arrow_schema, canonical_json, from_table, to_table
from schemas.ids import Encoded, ProblemKeys, derive_seed, problem_digest, problem_id, trace_id
from schemas.records import (
    DatasetRecord,
    Problem,
    ProblemFrame,
    Scores,
    Trace,
    Verdict,
    problem_from_trusted,
)


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


def test_ids_are_pinned_to_the_published_values():
    """Recorded in published datasets: the fast encodings must hash the same bytes."""
    assert derive_seed(0, "t", 1) == 3198693495914415344
    assert derive_seed(2**40 + 3, 'süd"oku', 10**6) == 15936796120013038394
    knobs = {"n": 2, "ops": ["add"], "x": 1.5, "b": True, "z": None}
    pinned = "65c4728c59e0093800731553087c9e44"
    assert problem_id("t", "t", "1", knobs, 7, 3) == pinned
    assert problem_id("t", "t", "1", Encoded(canonical_json(knobs)), 7, 3) == pinned
    assert trace_id("abc", "solver", None, {"t": 0.5}, 2) == "c00819db1505fe6425316a59033b3232"
    # bool seeds/indices encode as JSON true/false, not as 1/0
    assert derive_seed(True, "t", 1) != derive_seed(1, "t", 1)


@pytest.mark.parametrize(
    ("task", "stream", "seed", "index"),
    [("t", "t", 7, 3), ('süd"oku', "sub", 2**70, 0), ("t", "t", True, 3), ("t", "t", 7, -1)],
)
def test_problem_keys_hash_what_problem_digest_hashes(task, stream, seed, index):
    knobs = Encoded(canonical_json({"n": 2, "ops": ["add"], "x": 1.5}))
    keys = ProblemKeys(task, stream, "1.2", knobs)
    assert keys.digest(seed, index) == problem_digest(task, stream, "1.2", knobs, seed, index)
    assert keys.digest(seed, index) == keys.digest(seed, index)  # the shared head is unchanged


_PROBLEM_VALUES = dict(
    problem_id="0" * 16,
    task="t",
    generator_version="1",
    seed=3,
    index=4,
    level=2,
    config={"n": 1},
    prompt="p",
    answer="a",
    payload={"grid": [[1, 2]], "k": None},
)


def test_trusted_problem_equals_the_validated_one():
    built, validated = problem_from_trusted(**_PROBLEM_VALUES), Problem(**_PROBLEM_VALUES)
    assert built == validated and built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set
    assert built.payload is not _PROBLEM_VALUES["payload"]  # copied, as validation copies


@pytest.mark.parametrize(
    "change",
    [{"seed": "3"}, {"answer": 5}, {"payload": {1: "x"}}, {"level": 2.0}, {"config": []}],
)
def test_trusted_problem_validates_anything_unexpected(change):
    values = dict(_PROBLEM_VALUES, **change)
    try:
        expected = Problem(**values)
    except ValidationError:
        with pytest.raises(ValidationError):
            problem_from_trusted(**values)
    else:
        assert problem_from_trusted(**values) == expected


def test_a_frame_shares_no_dict_with_its_caller_or_its_problems():
    config, payload = {"n": 1}, {"grid": [[1, 2]]}
    frame = ProblemFrame("t", "1", config)
    config["n"] = 2  # the caller's later edit does not reach the frame
    first = frame.problem("0" * 16, 3, 4, None, "p", "a", payload)
    first.config["n"] = 3
    second = frame.problem("0" * 16, 3, 4, None, "p", "a", payload)
    assert second.config == {"n": 1} and second.payload is not payload
    assert second == Problem(**dict(_PROBLEM_VALUES, config={"n": 1}, level=None, payload=payload))


def test_make_problem_caches_knobs_without_sharing_them():
    from generators.base import make_problem
    from generators.registry import get_task

    task = get_task("cipher")
    config = task.config_for_level(2)
    first = make_problem(task, config, 1, 0, 2)
    first.config["words"] = -1  # a caller editing its record must not leak into the next
    again = make_problem(task, config, 1, 0, 2)
    assert again.config == config.model_dump(mode="json")
    assert again.problem_id == problem_id(
        task.name, task.name, task.version, config.model_dump(mode="json"), 1, 0
    )
