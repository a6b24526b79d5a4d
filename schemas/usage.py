"""What the models of a build were asked: requests, tokens, failures, time, cost.

Two records, because a version's files must be byte-identical however its build ran
(interrupted, resumed, with a warm or cold request cache): :class:`ModelUsage` holds
only what the data determines and goes into the manifest and card; :class:`RunUsage`
adds what the run determines (cached share, tokens actually sent, wall time, tokens/s)
and stays in the work directory and the build's last line.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field

# Summed by ``plus``; every other field (stage, model, cost) is not a count.
SUMMED = (
    "requests",
    "failed",
    "prompt_tokens",
    "completion_tokens",
    "cached",
    "asked_prompt_tokens",
    "asked_completion_tokens",
)


class ModelUsage(BaseModel):
    """One model in one stage (teacher, rsd, judge), summed over shards: the same for
    every build of the same config and seed.

    ``prompt_tokens``/``completion_tokens`` count every answer the data uses, cached or
    not (an RSD sample counts as one request of its prompt and its emitted tokens);
    ``cost`` prices those tokens (what a build from an empty cache would be billed).
    """

    model_config = ConfigDict(extra="forbid")

    stage: str
    model: str
    requests: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = Field(default=None, description="from price_per_million_tokens")

    def plus(self, other: ModelUsage) -> Self:
        counts = {name: getattr(self, name) + getattr(other, name) for name in self._summed()}
        return self.model_copy(update=counts)

    def priced(self, prompt: float, completion: float) -> Self:
        """With the cost of the data's tokens at these prices per million tokens."""
        cost = (self.prompt_tokens * prompt + self.completion_tokens * completion) / 1e6
        return self.model_copy(update={"cost": round(cost, 6)})

    @classmethod
    def _summed(cls) -> list[str]:
        return [name for name in SUMMED if name in cls.model_fields]


class RunUsage(ModelUsage):
    """:class:`ModelUsage` plus the figures of the runs that asked the model: how many
    answers came from the request cache, the tokens sent to the model (what a hosted API
    bills) and the time spent waiting on it, summed over shards. Kept out of the
    manifest and card (see the module docstring)."""

    cached: int = 0
    asked_prompt_tokens: int = 0
    asked_completion_tokens: int = 0
    wall_s: float = 0.0
    asked_cost: float | None = Field(default=None, description="of the tokens sent")

    def plus(self, other: ModelUsage) -> Self:
        summed = super().plus(other)
        wall = self.wall_s + (other.wall_s if isinstance(other, RunUsage) else 0.0)
        return summed.model_copy(update={"wall_s": round(wall, 3)})

    def priced(self, prompt: float, completion: float) -> Self:
        priced = super().priced(prompt, completion)
        sent = self.asked_prompt_tokens * prompt + self.asked_completion_tokens * completion
        return priced.model_copy(update={"asked_cost": round(sent / 1e6, 6)})

    def totals(self) -> ModelUsage:
        """The run-independent part, for the manifest and card."""
        return ModelUsage.model_validate(self.model_dump(include=set(ModelUsage.model_fields)))

    @property
    def cached_share(self) -> float:
        return self.cached / self.requests if self.requests else 0.0

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens the model produced per second of waiting for it."""
        return self.asked_completion_tokens / self.wall_s if self.wall_s > 0 else None
