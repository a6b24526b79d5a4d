"""Build configuration: what to generate, how much, at which levels, where to.

This module checks the shape of a config; that task names and knobs exist and
are in range is checked against the generator registry in ``factory.config``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class TaskSpec(BaseModel):
    """One task of a build: ``count`` problems spread round-robin over ``levels``."""

    model_config = ConfigDict(extra="forbid")

    task: str = Field(description="registered task name, see `factory tasks`")
    name: str | None = Field(
        default=None,
        pattern=NAME_PATTERN,
        description="subset name (defaults to the task); lets one task appear twice",
    )
    count: int = Field(ge=1, le=100_000_000)
    levels: list[int] | None = Field(
        default=None,
        min_length=1,
        description="difficulty levels 1..10; problem i gets levels[i % len(levels)]",
    )
    knobs: dict[str, Any] = Field(
        default_factory=dict, description="overrides applied on top of the level's knobs"
    )

    @model_validator(mode="after")
    def _levels_in_range(self) -> TaskSpec:
        for level in self.levels or []:
            if not 1 <= level <= 10:
                raise ValueError(f"levels: {level} is outside 1..10")
        return self

    @property
    def subset(self) -> str:
        return self.name or self.task


class BuildConfig(BaseModel):
    """A dataset build: the YAML a user passes to ``factory build``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(default="0.1.0", pattern=NAME_PATTERN)
    description: str = ""
    license: str = "cc-by-4.0"
    seed: int = Field(default=0, ge=0)
    output_root: str = Field(default="out", min_length=1)
    shard_size: int = Field(default=1000, ge=1, le=1_000_000)
    workers: int = Field(default=1, ge=1, le=256)
    parent: str | None = Field(default=None, description="version this one derives from")
    tasks: list[TaskSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_subsets(self) -> BuildConfig:
        seen: set[str] = set()
        for i, spec in enumerate(self.tasks):
            if spec.subset in seen:
                raise ValueError(
                    f"tasks[{i}]: subset '{spec.subset}' appears twice; "
                    "give one of them a distinct `name`"
                )
            seen.add(spec.subset)
        return self

    def spec(self, subset: str) -> TaskSpec:
        for spec in self.tasks:
            if spec.subset == subset:
                return spec
        raise KeyError(subset)
