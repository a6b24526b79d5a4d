"""Reading long traces to rewrite: Parquet, JSON Lines, saved datasets, column mapping."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from factory.errors import FactoryError
from factory.rewrite.inputs import ColumnMapping, load_long_traces

ROWS = [
    {"q": "What is 2+2?", "cot": "2+2 is 4. <answer>4</answer>", "ref": "4", "uid": "a"},
    {"q": "Capital of France?", "cot": "It is Paris.", "ref": "Paris", "uid": "b"},
]
MAPPING = ColumnMapping(question="q", trace="cot", answer="ref", id="uid")


def write_all_formats(tmp_path):
    parquet = tmp_path / "traces.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), parquet)
    jsonl = tmp_path / "traces.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    from datasets import Dataset

    saved = tmp_path / "saved"
    Dataset.from_list(ROWS).save_to_disk(str(saved))
    return [parquet, jsonl, saved]


def test_every_format_reads_the_same_traces(tmp_path):
    loaded = [load_long_traces(path, MAPPING) for path in write_all_formats(tmp_path)]
    assert loaded[0] == loaded[1] == loaded[2]
    assert [(t.id, t.question, t.answer) for t in loaded[0]] == [
        ("a", "What is 2+2?", "4"),
        ("b", "Capital of France?", "Paris"),
    ]


def test_a_missing_column_is_named_with_the_columns_there_are(tmp_path):
    path = write_all_formats(tmp_path)[0]
    mapping = ColumnMapping(question="question", trace="cot", answer="ref")
    with pytest.raises(FactoryError, match=r"no column 'question'; its columns are q, cot, ref"):
        load_long_traces(path, mapping)


def test_bad_lines_and_values_are_named(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(ROWS[0]) + "\n{not json\n")
    with pytest.raises(FactoryError, match=r"broken.jsonl: line 2 is not JSON"):
        load_long_traces(broken, MAPPING)
    numeric = tmp_path / "numeric.jsonl"
    numeric.write_text(json.dumps({**ROWS[0], "cot": 5}) + "\n")
    with pytest.raises(FactoryError, match=r"row 0, column 'cot': expected text"):
        load_long_traces(numeric, MAPPING)
    with pytest.raises(FactoryError, match="unsupported input"):
        load_long_traces(tmp_path / "traces.csv", MAPPING)


def test_a_mapping_needs_something_to_verify_with():
    with pytest.raises(ValidationError, match="give `answer`"):
        ColumnMapping(question="q", trace="cot")
