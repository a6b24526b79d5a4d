"""What the models of a build were asked: requests, tokens, failures, time, cost."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelUsage(BaseModel):
    """One model in one stage (teacher, rsd, judge), summed over shards.

    ``prompt_tokens``/``completion_tokens`` count every answer the stage used, cached or
    not; the ``asked_`` ones only what this build's runs sent to the model (what a hosted
    API bills). ``wall_s`` is the time spent waiting on the model, summed over shards.
    """

    model_config = ConfigDict(extra="forbid")

    stage: str
    model: str
    requests: int = 0
    cached: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    asked_prompt_tokens: int = 0
    asked_completion_tokens: int = 0
    wall_s: float = 0.0
    cost: float | None = Field(default=None, description="from price_per_million_tokens")

    def plus(self, other: ModelUsage) -> ModelUsage:
        counts = {
            name: getattr(self, name) + getattr(other, name)
            for name in (
                "requests",
                "cached",
                "failed",
                "prompt_tokens",
                "completion_tokens",
                "asked_prompt_tokens",
                "asked_completion_tokens",
            )
        }
        return self.model_copy(update={**counts, "wall_s": round(self.wall_s + other.wall_s, 3)})

    @property
    def cached_share(self) -> float:
        return self.cached / self.requests if self.requests else 0.0

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens the model produced per second of waiting for it."""
        return self.asked_completion_tokens / self.wall_s if self.wall_s > 0 else None

    def priced(self, prompt: float, completion: float) -> ModelUsage:
        """With the cost of what was asked at these prices per million tokens."""
        cost = (self.asked_prompt_tokens * prompt + self.asked_completion_tokens * completion) / 1e6
        return self.model_copy(update={"cost": round(cost, 6)})
