"""Where a build's Luigi workers get their tasks: a scheduler inside this process, or a
central ``luigid`` that many worker processes on one or many machines share.

With ``luigid`` every invocation of the same build adds the same task graph; the
scheduler hands each task to one worker at a time, so each shard is built once. A worker
that runs out of tasks while others still run theirs (or while a dead worker's task
waits for the scheduler to notice the death) asks again after a pause, until the
version is published or a task fails under it.

Luigi's own log (task failures with their tracebacks, the run summary) goes to a file
for the duration of a build, not to the terminal; the build's failure message names it.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import luigi
import luigi.configuration
import luigi.rpc
from luigi.execution_summary import LuigiRunResult

from factory.errors import BuildError

POLL_S = 2.0
PROBE_TIMEOUT_S = 10.0
LUIGI_LOGGERS = ("luigi", "luigi-interface")
LOG_FORMAT = "%(asctime)s %(name)s[%(process)d] %(levelname)s: %(message)s"


def run_tasks(
    task: luigi.Task,
    *,
    workers: int,
    scheduler_url: str | None,
    finished: Callable[[], bool],
    log_file: Path,
    poll_s: float = POLL_S,
) -> LuigiRunResult:
    """Build ``task``, logging to ``log_file``; with a ``scheduler_url`` keep asking for
    work until ``finished()`` (another worker may hold the last tasks) or a task fails in
    this process."""
    with luigi_log_to(log_file), interrupts_in_this_process_only(), whole_lines_on_stderr():
        if scheduler_url is None:
            return _build(task, workers, local_scheduler=True)
        return _build_shared(task, workers, scheduler_url, finished, poll_s)


def _build_shared(
    task: luigi.Task,
    workers: int,
    scheduler_url: str,
    finished: Callable[[], bool],
    poll_s: float,
) -> LuigiRunResult:
    while True:
        try:
            result = _build(task, workers, local_scheduler=False, scheduler_url=scheduler_url)
        except luigi.rpc.RPCError as error:
            raise BuildError(
                f"lost the Luigi scheduler at {scheduler_url} ({error}); finished shards are "
                "kept, start the workers again to resume"
            ) from None
        if not result.scheduling_succeeded or finished():
            return result
        time.sleep(poll_s)


def _build(task: luigi.Task, workers: int, **scheduler: object) -> LuigiRunResult:
    return luigi.build([task], workers=workers, detailed_summary=True, **scheduler)


@contextmanager
def luigi_log_to(path: Path) -> Iterator[None]:
    """Send Luigi's loggers to ``path`` (appending) instead of stderr until the block ends.

    Luigi would otherwise add its own stderr handler on its first build in a process, so
    its logging setup is switched off; forked workers inherit the file handler.
    """
    luigi.configuration.get_config().set("core", "no_configure_logging", "true")
    handler = logging.FileHandler(path, delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    loggers = [logging.getLogger(name) for name in LUIGI_LOGGERS]
    saved = [(logger.handlers, logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers, logger.propagate = [handler], False
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(level)
        handler.close()


@contextmanager
def whole_lines_on_stderr() -> Iterator[None]:
    """Make stderr (inherited by forked workers) write whole lines: ``print`` writes a text
    and its newline separately, so lines of concurrent workers could interleave, and a
    worker terminated between the two writes (after Ctrl-C) would leave half a line."""
    stream = sys.stderr
    if not isinstance(stream, io.TextIOWrapper):
        yield
        return
    saved = {"line_buffering": stream.line_buffering, "write_through": stream.write_through}
    stream.reconfigure(line_buffering=True, write_through=False)
    try:
        yield
    finally:
        stream.reconfigure(**saved)


@contextmanager
def interrupts_in_this_process_only() -> Iterator[None]:
    """Ctrl-C interrupts the build in this process alone.

    Ctrl-C reaches every process of the terminal's process group: each of Luigi's forked
    workers would print a KeyboardInterrupt traceback. They inherit a handler that ignores
    the signal instead, and the interrupted parent terminates them as it leaves
    ``luigi.build``. Nothing changes off the main thread or where SIGINT is not Python's
    default (e.g. ignored by ``nohup``).
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    parent = os.getpid()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == parent:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def check_reachable(url: str) -> None:
    """Fail fast with a plain message, not after Luigi's minute of RPC retries."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S):
            pass
    except urllib.error.HTTPError:
        return  # something answers HTTP there; Luigi reports it if it is not luigid
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise BuildError(
            f"--scheduler-url {url}: no Luigi scheduler answers there ({reason}); start one "
            "with `luigid --port 8082` on the scheduler machine"
        ) from None
