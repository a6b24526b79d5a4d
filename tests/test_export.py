"""``factory export`` on a real build: verl/TRL/JSONL/SFT layouts, rewards on every row,
determinism, subsets, system prompts, prompt lengths, refusal of corrupt or unwritable
input and of trace sources a version does not have."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli import export as cli_export
from factory import rewards
from factory.config import parse_build_config
from factory.errors import FactoryError
from factory.publish.export import (
    SFT_SCHEMAS,
    TRL_SCHEMA,
    VERL_SCHEMA,
    ExportOptions,
    export_dataset,
    with_think,
)
from factory.publish.integrity import IntegrityError
from factory.publish.lookup import problem_from_row
from factory.rewards import compute_score, encode_ground_truth, format_score, verifier_reward
from factory.rewrite.job import RewriteConfig, run_rewrite
from factory.storage.hashing import sha256_file
from generators.extract import extract_answer
from pipelines.build import run_build
from schemas.records import Problem
from tests.answer_perturb import perturb

SUBSETS = ["knights_knaves", "nlsat_assignment", "nlsat_consistency", "sudoku"]


@pytest.fixture(scope="module")
def version_dir(tmp_path_factory) -> Path:
    config = parse_build_config(
        {
            "name": "rl",
            "seed": 3,
            "output_root": str(tmp_path_factory.mktemp("build")),
            "shard_size": 5,
            "tasks": [
                {"task": "knights_knaves", "count": 12, "levels": [1, 3, 5]},
                {
                    "task": "nlsat",
                    "name": "nlsat_assignment",
                    "count": 6,
                    "levels": [1, 2],
                    "knobs": {"question": "assignment"},
                },
                {
                    "task": "nlsat",
                    "name": "nlsat_consistency",
                    "count": 6,
                    "levels": [1, 2],
                    "knobs": {"question": "consistency"},
                },
                {"task": "sudoku", "count": 5, "levels": [1]},
            ],
        }
    )
    return run_build(config, workers=1).layout.version_dir


@pytest.fixture(scope="module")
def dataset_rows(version_dir) -> list[dict]:
    """Every row of the built dataset with its subset, in manifest (= export) order."""
    rows = []
    manifest = json.loads((version_dir / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"].startswith("data/"):
            for row in pq.read_table(version_dir / entry["path"]).to_pylist():
                rows.append({**row, "subset": entry["path"].split("/")[1]})
    return rows


@pytest.fixture(scope="module")
def exports(version_dir, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    return {
        fmt: export_dataset(version_dir, fmt, out / f"rl.{fmt}").path
        for fmt in ("verl", "trl", "jsonl")
    }


def test_verl_layout_carries_each_problem(exports, dataset_rows):
    table = pq.read_table(exports["verl"])
    assert table.schema.equals(VERL_SCHEMA)
    rows = table.to_pylist()
    assert len(rows) == len(dataset_rows) == 29
    for index, (row, source) in enumerate(zip(rows, dataset_rows, strict=True)):
        assert row["data_source"] == f"reasoning_factory/{source['task']}"
        assert row["prompt"] == [{"role": "user", "content": source["prompt"]}]
        assert row["ability"] == "logic"
        assert row["reward_model"]["style"] == "rule"
        truth = Problem.model_validate_json(row["reward_model"]["ground_truth"])
        assert truth == problem_from_row(source, "dataset")
        assert row["extra_info"] == {
            "split": "train",
            "index": index,
            "problem_id": source["problem_id"],
            "task": source["task"],
            "subset": source["subset"],
            "level": source["level"],
        }
    assert {row["extra_info"]["subset"] for row in rows} == set(SUBSETS)


def test_verl_export_loads_with_datasets(exports):
    import datasets

    loaded = datasets.load_dataset("parquet", data_files=str(exports["verl"]), split="train")
    first = loaded[0]
    assert first["prompt"][0]["role"] == "user"
    assert first["reward_model"]["style"] == "rule"
    assert isinstance(first["extra_info"]["index"], int)


def test_reference_traces_score_one_and_perturbed_answers_less(exports, dataset_rows):
    rows = {r["extra_info"]["problem_id"]: r for r in pq.read_table(exports["verl"]).to_pylist()}
    for source in dataset_rows:
        row = rows[source["problem_id"]]
        truth = row["reward_model"]["ground_truth"]
        trace = source["reference_trace"]
        assert compute_score(row["data_source"], trace, truth, row["extra_info"]) == 1.0
        chat = [{"role": "assistant", "content": trace}]
        assert verifier_reward([trace, chat], [truth, truth]) == [1.0, 1.0]
        wrong = perturb(source["task"], source["answer"], json.loads(source["payload"]))
        completion = f"Checking each case in turn.\n<answer>\n{wrong}\n</answer>"
        assert compute_score(row["data_source"], completion, truth, row["extra_info"]) < 1.0
        assert verifier_reward([completion], [truth])[0] < 1.0


def test_trl_layout_feeds_the_reward_its_columns(exports, dataset_rows):
    table = pq.read_table(exports["trl"])
    assert table.schema.equals(TRL_SCHEMA)
    columns = table.to_pydict()
    assert columns["problem_id"] == [r["problem_id"] for r in dataset_rows]
    assert columns["subset"] == [r["subset"] for r in dataset_rows]
    assert columns["prompt"][0] == [{"role": "user", "content": dataset_rows[0]["prompt"]}]
    # GRPOTrainer passes every column but the prompt as a keyword argument.
    extra = {name: values for name, values in columns.items() if name != "prompt"}
    completions = [[{"role": "assistant", "content": r["reference_trace"]}] for r in dataset_rows]
    assert verifier_reward(completions, **extra) == [1.0] * len(dataset_rows)


def test_jsonl_has_one_object_per_problem(exports, dataset_rows):
    lines = exports["jsonl"].read_text(encoding="utf-8").splitlines()
    verl = pq.read_table(exports["verl"]).column("reward_model").to_pylist()
    assert len(lines) == len(dataset_rows)
    for line, source, reward_model in zip(lines, dataset_rows, verl, strict=True):
        record = json.loads(line)
        assert list(record) == sorted(record)
        assert record == {
            "problem_id": source["problem_id"],
            "task": source["task"],
            "subset": source["subset"],
            "level": source["level"],
            "prompt": source["prompt"],
            "answer": source["answer"],
            "ground_truth": reward_model["ground_truth"],
        }


@pytest.mark.parametrize("fmt", ["verl", "trl", "jsonl"])
def test_exports_are_byte_identical(version_dir, exports, tmp_path, fmt):
    again = export_dataset(version_dir, fmt, tmp_path / "again").path
    assert again.read_bytes() == exports[fmt].read_bytes()


def test_subsets_are_selected_and_unknown_ones_named(version_dir, tmp_path):
    result = export_dataset(
        version_dir, "jsonl", tmp_path / "x.jsonl", ["sudoku", "nlsat_assignment"]
    )
    subsets = [json.loads(line)["subset"] for line in result.path.read_text().splitlines()]
    assert result.rows == 11
    assert subsets == ["nlsat_assignment"] * 6 + ["sudoku"] * 5  # manifest order
    with pytest.raises(FactoryError, match="--subset zebra: not in rl 0.1.0 .*knights_knaves"):
        export_dataset(version_dir, "jsonl", tmp_path / "y.jsonl", ["zebra"])
    assert not (tmp_path / "y.jsonl").exists()


def test_corrupt_dataset_is_refused_with_the_file_named(version_dir, tmp_path):
    copy = tmp_path / "rl" / "0.1.0"
    shutil.copytree(version_dir, copy)
    victim = copy / "data" / "sudoku" / "train-00000.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    output = tmp_path / "out.parquet"
    with pytest.raises(IntegrityError, match="data/sudoku/train-00000.parquet: sha256 mismatch"):
        export_dataset(copy, "verl", output)
    assert list(tmp_path.iterdir()) == [tmp_path / "rl"]


def test_bad_row_stops_the_export_and_leaves_no_file(version_dir, tmp_path):
    """A row that is not a valid problem (a payload that is not JSON, re-hashed into the
    manifest so the integrity check passes) fails naming file and row; nothing is written."""
    copy = tmp_path / "rl" / "0.1.0"
    shutil.copytree(version_dir, copy)
    relative = "data/sudoku/train-00000.parquet"
    table = pq.read_table(copy / relative)
    payloads = table.column("payload").to_pylist()
    payloads[2] = "{not json"
    table = table.set_column(table.schema.get_field_index("payload"), "payload", [payloads])
    pq.write_table(table, copy / relative)
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == relative:
            entry.update(
                sha256=sha256_file(copy / relative), bytes=(copy / relative).stat().st_size
            )
    (copy / "manifest.json").write_text(json.dumps(manifest))
    output = tmp_path / "out" / "rl.parquet"
    with pytest.raises(FactoryError, match=r"sudoku/train-00000.parquet row 2: field 'payload'"):
        export_dataset(copy, "verl", output)
    assert list(output.parent.iterdir()) == []


def test_output_inside_the_version_is_refused(version_dir):
    with pytest.raises(FactoryError, match="inside the dataset version"):
        export_dataset(version_dir, "jsonl", version_dir / "export.jsonl")
    assert not (version_dir / "export.jsonl").exists()


def test_unknown_format_is_refused(version_dir, tmp_path):
    with pytest.raises(FactoryError, match="--format 'csv': expected one of verl, trl, jsonl"):
        export_dataset(version_dir, "csv", tmp_path / "x.csv")


def run_cli(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="factory")
    cli_export.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.func(args)


def test_cli_writes_the_default_path_and_names_the_reward(
    version_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    run_cli(["export", str(version_dir), "--format", "verl", "--subset", "knights_knaves"])
    out = capsys.readouterr().out
    assert "exported 12 problems (verl) → rl-0.1.0-verl.parquet" in out
    assert " reward.custom_reward_function.name=compute_score" in out
    path_arg = out.split(" reward.custom_reward_function.path=")[1].split()[0]
    assert Path(path_arg) == Path(rewards.__file__)
    assert pq.read_table(tmp_path / "rl-0.1.0-verl.parquet").num_rows == 12
    assert "longest prompt: " in out and "whitespace words" in out
    assert "data.max_prompt_length=" in out


def sft(version_dir: Path, output: Path, subsets=None, **options) -> tuple[list[dict], object]:
    result = export_dataset(version_dir, "sft", output, subsets, options=ExportOptions(**options))
    return pq.read_table(result.path).to_pylist(), result


def test_sft_prompt_completion_holds_the_reference_traces(version_dir, dataset_rows, tmp_path):
    rows, result = sft(version_dir, tmp_path / "sft.parquet", system_prompt="Be brief.")
    assert pq.read_schema(result.path).equals(SFT_SCHEMAS["prompt-completion"])
    assert len(rows) == result.rows == len(dataset_rows)
    for row, source in zip(rows, dataset_rows, strict=True):
        assert row["prompt"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": source["prompt"]},
        ]
        assert row["completion"] == [{"role": "assistant", "content": source["reference_trace"]}]
        ids = ("problem_id", "task", "subset", "split", "level")
        assert {k: row[k] for k in ids} == {k: source[k] for k in ids}


def test_sft_messages_layout_with_think_keeps_every_answer(version_dir, dataset_rows, tmp_path):
    rows, _ = sft(version_dir, tmp_path / "m.parquet", layout="messages", think=True)
    for row, source in zip(rows, dataset_rows, strict=True):
        user, assistant = row["messages"]
        assert user == {"role": "user", "content": source["prompt"]}
        text = assistant["content"]
        assert assistant["role"] == "assistant" and text.startswith("<think>\n")
        assert extract_answer(text).answer == extract_answer(source["reference_trace"]).answer
        assert format_score(text) == 1.0
        truth = encode_ground_truth(problem_from_row(source, "dataset"))
        assert verifier_reward([text], [truth]) == [1.0]


def test_with_think_wraps_the_reasoning_once():
    wrapped = "<think>\na\nb\n</think>\n<ANSWER>x</ANSWER>"
    assert with_think("a\nb\n<ANSWER>x</ANSWER>") == wrapped
    assert with_think("<think>a</think><answer>x</answer>") == "<think>a</think><answer>x</answer>"
    assert with_think("no answer") == "<think>\nno answer\n</think>\n"


def with_model_traces(version_dir: Path, copy: Path, producer: str, samples: list[dict]) -> None:
    """A copy of the version with a model-trace file for sudoku shard 0 in its manifest."""
    shutil.copytree(version_dir, copy)
    relative = f"{producer}_traces/sudoku/train-00000.parquet"
    (copy / relative).parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(samples), copy / relative)
    manifest = json.loads((copy / "manifest.json").read_text())
    size = (copy / relative).stat().st_size
    entry = {"path": relative, "sha256": sha256_file(copy / relative), "bytes": size}
    manifest["files"].append({**entry, "rows": len(samples)})
    (copy / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(("producer", "verified"), [("teacher", "passed"), ("rsd", "kept")])
def test_sft_from_model_traces_keeps_the_verified_samples(
    version_dir, dataset_rows, tmp_path, producer, verified
):
    sudoku = [r for r in dataset_rows if r["subset"] == "sudoku"]
    samples = [
        {"problem_id": r["problem_id"], "text": f"{r['problem_id']} sample {k}", verified: k == 1}
        for r in sudoku
        for k in range(3)
    ]
    copy = tmp_path / "rl" / "0.1.0"
    with_model_traces(version_dir, copy, producer, samples)
    rows, _ = sft(copy, tmp_path / "t.parquet", ["sudoku"], traces=producer)
    assert [r["completion"][0]["content"] for r in rows] == [
        f"{r['problem_id']} sample 1" for r in sudoku
    ]
    assert [r["prompt"][0]["content"] for r in rows] == [r["prompt"] for r in sudoku]
    assert {r["subset"] for r in rows} == {"sudoku"}


def test_a_trace_source_the_version_lacks_is_one_line(version_dir, tmp_path):
    for traces in ("teacher", "rsd", "rewritten"):
        with pytest.raises(FactoryError) as caught:
            sft(version_dir, tmp_path / "x.parquet", traces=traces)
        message = str(caught.value)
        assert message == f"--traces {traces}: rl 0.1.0 has no {traces} traces (there: reference)"
    with pytest.raises(FactoryError, match="--traces 'solver': expected one of reference"):
        sft(version_dir, tmp_path / "x.parquet", traces="solver")
    with pytest.raises(FactoryError, match="--traces, --layout, --think: only with --format sft"):
        export_dataset(version_dir, "trl", tmp_path / "x", options=ExportOptions(think=True))
    assert not (tmp_path / "x.parquet").exists()


def test_sft_from_a_rewrite_version(tmp_path):
    source = tmp_path / "long.jsonl"
    rows = [
        {"q": "What is 6 * 7?", "cot": "6 * 7 = 42.\nWait, 7 * 6 = 42.\n<answer>42</answer>"},
        {"q": "What is 2 + 2?", "cot": "2 + 2 = 5.\n<answer>5</answer>"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    answers = {"What is 6 * 7?": "42", "What is 2 + 2?": "4"}
    (tmp_path / "gold.jsonl").write_text(
        "".join(json.dumps({**r, "gold": answers[r["q"]]}) + "\n" for r in rows)
    )
    config = RewriteConfig.model_validate(
        {
            "name": "concise",
            "output_root": str(tmp_path / "out"),
            "input": str(tmp_path / "gold.jsonl"),
            "columns": {"question": "q", "trace": "cot", "answer": "gold"},
        }
    )
    version_dir = run_rewrite(config).version_dir
    out, result = sft(version_dir, tmp_path / "r.parquet", traces="rewritten", think=True)
    assert len(out) == result.rows == 1, "the trace that does not verify is left out"
    assert out[0]["prompt"] == [{"role": "user", "content": "What is 6 * 7?"}]
    assert out[0]["completion"][0]["content"].startswith("<think>\n6 * 7 = 42.")
    assert (out[0]["subset"], out[0]["split"], out[0]["task"]) == ("concise", "train", None)
    with pytest.raises(FactoryError, match="holds rewritten traces only"):
        export_dataset(version_dir, "trl", tmp_path / "x.parquet")
    (version_dir / "data" / "train-00000.parquet").write_bytes(b"tampered")
    with pytest.raises(IntegrityError, match="train-00000.parquet: missing or sha256 mismatch"):
        sft(version_dir, tmp_path / "r2.parquet", traces="rewritten")


def test_longest_prompt_is_measured_with_the_system_turn(version_dir, dataset_rows, tmp_path):
    longest = max(len(r["prompt"].split()) for r in dataset_rows)
    result = export_dataset(version_dir, "verl", tmp_path / "v.parquet")
    assert (result.tokenizer, result.longest_prompt, result.longest_sequence) == (
        "whitespace",
        longest,
        0,
    )
    options = ExportOptions(system_prompt="Think, then answer.")
    assert export_dataset(version_dir, "trl", tmp_path / "t", options=options).longest_prompt == (
        longest + 3
    )
    _, sft_result = sft(version_dir, tmp_path / "s.parquet")
    assert sft_result.longest_sequence == max(
        len(r["prompt"].split()) + len(r["reference_trace"].split()) for r in dataset_rows
    )


def test_system_prompt_is_refused_for_jsonl(version_dir, tmp_path):
    options = ExportOptions(system_prompt="x")
    with pytest.raises(FactoryError, match="--system-prompt: jsonl holds the prompt text alone"):
        export_dataset(version_dir, "jsonl", tmp_path / "x.jsonl", options=options)


def test_cli_sft_prints_the_sft_length_setting(version_dir, tmp_path, capsys):
    output = tmp_path / "s.parquet"
    flags = ["--format", "sft", "--layout", "messages", "--think", "--system-prompt", "Be brief."]
    run_cli(["export", str(version_dir), *flags, "--output", str(output)])
    out = capsys.readouterr().out
    assert "exported 29 examples (sft) → " in out and "SFTConfig(max_length=" in out
    assert pq.read_table(output).column("messages")[0].as_py()[0]["content"] == "Be brief."


def test_a_jsonl_export_row_is_a_record_factory_verify_accepts(exports, tmp_path, capsys):
    from cli.main import main

    row = json.loads(exports["jsonl"].read_text(encoding="utf-8").splitlines()[0])
    record = tmp_path / "row.json"
    record.write_text(json.dumps(row), encoding="utf-8")
    problem = json.loads(row["ground_truth"])
    verify = ["verify", row["task"], "--record", str(record), "--answer"]
    assert main([*verify, f"<answer>{problem['answer']}</answer>"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 1.0
    assert main([*verify, "<answer>?</answer>"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] < 1.0


def test_the_default_jsonl_name_has_no_repeated_format():
    from factory.publish.export import default_output

    assert default_output("quickstart", "0.1.0", "jsonl").name == "quickstart-0.1.0.jsonl"
    assert default_output("quickstart", "0.1.0", "verl").name == "quickstart-0.1.0-verl.parquet"
