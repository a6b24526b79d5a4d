"""Every failure the user can fix is one line on stderr and exit 2; Ctrl-C is one line and
exit 130; Luigi's log and tracebacks go to a file the failure message names."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli
from factory.errors import FactoryError

FACTORY = Path(sys.executable).with_name("factory")  # the console script of this environment


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def failure_line(err: str) -> str:
    """The one line a failure prints (after a build's progress lines), without a traceback."""
    lines = [line for line in err.splitlines() if not line.startswith("[factory]")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def write_config(path: Path, root: Path, tasks: str, **fields: object) -> Path:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    path.write_text(f"name: small\noutput_root: {root}\n{extra}tasks:\n{tasks}")
    return path


TOY = "  - {task: toy_sum, count: 6}\n"


@pytest.fixture
def toy_config(tmp_path) -> Path:
    return write_config(tmp_path / "toy.yaml", tmp_path / "out", TOY, shard_size=3)


def test_an_output_root_under_a_regular_file_is_named(capsys, tmp_path):
    (tmp_path / "afile").write_text("not a directory\n")
    config = write_config(tmp_path / "c.yaml", tmp_path / "afile" / "out", TOY)
    code, _, err = run(capsys, "build", str(config))
    line = failure_line(err)
    assert code == 2 and f"output_root {tmp_path / 'afile' / 'out'}: cannot write" in line
    assert "Not a directory" in line


@pytest.mark.parametrize("workers", ["-3", "0", "257"])
def test_workers_flag_has_the_config_fields_bounds(capsys, toy_config, workers):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build", str(toy_config), "--workers", workers])
    line = failure_line(capsys.readouterr().err)
    assert exit_info.value.code == 2
    assert line.startswith("error: factory build: argument --workers: ") and "1..256" in line
    assert not (toy_config.parent / "out").exists()


def test_config_messages_carry_no_pydantic_prefix(capsys, tmp_path):
    tasks = "  - {task: toy_sum, count: 6, levels: [11]}\n"
    code, _, err = run(capsys, "build", str(write_config(tmp_path / "c.yaml", tmp_path, tasks)))
    assert code == 2 and "outside 1..10" in failure_line(err) and "Value error" not in err


def test_a_generator_that_gives_up_names_task_seed_index_and_the_knob(capsys):
    argv = ["sample", "knights_knaves", "--knob", "n_people=12", "--knob", "max_attempts=1"]
    code, _, err = run(capsys, *argv, "--seed", "3")
    line = failure_line(err)
    assert code == 2 and "knights_knaves seed=3 index=0:" in line and "max_attempts" in line


def test_export_to_an_unwritable_place_is_one_line(capsys, toy_config, tmp_path):
    assert run(capsys, "build", str(toy_config))[0] == 0
    (tmp_path / "afile").write_text("")
    for fmt, name in [("jsonl", "x.jsonl"), ("verl", "x.parquet")]:
        target = tmp_path / "afile" / name
        argv = ["export", str(tmp_path / "out/small/0.1.0"), "--format", fmt]
        code, out, err = run(capsys, *argv, "--output", str(target))
        assert code == 2 and out == "" and f"cannot write {target}" in failure_line(err)


def test_a_failed_build_names_the_first_failure_the_others_and_the_log(capsys, tmp_path):
    tasks = "  - {task: toy_broken, count: 8}\n"
    config = write_config(tmp_path / "c.yaml", tmp_path / "out", tasks, shard_size=2, workers=2)
    code, _, err = run(capsys, "build", str(config))
    line = failure_line(err)
    assert code == 2 and "failed their own verifier" in line and "(and 3 other failed" in line
    log = Path(re.search(r"Luigi's log: (\S+?);", line)[1])
    assert log == tmp_path / "out/.work/small/0.1.0/luigi.log"
    assert "Traceback" in log.read_text()


def test_a_second_build_of_the_same_config_stops_at_once(capsys, toy_config):
    """Another build holds the work directory's lock (as a running `factory build` does)."""
    lock = toy_config.parent / "out/.work/small/0.1.0.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, _, err = run(capsys, "build", str(toy_config))
    assert code == 2 and "another `factory build` of small 0.1.0 is running" in failure_line(err)
    assert run(capsys, "build", str(toy_config))[0] == 0


def test_multi_line_messages_are_printed_on_one_line(capsys, monkeypatch):
    def fail(args: object) -> None:
        raise FactoryError("first\n  second")

    monkeypatch.setattr(cli, "cmd_tasks", fail)
    code, _, err = run(capsys, "tasks")
    assert code == 2 and err == "error: first; second\n"


def test_a_bug_still_shows_its_traceback(monkeypatch):
    def bug(args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "cmd_tasks", bug)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["tasks"])


def start_build(config: Path) -> subprocess.Popen[str]:
    """`factory build` in its own process group, as a terminal runs it."""
    return subprocess.Popen(
        [str(FACTORY), "build", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("workers", [1, 3])
def test_ctrl_c_prints_one_line_exits_130_and_a_rerun_finishes(tmp_path, workers):
    tasks = "  - {task: knights_knaves, count: 12, levels: [1]}\n"
    config = write_config(
        tmp_path / "c.yaml", tmp_path / "out", tasks, shard_size=2, workers=workers
    )
    build = start_build(config)
    assert build.stderr.readline().startswith("[factory]")
    os.killpg(build.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = build.communicate(timeout=120)
    assert build.returncode == 130 and out == ""
    assert failure_line(err) == "interrupted — rerun the same command to resume"
    rerun = start_build(config)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0 and "built small 0.1.0: 12 problems" in out, err
