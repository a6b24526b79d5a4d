"""Endpoints of an HTTP backend: base URLs, keep-alive connections, health and rotation.

Requests go to the endpoint with fewest in flight (round-robin on ties). An endpoint
that fails :data:`DOWN_AFTER` requests in a row (connection errors, timeouts, 5xx) is
taken out of the rotation for :data:`DOWN_FOR_S` seconds, then tried again; a request
that failed on one endpoint goes to one it has not failed on, at once, while there is
one.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from factory.backends.base import BackendError

DOWN_AFTER = 3
"""Failures in a row after which an endpoint is skipped for :data:`DOWN_FOR_S` seconds."""
DOWN_FOR_S = 30.0


class Stopped(Exception):
    """The caller stopped waiting (generator closed, backend closed): give up quietly."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    https: bool
    host: str
    port: int | None
    api_path: str  # e.g. "/v1": completions live under it
    root_path: str  # the server root: vLLM's /tokenize and /detokenize live there


def parse_endpoint(url: str) -> Endpoint:
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        raise BackendError(
            "an endpoint URL carries credentials; pass the key through `api_key_env` instead"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise BackendError(f"endpoint {url!r} is not an http(s) base URL like http://host:8000/v1")
    api_path = parts.path.rstrip("/")
    root_path = api_path.removesuffix("/v1")
    return Endpoint(
        url.strip().rstrip("/"), parts.scheme == "https", parts.hostname, port, api_path, root_path
    )


class Connections:
    """Keep-alive connections, one per (thread, endpoint); ``close`` interrupts their users."""

    def __init__(self, endpoints: Sequence[Endpoint], timeout_s: float) -> None:
        self._endpoints = endpoints
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []
        self._closed = False

    def get(self, index: int) -> http.client.HTTPConnection:
        mine = self._mine()
        if index in mine:
            return mine[index]
        endpoint = self._endpoints[index]
        kind = http.client.HTTPSConnection if endpoint.https else http.client.HTTPConnection
        connection = kind(endpoint.host, endpoint.port, timeout=self._timeout_s)
        with self._lock:
            if self._closed:
                raise Stopped
            self._open.append(connection)
        mine[index] = connection
        return connection

    def _mine(self) -> dict[int, http.client.HTTPConnection]:
        if not hasattr(self._local, "by"):
            self._local.by = {}
        return self._local.by

    def drop(self, index: int) -> None:
        connection = self._mine().pop(index, None)
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._open = self._open, []
        for connection in connections:
            # shutdown() wakes a thread blocked reading this socket; close() alone may not.
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()


class Rotation:
    """Which endpoint takes the next attempt of a request, and which are taken out."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._lock = threading.Lock()
        self._in_flight = [0] * count
        self._failures_in_a_row = [0] * count
        self._down_until = [0.0] * count
        self._next = 0

    def health(self, index: int, *, ok: bool) -> None:
        """Count failures in a row; take the endpoint out of rotation at DOWN_AFTER."""
        with self._lock:
            if ok:
                self._failures_in_a_row[index] = 0
                return
            self._failures_in_a_row[index] += 1
            if self._failures_in_a_row[index] >= DOWN_AFTER:
                self._down_until[index] = time.monotonic() + DOWN_FOR_S

    def usable(self, failed: set[int]) -> list[int]:
        """Endpoints this request has not failed on and that are not taken out."""
        now = time.monotonic()
        return [i for i in range(self._count) if i not in failed and self._down_until[i] <= now]

    def retry_delay(self, failed: set[int], delay: float) -> float:
        """No wait when another usable endpoint can take the retry at once."""
        return 0.0 if self.usable(failed) else delay

    def pick(self, failed: set[int]) -> int:
        """The endpoint with fewest requests in flight: usable ones first (not failed by
        this request, not taken out), then ones not failed, then any. The caller calls
        :meth:`release` once the attempt is over."""
        count = self._count
        candidates = (
            self.usable(failed)
            or [i for i in range(count) if i not in failed]
            or list(range(count))
        )
        with self._lock:
            index = min(candidates, key=lambda i: (self._in_flight[i], (i - self._next) % count))
            self._in_flight[index] += 1
            self._next = index + 1
        return index

    def release(self, index: int) -> None:
        with self._lock:
            self._in_flight[index] -= 1
