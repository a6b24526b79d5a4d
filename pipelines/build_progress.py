"""A build's live progress, derived in the scheduling process from finished stage outputs.

Luigi runs tasks in forked workers (or, under ``--scheduler-url``, in other processes and
machines), so no task reports its own progress: a thread of the process that runs
``luigi.build`` lists the work directory every ``POLL_S`` seconds (one listing, also on
a bucket), counts the problems of every finished shard output per stage, and hands the
counts to a :class:`factory.progress.ProgressDisplay` — a live panel on a terminal, a
plain line every few seconds elsewhere, nothing with ``--quiet``. Model runs in the
workers (teacher, RSD) add their request counts to the same display (see
:class:`factory.progress.Progress`).
"""

from __future__ import annotations

import threading
from types import TracebackType

from factory.progress import Mode, ProgressDisplay, drawing
from factory.storage.layout import BuildLayout, shard_count, shard_indices, stages_of
from schemas.config import BuildConfig

POLL_S = 0.5
REMOTE_POLL_S = 5.0  # a listing of a bucket costs a request

# (display name, the stage output whose existence marks a shard done), in build order.
BUILD_STAGES = (
    ("generate", "candidates"),
    ("select", "problems"),
    ("solve", "verdicts"),
    ("teacher", "teacher_traces"),
    ("verify teacher", "teacher_verdicts"),
    ("rsd", "rsd_traces"),
    ("verify rsd", "rsd_verdicts"),
    ("measure", "teacher_verbosity"),
    ("score", "scores"),
)


def shard_sizes(config: BuildConfig) -> dict[tuple[str, int], int]:
    """(subset, shard) → problems in that shard."""
    return {
        (spec.subset, shard): len(shard_indices(spec, config.shard_size, shard))
        for spec in config.tasks
        for shard in range(shard_count(spec, config.shard_size))
    }


def problems_done(
    layout: BuildLayout, outputs: list[str], sizes: dict[tuple[str, int], int]
) -> dict[str, int]:
    """Stage output → problems of its finished shards (one listing of the work dir);
    ``sizes`` is :func:`shard_sizes` of the build, computed once."""
    done = dict.fromkeys(outputs, 0)
    for path in layout.storage.glob(layout.work_dir, "*/*/*.parquet"):
        stage, subset = path.parent.parent.name, path.parent.name
        if stage in done and path.stem.isdigit():
            done[stage] += sizes.get((subset, int(path.stem)), 0)
    return done


class BuildProgress:
    """A context manager: the display and its polling thread for one ``run_build``."""

    def __init__(self, layout: BuildLayout, config: BuildConfig, mode: Mode | None = None) -> None:
        self.layout, self.config = layout, config
        self.display = ProgressDisplay(f"{config.name} {config.version}", mode=mode)
        self.poll_s = POLL_S if layout.storage.is_local else REMOTE_POLL_S
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="build-progress", daemon=True)
        self._stages = [
            (name, output) for name, output in BUILD_STAGES if output in stages_of(config)
        ]
        self._sizes = shard_sizes(config)

    def __enter__(self) -> ProgressDisplay:
        total = sum(self._sizes.values())
        with drawing():  # the listing too: a fork waits for it (see factory.progress)
            done = self._done()
            for name, output in self._stages:
                self.display.start(name, total, done=done[output])
            self.display.refresh()  # the first line at once
        self.display.activate()
        if self.display.mode != "quiet":
            self._thread.start()
        return self.display

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.display.mode != "quiet":
            self.tick()
        self.display.finish()

    def _done(self) -> dict[str, int]:
        return problems_done(self.layout, [output for _, output in self._stages], self._sizes)

    def tick(self) -> None:
        """Count the finished outputs and redraw."""
        with drawing():
            done = self._done()
            for name, output in self._stages:
                self.display.update(name, done=done[output])
            self.display.refresh()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.tick()
            except OSError:
                continue  # a listing that failed (a flaky bucket): count again next time
