"""Counting what a model stage asks while it runs, per shard (see ``schemas.usage``)."""

from __future__ import annotations

import time

from factory.backends.base import Generation, RequestFailed
from schemas.usage import RunUsage


class UsageMeter:
    """Fed each result as it is used; ``usage()`` is the shard's figures."""

    def __init__(self, stage: str, model: str) -> None:
        self.figures = RunUsage(stage=stage, model=model)
        self._started: float | None = None

    def cached(self, result: Generation) -> None:
        self._add(result, cached=True)

    def asked(self, result: Generation | RequestFailed) -> None:
        self._add(result, cached=False)

    def waiting(self) -> None:
        """The model is being asked from now on (wall time counts from the first call)."""
        if self._started is None:
            self._started = time.monotonic()

    def done(self) -> None:
        if self._started is not None:
            wall = self.figures.wall_s + time.monotonic() - self._started
            self.figures = self.figures.model_copy(update={"wall_s": round(wall, 3)})
            self._started = None

    def add_sample(self, prompt_tokens: int, completion_tokens: int, *, cached: bool) -> None:
        """One unit that is not a ``Generation`` (an RSD sample): its prompt and its
        emitted tokens, as if one request had made it (the model calls behind it are in
        the trace's stats)."""
        self._count(cached=cached, failed=False, prompt=prompt_tokens, completion=completion_tokens)

    def _add(self, result: Generation | RequestFailed, *, cached: bool) -> None:
        if isinstance(result, RequestFailed):
            self._count(cached=cached, failed=True, prompt=0, completion=0)
            return
        completion = sum(sample.num_tokens for sample in result.samples)
        self._count(cached=cached, failed=False, prompt=result.prompt_tokens, completion=completion)

    def _count(self, *, cached: bool, failed: bool, prompt: int, completion: int) -> None:
        f = self.figures
        update = {
            "requests": f.requests + 1,
            "cached": f.cached + cached,
            "failed": f.failed + failed,
            "prompt_tokens": f.prompt_tokens + prompt,
            "completion_tokens": f.completion_tokens + completion,
        }
        if not cached:
            update["asked_prompt_tokens"] = f.asked_prompt_tokens + prompt
            update["asked_completion_tokens"] = f.asked_completion_tokens + completion
        self.figures = f.model_copy(update=update)


def run_usage_line(usage: list[RunUsage]) -> str:
    """The run-dependent figures for a build's last line, one clause per stage and model:
    ``teacher m: 9 requests, 67% cached, 2.1 s, 48.3 tokens/s``."""
    parts = []
    for figures in usage:
        speed = figures.tokens_per_s
        rate = "" if speed is None else f", {speed:.1f} tokens/s"
        cost = (
            "" if figures.asked_cost is None else f", cost of tokens sent {figures.asked_cost:.2f}"
        )
        parts.append(
            f"{figures.stage} {figures.model}: {figures.requests} requests, "
            f"{figures.cached_share:.0%} cached, {figures.failed} failed, "
            f"{figures.wall_s:.1f} s{rate}{cost}"
        )
    return "; ".join(parts)
