"""Progress of long runs — builds, teacher and RSD requests, rewrites — on one display.

The API is a :class:`ProgressDisplay` with named stages (counters)::

    with ProgressDisplay("small 0.1.0", unit="problems") as display:
        display.start("generate", total=600)        # a stage; again: `total` more of it
        display.advance("generate", 6)              # 6 more done (made by this run)
        display.update("generate", done=120)        # absolute count (a poller's view)
        display.start("teacher", total=40, unit="requests", cached=4)
        display.advance("teacher", 1, tokens=812, cached=0, failed=0)
        display.end("teacher")                      # flush a child's counts (see below)
    # leaving the block (or display.finish()) draws the final state once more

Each stage keeps done/total, cached (answered from a cache: done, but not work of this
run), failed, tokens, and its start time. Its rate is a moving average of the work made
in the last ``WINDOW_S`` seconds (cached and already-done work excluded), so a stall
raises the ETA; the ETA is what is left over that rate. The display's headline rate and
ETA sum the stages counted in the display's ``unit`` (problems/s is the work of every
stage of that unit per second, over the number of such stages: problems through the
whole pipeline); stages in another unit (model requests) show their own rate, tokens/s
and ETA.

Modes (``mode=``, default :func:`default_mode`, ``auto`` unless a command chose):

- ``live``: a rich panel redrawn in place on a terminal (one line per stage: bar,
  done/total, rate, tokens/s, cached, failed, ETA) — ``auto`` on a terminal;
- ``plain``: one ``[factory] ...`` line on stderr at once, then at most every
  ``interval`` seconds, and a last one at the end — ``auto`` elsewhere (logs, CI);
- ``quiet``: nothing (``--quiet``).

A display redraws on ``advance``/``update`` (at most every ``interval`` in plain mode,
``1/REFRESH_HZ`` live), on :meth:`refresh`, which a poller calls to tick the clock, and
on :meth:`finish`; ``start`` draws nothing.

Across processes: Luigi forks its workers from the process that made the display, and
they inherit it as :func:`current`. In a forked child, ``start``/``advance``/``update``/
``end`` go through a pipe to the parent (batched, at most every ``FORWARD_S`` and at
``end``), which applies them on its next redraw; a child never writes to the terminal.
Drawing holds a lock that a fork waits for, so no child inherits a half-written line or
a lock held by the drawing thread.

:class:`Progress` is the model-run adapter (``cached_generate``, RSD): inside a display
it adds its requests to the stage named by the first word of its label (``annotate``,
``rsd``), shard after shard; alone it makes its own display and ends with a last line.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

Mode = Literal["auto", "live", "plain", "quiet"]
MODES: tuple[str, ...] = ("auto", "live", "plain", "quiet")
PLAIN_INTERVAL_S = 5.0
REFRESH_HZ = 8.0
WINDOW_S = 30.0
FORWARD_S = 0.5
PREFIX = "[factory]"

_default_mode: Mode = "auto"
_current: ProgressDisplay | None = None
_LOCK = threading.RLock()


def _reset_lock_in_child() -> None:
    global _LOCK
    _LOCK = threading.RLock()


def _fork_before() -> None:
    _LOCK.acquire()


def _fork_after_in_parent() -> None:
    _LOCK.release()


os.register_at_fork(
    before=_fork_before,
    after_in_parent=_fork_after_in_parent,
    after_in_child=_reset_lock_in_child,
)


@contextmanager
def drawing() -> Iterator[None]:
    """Hold the lock every display draws under, which a fork waits for: a poller that
    lists files for a display holds it too, so no child inherits the listing mid-way."""
    with _LOCK:
        yield


def set_default_mode(mode: str) -> None:
    """The mode of displays made without one (``factory ... --quiet`` sets ``quiet``)."""
    global _default_mode
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r}: expected one of {', '.join(MODES)}")
    _default_mode = mode  # type: ignore[assignment]


def default_mode() -> Mode:
    return _default_mode


@contextmanager
def default_mode_as(mode: str) -> Iterator[None]:
    """``set_default_mode`` for the duration of a block (one CLI command in a process)."""
    previous = _default_mode
    set_default_mode(mode)
    try:
        yield
    finally:
        set_default_mode(previous)


def current() -> ProgressDisplay | None:
    """The display of this process (or of the parent that forked it), if one is open."""
    return _current


@dataclass
class Stage:
    """One counter of a display; ``made`` (the rate's count) excludes cached work and
    what was done before the stage started."""

    name: str
    total: int
    unit: str
    started: float
    done: int = 0
    cached: int = 0
    failed: int = 0
    tokens: int = 0
    done_before: int = 0
    samples: deque[tuple[float, int, int]] = field(default_factory=deque)

    @property
    def made(self) -> int:
        return max(self.done - self.cached - self.done_before, 0)

    def sample(self, now: float) -> None:
        """Record (time, made, tokens) and drop samples the window no longer needs: the
        newest one at least WINDOW_S old stays as the window's anchor."""
        if not self.samples:
            self.samples.append((self.started, 0, 0))
        self.samples.append((now, self.made, self.tokens))
        while len(self.samples) > 2 and now - self.samples[1][0] >= WINDOW_S:
            self.samples.popleft()

    def rates(self, now: float) -> tuple[float, float]:
        """(work/s, tokens/s) over the moving window ending now."""
        if not self.samples:
            return 0.0, 0.0
        start, made, tokens = self.samples[0]
        span = now - start
        if span <= 0:
            return 0.0, 0.0
        return (self.made - made) / span, (self.tokens - tokens) / span

    def eta(self, now: float) -> float | None:
        remaining = self.total - self.done
        if remaining <= 0:
            return 0.0
        rate = self.rates(now)[0]
        return remaining / rate if rate > 0 else None


class ProgressDisplay:
    """Named stages drawn live on a terminal, as periodic plain lines elsewhere, or not at
    all; see the module docstring for the API and the rules."""

    def __init__(
        self,
        title: str,
        *,
        unit: str = "problems",
        mode: Mode | None = None,
        stream: TextIO | None = None,
        interval: float | None = None,
        console: Any = None,
    ) -> None:
        """``stream``: where to draw (default stderr); ``console``: a rich Console to draw
        on instead (implies ``live``); ``interval``: seconds between plain lines."""
        self.title = title
        self.unit = unit
        self.stream = stream or sys.stderr
        self.interval = PLAIN_INTERVAL_S if interval is None else interval
        self.mode = "live" if console is not None else _resolve(mode or _default_mode, self.stream)
        self.stages: dict[str, Stage] = {}
        self.started = time.monotonic()
        self._owner = os.getpid()
        self._last_draw = float("-inf")
        self._console = console
        self._live: Any = None
        self._finished = False
        self._inbox: Any = None if self.mode == "quiet" else multiprocessing.SimpleQueue()
        self._outbox: dict[str, dict[str, Any]] = {}  # a child's batched messages
        self._last_forward = float("-inf")
        self._previous: ProgressDisplay | None = None

    # -- the API ---------------------------------------------------------------------

    def __enter__(self) -> ProgressDisplay:
        return self.activate()

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def activate(self) -> ProgressDisplay:
        """Make this the display of the process (model runs and forked workers add to it)."""
        global _current
        self._previous, _current = _current, self
        return self

    def start(
        self, stage: str, total: int, *, unit: str | None = None, done: int = 0, cached: int = 0
    ) -> None:
        """Begin ``stage`` with ``total`` items, ``done`` of them already (``cached``: from
        a cache); a stage that exists grows by these amounts instead. Nothing is drawn
        until the next advance, update or refresh."""
        if self._forwarding("start", stage, total=total, unit=unit, done=done, cached=cached):
            return
        with _LOCK:
            self._start(stage, total, unit or self.unit, done, cached)

    def advance(
        self, stage: str, n: int = 1, *, tokens: int = 0, cached: int = 0, failed: int = 0
    ) -> None:
        """``n`` more items done in ``stage``: ``cached`` of them from a cache, ``failed`` of
        them failed (still done); ``tokens`` generated for them."""
        if self._forwarding("advance", stage, n=n, tokens=tokens, cached=cached, failed=failed):
            return
        with _LOCK:
            self._advance(stage, n, tokens, cached, failed)
            self._draw()

    def update(self, stage: str, **counts: int) -> None:
        """Set absolute counts of ``stage`` (``done``, ``total``, ``cached``, ``failed``,
        ``tokens``), as a poller that counts finished outputs sees them."""
        if self._forwarding("update", stage, **counts):
            return
        with _LOCK:
            self._update(stage, counts)
            self._draw()

    def end(self, stage: str) -> None:
        """A part of ``stage`` is over: a forked child sends what it has batched now."""
        if os.getpid() != self._owner:
            self._forward(force=True)

    def refresh(self) -> None:
        """Apply what forked workers sent and redraw (a poller calls this to tick)."""
        if os.getpid() != self._owner:
            return
        with _LOCK:
            self._draw()

    def finish(self) -> None:
        """Draw the final state (a last plain line; the live panel stays on screen)."""
        global _current
        if os.getpid() != self._owner:
            self._forward(force=True)
            return
        if self._finished:
            return
        self._finished = True
        if _current is self:
            _current = self._previous
        with _LOCK:
            self._draw(force=True)
            if self._live is not None:
                self._live.stop()

    def line(self) -> str:
        """The plain line: title, each stage's done/total, the headline rate and ETA."""
        now = time.monotonic()
        parts = [self._stage_text(stage, now) for stage in self.stages.values()]
        body = ", ".join(parts) if parts else "starting"
        return f"{self.title}: {body}; {self._headline(now)}"

    # -- state -----------------------------------------------------------------------

    def _start(self, name: str, total: int, unit: str, done: int, cached: int) -> None:
        now = time.monotonic()
        stage = self.stages.get(name)
        if stage is None:
            stage = self.stages[name] = Stage(name, 0, unit, now)
        stage.total += total
        stage.done += done
        stage.cached += cached
        stage.done_before += done - cached
        stage.sample(now)

    def _advance(self, name: str, n: int, tokens: int, cached: int, failed: int) -> None:
        stage = self.stages.get(name)
        if stage is None:
            stage = self.stages[name] = Stage(name, 0, self.unit, time.monotonic())
        stage.done += n
        stage.cached += cached
        stage.failed += failed
        stage.tokens += tokens
        stage.sample(time.monotonic())

    def _update(self, name: str, counts: dict[str, int]) -> None:
        stage = self.stages.get(name)
        if stage is None:
            self._start(name, counts.get("total", 0), self.unit, counts.get("done", 0), 0)
            stage = self.stages[name]
        for key, value in counts.items():
            setattr(stage, key, value)
        stage.sample(time.monotonic())

    # -- across processes ------------------------------------------------------------

    def _forwarding(self, kind: str, stage: str, **values: Any) -> bool:
        """In a forked child: batch the message for the parent and say so."""
        if os.getpid() == self._owner:
            return False
        if self._inbox is None:
            return True  # quiet: nobody listens
        key = f"{kind}\0{stage}"
        if kind == "advance" and key in self._outbox:
            pending = self._outbox[key]
            for name, value in values.items():
                pending[name] += value
        else:
            self._forward(force=True)  # keep the order of starts and updates
            self._outbox[key] = values
        self._forward(force=kind != "advance")
        return True

    def _forward(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self._outbox or self._inbox is None:
            return
        if not force and now - self._last_forward < FORWARD_S:
            return
        for key, values in self._outbox.items():
            kind, stage = key.split("\0", 1)
            self._inbox.put((kind, stage, values))
        self._outbox.clear()
        self._last_forward = now

    def _receive(self) -> None:
        """Apply the messages forked workers sent (the owner only, under the lock)."""
        if self._inbox is None:
            return
        while not self._inbox.empty():
            kind, stage, values = self._inbox.get()
            if kind == "start":
                self._start(
                    stage,
                    values["total"],
                    values["unit"] or self.unit,
                    values["done"],
                    values["cached"],
                )
            elif kind == "advance":
                self._advance(
                    stage, values["n"], values["tokens"], values["cached"], values["failed"]
                )
            else:
                self._update(stage, values)

    # -- drawing ---------------------------------------------------------------------

    def _draw(self, force: bool = False) -> None:
        """Redraw if due (under the lock, in the owner process)."""
        if self.mode == "quiet":
            return
        self._receive()
        now = time.monotonic()
        every = self.interval if self.mode == "plain" else 1 / REFRESH_HZ
        if not force and now - self._last_draw < every:
            return
        self._last_draw = now
        if self.mode == "plain":
            print(f"{PREFIX} {self.line()}", file=self.stream, flush=True)
            return
        if self._live is None:
            self._live = _start_live(self._console, self.stream)
        self._live.update(self._panel(now), refresh=True)

    def _headline(self, now: float) -> str:
        """'3.1 problems/s, 12.3 s elapsed, ETA 9 s' over the stages in the display's unit."""
        counted = [s for s in self.stages.values() if s.unit == self.unit] or list(
            self.stages.values()
        )
        elapsed = now - self.started
        if not counted:
            return f"{_duration(elapsed)} elapsed"
        unit = counted[0].unit
        rate = sum(s.rates(now)[0] for s in counted)
        remaining = sum(max(s.total - s.done, 0) for s in counted)
        eta = 0.0 if remaining == 0 else remaining / rate if rate > 0 else None
        return (
            f"{_rate(rate / len(counted))} {unit}/s, {_duration(elapsed)} elapsed, ETA {_eta(eta)}"
        )

    def _stage_text(self, stage: Stage, now: float) -> str:
        text = f"{stage.name} {stage.done}/{stage.total}"
        if stage.unit != self.unit:
            text += f" {stage.unit}"
        extras = [f"{stage.cached} cached"] if stage.cached else []
        if stage.failed:
            extras.append(f"{stage.failed} failed")
        if extras:
            text += f" ({', '.join(extras)})"
        rate, tokens = stage.rates(now)
        if stage.tokens:
            text += f" {tokens:.0f} tok/s"
        if stage.unit != self.unit:  # not in the headline: its own rate and ETA
            text += f" {_rate(rate)}/s ETA {_eta(stage.eta(now))}"
        return text

    def _panel(self, now: float) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_row(f"[bold]{self.title}[/bold]", "", self._headline(now))
        for stage in self.stages.values():
            rate, tokens = stage.rates(now)
            figures = [f"{_rate(rate)}/s"]
            if stage.tokens:
                figures.append(f"{tokens:.0f} tok/s")
            if stage.cached:
                figures.append(f"{stage.cached} cached")
            if stage.failed:
                figures.append(f"[red]{stage.failed} failed[/red]")
            figures.append(f"ETA {_eta(stage.eta(now))}")
            grid.add_row(
                f"  {stage.name}",
                ProgressBar(total=max(stage.total, 1), completed=stage.done, width=24),
                f"{stage.done}/{stage.total} {stage.unit}  " + "  ".join(figures),
            )
        return grid


def _resolve(mode: str, stream: TextIO) -> Mode:
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode != "auto":
        return mode  # type: ignore[return-value]
    is_terminal = getattr(stream, "isatty", lambda: False)()
    dumb = os.environ.get("TERM", "") in ("dumb", "unknown")
    return "live" if is_terminal and not dumb else "plain"


def _start_live(console: Any, stream: TextIO) -> Any:
    """A rich Live drawn only when asked (no refresh thread, which a fork could catch
    mid-write), leaving sys.stdout/stderr alone (forked workers inherit them)."""
    from rich.console import Console
    from rich.live import Live

    live = Live(
        console=console or Console(file=stream),
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
        transient=False,
    )
    live.start()
    return live


def _rate(rate: float) -> str:
    return f"{rate:.1f}" if rate < 100 else f"{rate:.0f}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return f"{max(seconds, 0):.0f} s" if seconds < 60 else _duration(seconds)


class Progress:
    """A model run's requests (teacher, RSD, judge, rewrite): ``total`` of them,
    ``cached`` answered from the request cache, ``advance(tokens)`` per answer and
    ``show()`` at the end. Inside an open display (a build's, inherited by forked workers)
    the requests add to its stage named by the label's first word; alone, the run gets
    its own display titled ``label`` with one ``requests`` stage."""

    def __init__(
        self,
        label: str,
        total: int,
        cached: int,
        *,
        interval: float | None = None,
        stream: TextIO | None = None,
        mode: Mode | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.cached = cached
        self.done = cached
        self.tokens = 0
        self._started = time.monotonic()
        host = current() if stream is None else None
        if host is not None:
            self.display, self.stage = host, label.split(" ", 1)[0]
            self._own = False
        else:
            self.display = ProgressDisplay(
                label, unit="requests", mode=mode, stream=stream, interval=interval
            )
            self.stage, self._own = "requests", True
        self.display.start(self.stage, total, unit="requests", done=cached, cached=cached)

    def advance(self, tokens: int, *, failed: bool = False) -> None:
        self.done += 1
        self.tokens += tokens
        self.display.advance(self.stage, 1, tokens=tokens, failed=int(failed))

    def show(self) -> None:
        """The run is over: its own display draws a last line; a shared one gets the counts."""
        if self._own:
            self.display.finish()
        else:
            self.display.end(self.stage)

    def line(self) -> str:
        """This run's figures: 'annotate kk#0: 6/10 requests (4 cached), 812 tok/s, ETA 3 s'."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        asked = self.done - self.cached
        remaining = self.total - self.done
        eta = 0.0 if remaining <= 0 else remaining * elapsed / asked if asked else None
        return (
            f"{self.label}: {self.done}/{self.total} requests ({self.cached} cached), "
            f"{self.tokens / elapsed:.0f} tok/s, ETA {_eta(eta)}"
        )
