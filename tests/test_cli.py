"""The `factory` command line, end to end on real tasks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tasks_lists_one_line_per_task_under_its_family(capsys):
    from generators.registry import family_names, task_family, task_names

    code, out, _ = run(capsys, "tasks")
    assert code == 0
    lines = out.splitlines()
    headers = [line for line in lines if not line.startswith("  ")]
    plugins = ["plugin"] if "plugin" in map(task_family, task_names()) else []  # test tasks
    assert [h.split(" ")[0] for h in headers] == family_names() + plugins
    assert len(lines) == len(task_names()) + len(headers)
    [line] = [line for line in lines if line.startswith("  knights_knaves ")]
    assert "v1.1.0" in line and "Knights & Knaves" in line
    assert "knobs:" not in out
    family = None
    for line in lines:  # every task sits under its own family's header
        if line.startswith("  "):
            assert task_family(line.split()[0]) == family
        else:
            family = line.split(" ")[0]


def test_tasks_family_filters_and_json_describes(capsys):
    from generators.registry import task_family, task_names

    code, out, _ = run(capsys, "tasks", "--family", "logic")
    assert code == 0 and out.splitlines() == [
        "logic (2):",
        *[line for line in out.splitlines()[1:] if line.split()[0] in ("knights_knaves", "nlsat")],
    ]
    code, out, _ = run(capsys, "tasks", "--json")
    records = json.loads(out)
    assert [r["name"] for r in records] == task_names()
    kk = next(r for r in records if r["name"] == "knights_knaves")
    assert kk["family"] == "logic" and kk["version"] == "1.1.0"
    assert kk["levels"]["10"]["n_people"] == 12
    n_people = next(k for k in kk["knobs"] if k["name"] == "n_people")
    assert n_people == {
        "name": "n_people",
        "type": "int",
        "default": 4,
        "bounds": {"ge": 2, "le": 20},
        "description": n_people["description"],
    }
    code, out, _ = run(capsys, "tasks", "--json", "--family", "synlogic")
    assert {r["family"] for r in json.loads(out)} == {"synlogic"}
    assert all(task_family(r["name"]) == "synlogic" for r in json.loads(out))
    code, out, _ = run(capsys, "tasks", "--json", "sudoku", "nlsat")
    assert [r["name"] for r in json.loads(out)] == ["sudoku", "nlsat"]


def test_tasks_refuses_an_unknown_family_in_one_line(capsys):
    code, out, err = run(capsys, "tasks", "--family", "chess")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "unknown family 'chess'" in err and "synlogic" in err


def test_tasks_name_describes_knobs_with_bounds_and_levels(capsys):
    code, out, _ = run(capsys, "tasks", "knights_knaves")
    assert code == 0
    assert out.startswith("knights_knaves (v")
    assert "n_people: int, default 4, >= 2, <= 20" in out
    assert "levels:" in out and "10: n_people=12" in out
    code, out, _ = run(capsys, "tasks", "nlsat")
    assert "alpha: float" in out and "> 0" in out
    code, out, _ = run(capsys, "tasks", "sudoku", "nlsat")
    assert code == 0 and out.startswith("sudoku (v") and "\n\nnlsat (v" in out


def test_tasks_refuses_an_unknown_name_in_one_line(capsys):
    code, out, err = run(capsys, "tasks", "chess")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown task 'chess'" in err


def test_version_prints_the_package_version(capsys):
    import factory

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"factory {factory.__version__}\n"


def test_help_shows_no_rst_backticks(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "The factory command line" in out and "``" not in out


@pytest.mark.parametrize("flag", ["--seed", "--index"])
def test_sample_refuses_negative_seed_and_index(capsys, flag):
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "knights_knaves", flag, "-1"])
    assert exit_info.value.code == 2
    assert f"argument {flag}: -1 is negative" in capsys.readouterr().err


def parsers(parser=None, path="factory"):
    """(command path, parser) of the ``factory`` parser and every subcommand below it."""
    import argparse

    from cli.main import build_parser

    parser = parser or build_parser()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}")


def test_every_argument_of_every_command_has_help_with_an_example():
    import argparse

    commands = dict(parsers())
    assert {"factory build", "factory verify", "factory export", "factory push"} <= set(commands)
    for path, parser in commands.items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            name = "/".join(action.option_strings) or action.dest
            assert action.help, f"{path}: {name} has no help"
            takes_value = action.nargs != 0 and not isinstance(
                action, argparse._HelpAction | argparse._VersionAction
            )
            if takes_value and not action.choices:
                assert "e.g." in action.help, f"{path}: {name}'s help has no example"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "c.yaml", "--workers", "0"], "argument --workers: 0 is below 1"),
        (["build", "c.yaml", "--workers", "300"], "argument --workers: 300 is above 256"),
        (["sample", "sudoku", "--index", "x"], "argument --index: 'x' is not an integer"),
        (["verify", "sudoku", "--problem-id", "p"], "--problem-id needs --dataset"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_argument_errors_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: factory") and message in err, err
    assert "Value error" not in err and "usage:" not in err


@pytest.mark.parametrize("task", ["knights_knaves", "nlsat"])
def test_sample_prints_problem_answer_trace_and_a_passing_verdict(capsys, task):
    code, out, _ = run(capsys, "sample", task, "--level", "4", "--seed", "3")
    assert code == 0
    for heading in ("## Prompt", "## Answer", "## Reference trace", "## Verifier"):
        assert heading in out
    assert "score=1.0" in out


def test_sample_refuses_bad_knobs_and_levels(capsys):
    code, _, err = run(capsys, "sample", "knights_knaves", "--knob", "n_people=1")
    assert code == 2 and "knobs.n_people" in err
    code, _, err = run(capsys, "sample", "knights_knaves", "--level", "11")
    assert code == 2 and "--level" in err
    code, _, err = run(capsys, "sample", "chess")
    assert code == 2 and "unknown task 'chess'" in err


def test_verify_scores_a_record_and_never_raises_on_garbage(capsys, tmp_path):
    code, out, _ = run(capsys, "sample", "knights_knaves", "--level", "3", "--json")
    record = tmp_path / "problem.json"
    record.write_text(out)
    answer = json.loads(out)["answer"]
    code, out, _ = run(
        capsys,
        "verify",
        "knights_knaves",
        "--record",
        str(record),
        "--answer",
        f"<answer>{answer}</answer>",
    )
    assert code == 0 and json.loads(out)["score"] == 1.0
    for garbage in ["", "no tags at all", "<answer>42 bananas</answer>", "<think>unfinished"]:
        code, out, _ = run(
            capsys, "verify", "knights_knaves", "--record", str(record), "--answer", garbage
        )
        verdict = json.loads(out)
        assert code == 0 and verdict["score"] == 0.0 and verdict["reason"]
    code, _, err = run(capsys, "verify", "nlsat", "--record", str(record), "--answer", "x")
    assert code == 2 and "not 'nlsat'" in err
    record.write_text("{not json")
    code, _, err = run(capsys, "verify", "knights_knaves", "--record", str(record), "--answer", "x")
    assert code == 2 and "not valid JSON" in err


def test_build_inspect_and_verify_by_problem_id(capsys, tmp_path):
    config = tmp_path / "small.yaml"
    config.write_text(
        f"name: small\nseed: 5\noutput_root: {tmp_path / 'out'}\nshard_size: 6\n"
        "tasks:\n  - {task: knights_knaves, count: 8, levels: [2, 6]}\n"
        "  - {task: nlsat, count: 6, levels: [3], knobs: {question: assignment}}\n"
    )
    code, out, _ = run(capsys, "build", str(config), "--workers", "1")
    assert code == 0 and "14 problems" in out
    version_dir = tmp_path / "out" / "small" / "0.1.0"
    code, out, _ = run(capsys, "inspect", str(version_dir))
    assert code == 0 and "14 problems in 3 data files" in out
    assert "| knights_knaves | 6 | 4 |" in out
    code, _, err = run(capsys, "build", str(config))
    assert code == 2 and "already exists" in err and "--overwrite" in err

    import pyarrow.parquet as pq

    row = pq.read_table(version_dir / "data/nlsat/train-00000.parquet").to_pylist()[0]
    code, out, _ = run(
        capsys,
        "verify",
        "nlsat",
        "--dataset",
        str(version_dir),
        "--problem-id",
        row["problem_id"],
        "--answer",
        row["reference_trace"],
    )
    assert code == 0 and json.loads(out)["score"] == 1.0


def test_console_entry_point_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "build", "/nonexistent.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "cannot read config" in result.stderr and "Traceback" not in result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "cli.main", "tasks"], cwd=REPO, capture_output=True, text=True
    )
    assert listed.returncode == 0 and "knights_knaves" in listed.stdout and not listed.stderr


def test_a_reader_that_stops_early_gets_no_traceback(monkeypatch, tmp_path):
    class ClosedPipe:
        """stdout whose reader has gone away, as under `factory tasks | head -1`."""

        def __init__(self) -> None:
            self.sink = open(tmp_path / "sink", "w")  # noqa: SIM115 - closed below

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return self.sink.fileno()

    pipe = ClosedPipe()
    monkeypatch.setattr(sys, "stdout", pipe)
    try:
        assert main(["tasks"]) == 0
    finally:
        pipe.sink.close()


def test_verify_hints_at_the_answer_tags_when_a_bare_answer_is_pasted(tmp_path, capsys):
    from cli.main import main

    assert main(["sample", "knights_knaves", "--level", "1", "--json"]) == 0
    record = tmp_path / "kk.json"
    record.write_text(capsys.readouterr().out, encoding="utf-8")
    answer = json.loads(record.read_text())["answer"]
    assert main(["verify", "knights_knaves", "--record", str(record), "--answer", answer]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["score"] == 0.0 and "put the final answer inside <answer>" in err
    tagged = f"<answer>{answer}</answer>"
    assert main(["verify", "knights_knaves", "--record", str(record), "--answer", tagged]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["score"] == 1.0 and err == ""


@pytest.fixture(scope="module")
def small_version(tmp_path_factory):
    """A small built version (knights_knaves and nlsat)."""
    root = tmp_path_factory.mktemp("verify")
    config = root / "small.yaml"
    config.write_text(
        f"name: small\nseed: 5\noutput_root: {root / 'out'}\nshard_size: 6\n"
        "tasks:\n  - {task: knights_knaves, count: 4, levels: [2]}\n"
        "  - {task: nlsat, count: 3, levels: [3], knobs: {question: assignment}}\n"
    )
    assert main(["build", str(config), "--quiet"]) == 0
    return root / "out" / "small" / "0.1.0"


@pytest.mark.parametrize("fmt", ["jsonl", "verl", "trl"])
def test_verify_takes_any_exported_row_and_a_bare_answer(capsys, tmp_path, small_version, fmt):
    import pyarrow.parquet as pq

    suffix = "jsonl" if fmt == "jsonl" else "parquet"
    exported = tmp_path / f"export.{suffix}"
    argv = ["export", str(small_version), "--format", fmt, "--output", str(exported)]
    assert run(capsys, *argv)[0] == 0
    if fmt == "jsonl":
        rows = [json.loads(line) for line in exported.read_text().splitlines()]
    else:
        rows = pq.read_table(exported).to_pylist()
    row = next(r for r in rows if "nlsat" in json.dumps(r))
    truth = row["reward_model"]["ground_truth"] if fmt == "verl" else row["ground_truth"]
    answer = json.loads(truth)["answer"]
    problem_id = json.loads(truth)["problem_id"]
    record = tmp_path / "row.json"
    record.write_text(json.dumps(row))
    by_record = ["verify", "nlsat", "--record", str(record)]
    by_id = ["verify", "nlsat", "--dataset", str(exported), "--problem-id", problem_id]
    for lookup in (by_record, by_id):
        code, out, err = run(capsys, *lookup, "--answer", answer, "--bare")
        assert code == 0 and json.loads(out)["score"] == 1.0 and err == ""
        code, out, err = run(capsys, *lookup, "--answer", f"<answer>{answer}</answer>")
        assert code == 0 and json.loads(out)["score"] == 1.0
        code, out, err = run(capsys, *lookup, "--answer", answer)
        assert json.loads(out)["score"] == 0.0 and "--bare" in err
    if fmt == "jsonl":  # the whole file is not one row: say how to pick one
        code, _, err = run(capsys, "verify", "nlsat", "--record", str(exported), "--answer", "x")
        assert code == 2 and "put one row in a file" in err and err.count("\n") == 1
    code, _, err = run(capsys, *by_id[:-1], "nope", "--answer", "x")
    assert code == 2 and "no row with problem_id nope" in err


def test_verify_sends_an_sft_row_to_the_built_version(capsys, tmp_path, small_version):
    import pyarrow.parquet as pq

    exported = tmp_path / "sft.parquet"
    argv = ["export", str(small_version), "--format", "sft", "--output", str(exported)]
    assert run(capsys, *argv)[0] == 0
    row = pq.read_table(exported).to_pylist()[0]
    record = tmp_path / "row.json"
    record.write_text(json.dumps(row))
    code, _, err = run(capsys, "verify", row["task"], "--record", str(record), "--answer", "x")
    assert code == 2 and f"--problem-id {row['problem_id']} --dataset" in err
