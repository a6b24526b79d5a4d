"""Which failures a retry can fix, and how long to wait before it.

Retried: 408, 429, 5xx but 501, timeouts and connection errors (on another endpoint
where there is one), with exponential backoff and full jitter, or after the server's
``Retry-After``. Not retried: any other 4xx (unknown model, authentication, bad request)
and 501 — no retry can fix those, so they raise ``FatalBackendError`` at once.
"""

from __future__ import annotations

import email.utils
import http.client
import math
import random
import time

# The longest pause between attempts, whatever the backoff or a Retry-After asks.
MAX_DELAY_S = 60.0


class GaveUp(Exception):
    """Retries spent on malformed bodies: the request fails, the run goes on."""


def retryable(status: int) -> bool:
    """An HTTP status a later attempt (or another endpoint) may answer differently."""
    return status in (408, 429) or (status >= 500 and status != 501)


def backoff(attempt: int, base_s: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(MAX_DELAY_S, base * 2**(attempt - 1))]."""
    return rng.uniform(0, min(MAX_DELAY_S, base_s * 2 ** (attempt - 1)))


def describe(error: BaseException, timeout_s: float) -> str:
    """A connection-level failure in words."""
    if isinstance(error, TimeoutError):
        return f"no response within {timeout_s:g}s"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    return f"{type(error).__name__}: {error}"


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_DELAY_S) if math.isfinite(seconds) else None
