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


def test_tasks_lists_one_line_per_task(capsys):
    from generators.registry import task_names

    code, out, _ = run(capsys, "tasks")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(task_names())
    [line] = [line for line in lines if line.startswith("knights_knaves ")]
    assert "v1.1.0" in line and "Knights & Knaves" in line
    assert "knobs:" not in out


def test_tasks_name_describes_knobs_with_bounds_and_levels(capsys):
    code, out, _ = run(capsys, "tasks", "knights_knaves")
    assert code == 0
    assert out.startswith("knights_knaves (v")
    assert "n_people: int, default 4, >= 2, <= 20" in out
    assert "levels:" in out and "10: n_people=12" in out
    code, out, _ = run(capsys, "tasks", "nlsat")
    assert "alpha: float" in out and "> 0" in out


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


@pytest.mark.parametrize("command", ["sample", "build", "inspect", "check", "export", "verify"])
def test_every_argument_has_help(command):
    from cli.main import build_parser

    parser = build_parser()
    [commands] = [action for action in parser._actions if action.dest == "command"]
    for action in commands.choices[command]._actions:
        assert action.help, f"factory {command}: {action.dest} has no help"


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
