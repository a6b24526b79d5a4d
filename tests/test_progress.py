"""The progress line of model runs."""

import io

from factory.progress import BuildClock, Progress, shard_line


def test_progress_reports_done_cached_rate_and_eta():
    stream = io.StringIO()
    progress = Progress("annotate kk#0", total=10, cached=4, interval=0.0, stream=stream)
    progress.advance(tokens=100)
    progress.advance(tokens=50)
    line = progress.line()
    assert line.startswith("annotate kk#0: 6/10 requests (4 cached), ")
    assert "tok/s" in line and "ETA" in line and "ETA ?" not in line
    assert stream.getvalue().count("[factory] annotate kk#0") == 2


def test_progress_is_quiet_between_intervals_and_ends_at_zero_eta():
    stream = io.StringIO()
    progress = Progress("run", total=2, cached=0, interval=3600.0, stream=stream)
    progress.advance(tokens=1)
    progress.advance(tokens=1)
    assert stream.getvalue().count("\n") == 1, "only the first advance prints within an interval"
    assert progress.line().endswith("ETA 0s")


def test_fully_cached_run_has_no_rate_to_extrapolate():
    progress = Progress("run", total=3, cached=3, stream=io.StringIO())
    assert progress.line().startswith("run: 3/3 requests (3 cached), 0 tok/s, ETA 0s")


def test_shard_line_shows_percent_elapsed_rate_and_eta():
    line = shard_line(25, 44, elapsed=12.3, made=25)
    assert line == "   25/44 shard outputs (57%), 12.3 s elapsed, 2.0/s, ETA 9 s"


def test_shard_line_rates_only_this_process_outputs():
    assert shard_line(40, 44, elapsed=10.0, made=0).endswith("0.0/s, ETA ?")
    last = shard_line(44, 44, elapsed=10.0, made=4)
    assert last.endswith("(100%), 10.0 s elapsed, 0.4/s, ETA 0 s")


def test_build_clock_prints_at_most_every_interval_and_always_the_last():
    clock = BuildClock(done_at_start=0, interval=3600.0)
    assert clock.due(1, 4), "the first line goes out at once"
    assert not clock.due(2, 4)
    assert clock.due(4, 4), "the complete count always goes out"
    assert clock.line(4, 4).startswith("    4/4 shard outputs (100%), ")
