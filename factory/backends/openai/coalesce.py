"""Calls from several threads merged into one: many small requests, one round trip.

On a server each request has a fixed cost (HTTP, parsing, scheduling) that dwarfs a
small model's work, so callers that each score a few tokens at about the same time
(RSD's per-sample pipelines) are better served by one request with all their prompts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class _Batch(Generic[Item, Answer]):
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.answers: list[Answer] = []
        self.error: BaseException | None = None
        self.done = threading.Event()


class Coalescer(Generic[Item, Answer]):
    """``coalescer(items)`` answers ``run(items)``; calls made at about the same time share
    one ``run`` of all their items.

    The first caller of a batch waits ``window_s`` for others to join, and while
    ``parallel`` batches are running, until one ends (callers keep joining meanwhile, so
    batches grow with the load); it then runs the batch on its own thread, and the
    callers that joined wait for it. A batch that fails raises the same error in each of
    its callers.
    """

    def __init__(
        self, run: Callable[[list[Item]], list[Answer]], window_s: float, parallel: int
    ) -> None:
        self._run = run
        self._window_s = window_s
        self._running = threading.Semaphore(parallel)
        self._lock = threading.Lock()
        self._open: _Batch[Item, Answer] | None = None

    def __call__(self, items: Sequence[Item]) -> list[Answer]:
        with self._lock:
            batch = self._open
            leader = batch is None
            if batch is None:
                batch = self._open = _Batch()
            start = len(batch.items)
            batch.items.extend(items)
        if leader:
            self._lead(batch)
        else:
            batch.done.wait()
        if batch.error is not None:
            raise batch.error
        return batch.answers[start : start + len(items)]

    def _lead(self, batch: _Batch[Item, Answer]) -> None:
        try:
            time.sleep(self._window_s)
            with self._running:
                self._close(batch)
                batch.answers = self._run(batch.items)
        except BaseException as error:  # every caller of the batch gets it
            batch.error = error
        finally:
            self._close(batch)
            batch.done.set()

    def _close(self, batch: _Batch[Item, Answer]) -> None:
        """No caller joins ``batch`` from now on."""
        with self._lock:
            if self._open is batch:
                self._open = None
