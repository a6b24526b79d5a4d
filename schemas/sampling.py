"""Decoding parameters of a model request (the teacher config and backends share them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SamplingParams(BaseModel):
    """Decoding parameters of one request; every field is part of the cache key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(default=0.7, ge=0.0, le=10.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=1024, ge=1, le=1_000_000)
    stop: tuple[str, ...] = ()
    seed: int | None = Field(default=None, ge=0)
    n: int = Field(default=1, ge=1, le=1024)
    logprobs: int | None = Field(
        default=None, ge=0, le=20, description="top-k alternatives per generated token"
    )
