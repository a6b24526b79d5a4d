"""Progress lines: for long model runs (requests done/total, cache hits, tokens/s, ETA) and
for builds (shard outputs done/total, elapsed time, rate, ETA)."""

from __future__ import annotations

import multiprocessing
import sys
import time
from typing import TextIO


class Progress:
    """Prints to stderr at most every ``interval`` seconds, and once at the end."""

    def __init__(
        self,
        label: str,
        total: int,
        cached: int,
        *,
        interval: float = 5.0,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.cached = cached
        self.done = cached
        self.tokens = 0
        self.interval = interval
        self.stream = stream or sys.stderr
        self._start = time.monotonic()
        self._last_print = float("-inf")  # the first advance prints, however young the clock

    def advance(self, tokens: int) -> None:
        self.done += 1
        self.tokens += tokens
        if time.monotonic() - self._last_print >= self.interval:
            self.show()

    def show(self) -> None:
        self._last_print = time.monotonic()
        print(f"[factory] {self.line()}", file=self.stream, flush=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        asked = self.done - self.cached
        remaining = self.total - self.done
        eta = f"{remaining * elapsed / asked:.0f}s" if asked else "?"
        return (
            f"{self.label}: {self.done}/{self.total} requests ({self.cached} cached), "
            f"{self.tokens / elapsed:.0f} tok/s, ETA {eta if remaining else '0s'}"
        )


class BuildClock:
    """When this build process started, how many shard outputs it found done then, and when
    a progress line last went out. Made before Luigi forks its workers, who inherit it; the
    last-print time is shared memory, so the interval holds across them."""

    def __init__(self, done_at_start: int, *, interval: float = 2.0) -> None:
        self.start = time.monotonic()
        self.done_at_start = done_at_start
        self.interval = interval
        self._last_print = multiprocessing.Value("d", float("-inf"))

    def due(self, done: int, total: int) -> bool:
        """Whether a line goes out now: ``interval`` has passed, or the count is complete."""
        now = time.monotonic()
        with self._last_print.get_lock():
            if done < total and now - self._last_print.value < self.interval:
                return False
            self._last_print.value = now
            return True

    def line(self, done: int, total: int) -> str:
        elapsed = time.monotonic() - self.start
        return shard_line(done, total, elapsed, made=done - self.done_at_start)


def shard_line(done: int, total: int, elapsed: float, made: int) -> str:
    """'25/44 shard outputs (57%), 12.3 s elapsed, 2.0/s, ETA 9 s'; the rate counts the
    ``made`` outputs of this process, not those a resumed build found on disk."""
    rate = made / elapsed if elapsed > 0 else 0.0
    remaining = total - done
    eta = "0 s" if remaining <= 0 else f"{remaining / rate:.0f} s" if rate > 0 else "?"
    percent = 100 * done / total if total else 100.0
    return (
        f"{done:>5}/{total} shard outputs ({percent:.0f}%), {elapsed:.1f} s elapsed, "
        f"{rate:.1f}/s, ETA {eta}"
    )
