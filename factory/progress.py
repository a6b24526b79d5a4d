"""A progress line for long model runs: requests done/total, cache hits, tokens/s, ETA."""

from __future__ import annotations

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
