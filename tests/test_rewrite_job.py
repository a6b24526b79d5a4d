"""``factory rewrite`` with the rule method, end to end on our long-trace corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cli.main import main
from factory.errors import FactoryError
from factory.rewrite.corpus import long_trace_corpus
from factory.rewrite.job import DATA_FILE, RewriteConfig, run_rewrite, verify
from factory.scoring.answers import task_checker
from schemas.records import Problem


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    pairs = long_trace_corpus(40, seed=7)
    path = tmp_path_factory.mktemp("input") / "long.parquet"
    table = pa.Table.from_pylist(
        [
            {"uid": f"row-{i}", "problem": p.model_dump_json(), "question": p.prompt, "trace": t}
            for i, (p, t) in enumerate(pairs)
        ]
    )
    pq.write_table(table, path)
    return path


def config(tmp_path: Path, source: Path, **changes) -> RewriteConfig:
    fields = {
        "name": "concise",
        "version": "1.0.0",
        "output_root": str(tmp_path / "out"),
        "input": str(source),
        "columns": {"problem": "problem", "id": "uid"},
        "method": "rule",
    } | changes
    return RewriteConfig.model_validate(fields)


def test_rule_rewrites_are_verified_shorter_and_deterministic(tmp_path, corpus_file):
    result = run_rewrite(config(tmp_path, corpus_file))
    rows = pq.read_table(result.version_dir / DATA_FILE).to_pylist()
    assert len(rows) == 40
    kept = [r for r in rows if r["kept_rewrite"]]
    assert len(kept) >= 30  # the corpus pads every trace with redundant re-checks
    for row in rows:
        problem = Problem.model_validate_json(
            pq.read_table(corpus_file).column("problem")[int(row["id"][4:])].as_py()
        )
        ok, _ = verify(row["rewritten_trace"], task_checker(problem))
        assert ok == row["verified_after"]
        assert row["method"] == "rule" and row["difficulty"] is None
        assert row["answer"] == problem.answer
    for row in kept:
        assert row["verified_after"] and row["tokens_after"] < row["tokens_before"]
        assert row["rewritten_trace"].rstrip().endswith("</answer>")
    for row in rows:
        if not row["kept_rewrite"]:
            assert row["rewritten_trace"] == row["source_trace"] and row["reason"]
    assert all(r["verified_before"] for r in rows)
    assert sum(r["verified_after"] for r in rows) == sum(r["verified_before"] for r in rows)

    manifest = json.loads((result.version_dir / "manifest.json").read_text())
    figures = manifest["figures"]
    assert figures["kept_rewrites"] == len(kept)
    assert figures["accuracy_before"] == figures["accuracy_after"] == 1.0
    assert figures["mean_token_reduction"] > 0.2
    assert manifest["files"][DATA_FILE] == _sha256(result.version_dir / DATA_FILE)
    card = (result.version_dir / "README.md").read_text()
    assert "mean token reduction" in card and f"| rewrites kept | {len(kept)} |" in card
    assert not [p for p in result.version_dir.parent.iterdir() if p.name.startswith(".")]

    again = run_rewrite(config(tmp_path / "second", corpus_file))
    assert (again.version_dir / DATA_FILE).read_bytes() == (
        result.version_dir / DATA_FILE
    ).read_bytes()


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_existing_version_is_refused_unless_overwritten(tmp_path, corpus_file):
    first = run_rewrite(config(tmp_path, corpus_file))
    marker = first.version_dir / "marker"
    marker.write_text("old")
    with pytest.raises(FactoryError, match="exists; pass --overwrite"):
        run_rewrite(config(tmp_path, corpus_file))
    assert marker.exists()
    run_rewrite(config(tmp_path, corpus_file), overwrite=True)
    assert not marker.exists() and (first.version_dir / DATA_FILE).exists()


def test_reference_answers_from_jsonl(tmp_path):
    source = tmp_path / "external.jsonl"
    rows = [
        # correct early, then redundant re-checks: cut
        {
            "q": "What is 6 * 7?",
            "cot": "6 * 7 = 42. So the answer is 42.\nWait, let me check again. 7 * 6 is "
            "42 as well, and 6 * 7 is still 42. Hmm, yes.\n\\boxed{42}",
            "gold": "42",
        },
        # wrong final answer: not rewritten
        {"q": "What is 2 + 2?", "cot": "2 + 2 = 5.\nThe answer is 5.", "gold": "4"},
        # correct, nothing to cut
        {"q": "Capital of France?", "cot": "Paris.\n<answer>paris</answer>", "gold": "Paris"},
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    columns = {"question": "q", "trace": "cot", "answer": "gold"}
    result = run_rewrite(config(tmp_path, source, columns=columns))
    out = pq.read_table(result.version_dir / DATA_FILE).to_pylist()
    assert [r["id"] for r in out] == ["0", "1", "2"]
    assert [r["verified_before"] for r in out] == [True, False, True]
    assert [r["kept_rewrite"] for r in out] == [True, False, False]
    assert out[0]["tokens_after"] < out[0]["tokens_before"]
    assert "42" in out[0]["rewritten_trace"] and "Hmm" not in out[0]["rewritten_trace"]
    assert "source not verified (wrong final answer '5')" in out[1]["reason"]
    assert out[2]["reason"].startswith("no rewrite: nothing to cut")


def test_a_missing_column_is_named(tmp_path, corpus_file):
    with pytest.raises(FactoryError, match="no column 'answer_text'"):
        run_rewrite(config(tmp_path, corpus_file, columns={"answer": "answer_text"}))


def test_cli_rewrites_and_reports_errors_without_traceback(tmp_path, corpus_file, capsys):
    fields = config(tmp_path, corpus_file).model_dump(mode="json", exclude_none=True)
    good = tmp_path / "rewrite.yaml"
    good.write_text(yaml.safe_dump(fields))
    assert main(["rewrite", str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rewrote concise 1.0.0: ") and "rewrites kept" in out

    assert main(["rewrite", str(good)]) == 2
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert main(["rewrite", str(good), "--overwrite"]) == 0
    capsys.readouterr()

    missing = tmp_path / "missing.yaml"
    missing.write_text(yaml.safe_dump(fields | {"version": "2", "columns": {"answer": "gold"}}))
    assert main(["rewrite", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no column 'gold'" in err and "Traceback" not in err

    bad = tmp_path / "bad.yaml"
    for change, field in (({"confirmations": 0}, "confirmations: "), ({"method": "teacher"}, "")):
        bad.write_text(yaml.safe_dump(fields | change))
        assert main(["rewrite", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {bad}: {field}") and "Traceback" not in err
    assert "teacher: method 'teacher' needs a teacher model" in err


def test_a_row_that_is_not_a_problem_record_is_named(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"question": "q", "trace": "t", "problem": {"task": 3}}) + "\n")
    with pytest.raises(FactoryError, match=r"row 0, column 'problem': not a Problem record"):
        run_rewrite(config(tmp_path, source, columns={"problem": "problem"}))


def test_cli_rewrites_a_data_file_given_only_its_columns(tmp_path):
    import json
    import subprocess
    import sys

    import pyarrow.parquet as pq

    source = tmp_path / "long.jsonl"
    trace = "So the answer is 12. Wait, let me verify: 3*4 = 12. Hmm, yes. The answer is 12."
    source.write_text(json.dumps({"q": "3*4?", "cot": trace, "ref": "12"}) + "\n")
    command = [sys.executable, "-m", "cli.main", "rewrite", str(source)]
    command += ["--question", "q", "--trace", "cot", "--answer", "ref"]
    command += ["--output-root", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1/1 rewrites kept" in done.stdout
    row = pq.read_table(tmp_path / "out" / "long" / "0.1.0" / "data").to_pylist()[0]
    assert row["rewritten_trace"].startswith("So the answer is 12.")
    assert "Wait" not in row["rewritten_trace"]
    assert row["tokens_after"] < row["tokens_before"]

    missing = subprocess.run(command[:5] + ["--trace", "cot"], capture_output=True, text=True)
    assert missing.returncode == 2
    assert "give `answer`" in missing.stderr and "Traceback" not in missing.stderr


def test_publish_refuses_a_row_that_claims_a_trace_verifies_when_it_does_not():
    from factory.rewrite.job import _unverified
    from factory.scoring.answers import reference_checker

    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "rewritten_trace": ["<answer>42</answer>", "<answer>41</answer>", "no answer"],
            "verified_after": [True, True, False],
        }
    )
    checkers = [reference_checker("42")] * 3
    assert _unverified(table, checkers) == ["b: wrong final answer '41'"]
