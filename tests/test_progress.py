"""One progress display for builds and model runs: live on a terminal, periodic plain
lines elsewhere, nothing when quiet; forked workers report to their parent's display."""

from __future__ import annotations

import io
import multiprocessing
import re
import time
from types import SimpleNamespace

import pytest
from rich.console import Console

from factory import progress as progress_module
from factory.progress import Progress, ProgressDisplay, current
from pipelines.build import run_build
from tests.test_build import toy_config

PLAIN_LINE = re.compile(
    r"^\[factory\] toy 0\.1\.0: generate \d+/\d+, .*score \d+/\d+; "
    r"[\d.]+ problems/s, [\d.]+ (s|min|h)[\d a-z]* elapsed, ETA (\d+ (s|min|h)[\d a-z]*|\?)$"
)


def test_a_model_run_alone_reports_done_cached_rate_and_eta():
    stream = io.StringIO()
    progress = Progress("annotate kk#0", total=10, cached=4, interval=0.0, stream=stream)
    progress.advance(tokens=100)
    progress.advance(tokens=50, failed=True)
    line = progress.line()
    assert line.startswith("annotate kk#0: 6/10 requests (4 cached), ")
    assert "tok/s" in line and "ETA" in line and "ETA ?" not in line
    progress.show()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and all(line.startswith("[factory] annotate kk#0: ") for line in lines)
    assert "requests 6/10 (4 cached, 1 failed) " in lines[-1] and "tok/s" in lines[-1]


def test_plain_lines_keep_their_interval_and_the_last_one_always_goes_out():
    stream = io.StringIO()
    progress = Progress("run", total=2, cached=0, interval=3600.0, stream=stream)
    progress.advance(tokens=1)
    progress.advance(tokens=1)
    assert stream.getvalue().count("\n") == 1, "only the first advance prints in an interval"
    assert progress.line().endswith("ETA 0 s")
    progress.show()
    assert stream.getvalue().count("\n") == 2 and "requests 2/2" in stream.getvalue()


def test_a_fully_cached_run_has_no_rate_to_extrapolate():
    progress = Progress("run", total=3, cached=3, stream=io.StringIO())
    assert progress.line().startswith("run: 3/3 requests (3 cached), 0 tok/s, ETA 0 s")


def test_the_rate_is_a_moving_average_and_the_eta_follows_it(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(progress_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    display = ProgressDisplay("t", mode="quiet")
    display.start("work", total=100, done=20)  # found done: not this run's rate
    for _ in range(10):
        clock[0] += 1.0
        display.advance("work", 2)
    stage = display.stages["work"]
    assert stage.rates(clock[0])[0] == pytest.approx(2.0)
    assert stage.eta(clock[0]) == pytest.approx(60 / 2.0)
    clock[0] += 15.0  # a stall: the rate falls and the ETA grows
    display.advance("work", 0)
    assert stage.rates(clock[0])[0] == pytest.approx(20 / 25)
    assert stage.eta(clock[0]) == pytest.approx(60 / (20 / 25))
    clock[0] += progress_module.WINDOW_S  # nothing made in a whole window: no estimate
    display.advance("work", 0)
    assert stage.eta(clock[0]) is None and "ETA ?" in display.line()


def test_a_terminal_gets_a_panel_redrawn_in_place():
    buffer = io.StringIO()
    console = Console(force_terminal=True, file=buffer, width=120)
    with ProgressDisplay("small 0.1.0", console=console) as display:
        display.start("generate", 4)
        display.start("teacher", 8, unit="requests", done=2, cached=2)
        for _ in range(4):
            display.advance("generate")
            display.advance("teacher", tokens=50)
            time.sleep(1 / progress_module.REFRESH_HZ)
    out = buffer.getvalue()
    assert out.count("\r") >= 3 and "\x1b[1A" in out  # back to the start of the panel
    assert "4/4 problems" in out and "6/8 requests" in out and "2 cached" in out
    assert "tok/s" in out and "ETA" in out and "problems/s" in out


def test_quiet_draws_nothing():
    stream = io.StringIO()
    with ProgressDisplay("x", mode="quiet", stream=stream) as display:
        display.start("a", 2)
        display.advance("a", 2)
    Progress("run", total=1, cached=0, stream=stream, mode="quiet").show()
    assert stream.getvalue() == ""


def _child_run() -> None:
    """A model run in a forked worker (as Luigi runs AnnotateShard)."""
    progress = Progress("annotate kk#1", total=3, cached=1)
    for _ in range(2):
        progress.advance(tokens=10)
    progress.show()


def test_a_forked_worker_adds_its_requests_to_the_parent_display():
    stream = io.StringIO()
    with ProgressDisplay("build", mode="plain", stream=stream, interval=3600.0) as display:
        assert current() is display
        local = Progress("annotate kk#0", total=2, cached=0)  # a worker in this process
        local.advance(tokens=5)
        local.show()
        child = multiprocessing.get_context("fork").Process(target=_child_run)
        child.start()
        child.join(timeout=60)
        assert child.exitcode == 0
        display.refresh()
        stage = display.stages["annotate"]
        assert (stage.done, stage.total, stage.cached, stage.tokens) == (4, 5, 1, 25)
    assert current() is None
    lines = stream.getvalue().splitlines()
    assert "annotate 4/5 requests (1 cached)" in lines[-1] and "tok/s" in lines[-1]
    assert not any("kk#1" in line for line in lines), "the child never drew"


def test_a_build_off_a_terminal_prints_few_lines_with_rate_and_eta(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "PLAIN_INTERVAL_S", 0.3)
    started = time.monotonic()
    run_build(toy_config(tmp_path), workers=2)
    elapsed = time.monotonic() - started
    lines = capsys.readouterr().err.splitlines()
    assert 2 <= len(lines) <= elapsed / 0.3 + 3, lines
    for line in lines:
        assert PLAIN_LINE.match(line), line
    assert re.search(r"score (\d+)/\1; .* ETA 0 s$", lines[-1]), lines[-1]


def test_a_quiet_build_prints_nothing(tmp_path, capsys):
    run_build(toy_config(tmp_path), workers=1, progress="quiet")
    assert capsys.readouterr().err == ""


def test_quiet_is_the_default_only_while_its_command_runs(monkeypatch, capsys):
    from cli import main as cli

    seen = []
    monkeypatch.setattr(cli, "cmd_build", lambda args: seen.append(progress_module.default_mode()))
    assert cli.main(["build", "c.yaml", "-q"]) == 0
    assert cli.main(["build", "c.yaml"]) == 0
    assert seen == ["quiet", "auto"] and progress_module.default_mode() == "auto"
