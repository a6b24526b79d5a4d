"""The progress line of model runs."""

import io

from factory.progress import Progress


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
