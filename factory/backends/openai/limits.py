"""A requests-per-minute and tokens-per-minute limit for hosted APIs (token buckets).

Each bucket holds at most one minute's allowance and refills continuously; a request
waits until both buckets hold what it needs. A request's tokens are estimated before it
is sent (prompt characters / 4, plus ``max_tokens`` for each of its ``n`` samples: what
a provider counts against the limit up front).
"""

from __future__ import annotations

import threading
import time


class _Bucket:
    def __init__(self, per_minute: float) -> None:
        self.capacity = per_minute
        self.rate = per_minute / 60.0
        self.level = per_minute
        self.stamp = time.monotonic()

    def wait_for(self, amount: float, now: float) -> float:
        """Seconds until ``amount`` is available (0: take it now)."""
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        amount = min(amount, self.capacity)  # one over-sized request still goes, alone
        return 0.0 if self.level >= amount else (amount - self.level) / self.rate

    def take(self, amount: float) -> None:
        self.level -= min(amount, self.capacity)


class RateLimit:
    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None) -> None:
        self._requests = _Bucket(requests_per_minute) if requests_per_minute else None
        self._tokens = _Bucket(tokens_per_minute) if tokens_per_minute else None
        self._lock = threading.Lock()

    def acquire(self, tokens: float, stop: threading.Event) -> bool:
        """Block until one request of ``tokens`` may start; False if ``stop`` was set."""
        while True:
            with self._lock:
                now = time.monotonic()
                waits = [
                    bucket.wait_for(amount, now)
                    for bucket, amount in ((self._requests, 1.0), (self._tokens, tokens))
                    if bucket is not None
                ]
                wait = max(waits, default=0.0)
                if wait == 0.0:
                    for bucket, amount in ((self._requests, 1.0), (self._tokens, tokens)):
                        if bucket is not None:
                            bucket.take(amount)
                    return True
            if stop.wait(wait):
                return False


def estimated_tokens(body: dict) -> float:
    """What a request may count against a tokens-per-minute limit."""
    prompt = body.get("prompt", body.get("messages", ""))
    # a token-id prompt, or a list of them (one request, several prompts)
    prompts = (
        prompt if isinstance(prompt, list) and prompt and isinstance(prompt[0], list) else [prompt]
    )
    total = 0.0
    for one in prompts:
        ids = isinstance(one, list) and bool(one) and isinstance(one[0], int)
        total += len(one) if ids else len(str(one)) / 4
    return total + body.get("max_tokens", 0) * body.get("n", 1) * len(prompts)
