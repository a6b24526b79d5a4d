"""Decoding records from Arrow with the cyclic garbage collector paused: the same records,
and the collector left as it was found, whatever happens in the block. Canonical JSON is
``json.dumps``'s with sorted keys and compact separators, text and errors alike."""

from __future__ import annotations

import gc
import json
import json.encoder
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.base import make_problem
from generators.registry import get_task
from schemas import arrow
from schemas.arrow import canonical_json, decode_json, from_table, gc_paused, to_table
from schemas.records import Problem


@pytest.fixture
def gc_restored():
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_from_table_decodes_the_same_records_and_leaves_the_collector_as_it_was(
    enabled, gc_restored
):
    task = get_task("nlsat")
    problems = [make_problem(task, task.config_for_level(3), 0, i, 3) for i in range(20)]
    (gc.enable if enabled else gc.disable)()
    assert from_table(to_table(problems, Problem), Problem) == problems
    assert gc.isenabled() is enabled


def test_the_collector_comes_back_on_after_an_error(gc_restored):
    gc.enable()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def _same(a: object, b: object) -> bool:
    """Equal values of the same types, dict keys in the same order (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return a == b


def _loads_or_error(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        return error


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_decode_json_gives_json_loads_value_on_what_we_store(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert _same(decode_json(text), json.loads(text))
    assert _same(decode_json(canonical_json(value)), json.loads(canonical_json(value)))


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from('{}[]",:-+.eE0123456789 \\ntruefalsnNIfiy\ud800u'))
    | st.text()
)
def test_decode_json_takes_only_what_json_loads_takes_and_decodes_it_alike(text):
    expected = _loads_or_error(text)
    if isinstance(expected, Exception):
        with pytest.raises(ValueError):
            decode_json(text)
    else:
        assert _same(decode_json(text), expected)


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud800"',  # an escaped lone surrogate: pydantic-core refuses, json takes it
        "NaN",
        "[Infinity,-Infinity,-0.0,1e400]",
        "123456789012345678901234567890",
        '{"a":1,"a":2}',
        "[" * 5000 + "]" * 5000,  # deeper than either parser's limit
        "9" * 5000,  # more digits than Python converts
        " [1] ",
    ],
)
def test_decode_json_edge_cases_match_json_loads(text):
    expected = _loads_or_error(text)
    if isinstance(expected, Exception):
        with pytest.raises((ValueError, RecursionError)):
            decode_json(text)
    else:
        assert _same(decode_json(text), expected)


def _dumps(value: object) -> str:
    """What canonical JSON is: ``json.dumps`` with sorted keys and compact separators."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Text(str):
    pass


class _Number(int):
    pass


CANONICAL_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.text().map(_Text)
    | st.integers().map(_Number),
    lambda children: (
        st.lists(children, max_size=5)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5), children, max_size=5)
        | st.dictionaries(st.integers() | st.floats() | st.booleans(), children, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=CANONICAL_VALUES)
def test_canonical_json_is_json_dumps_with_sorted_keys(value):
    assert canonical_json(value) == _dumps(value)


@pytest.mark.parametrize("value", [{1: "a", "b": 2}, [1, object()], {"a": {1, 2}}])
def test_canonical_json_refuses_what_json_dumps_refuses(value):
    with pytest.raises(TypeError):
        _dumps(value)
    with pytest.raises(TypeError):
        canonical_json(value)


def test_a_cycle_ends_in_recursion_error():
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(RecursionError):
        canonical_json(cycle)


def test_without_the_c_encoder_canonical_json_is_the_encoder_s_own(monkeypatch):
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    encode = arrow._one_shot_encoder()
    value = {"b": [1, 2.5, None, True, "é\n"], "a": {}, "c": (float("nan"),)}
    assert encode == arrow._CANONICAL.encode
    assert encode(value) == canonical_json(value) == _dumps(value)
