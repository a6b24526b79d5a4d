"""Build configuration: what to generate, how much, at which levels, where to.

This module checks the shape of a config; that task names and knobs exist and
are in range is checked against the generator registry in ``factory.config``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.sampling import SamplingParams

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


class TeacherConfig(BaseModel):
    """The model that annotates problems with reasoning traces (``n`` samples each)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["vllm", "openai", "transformers"]
    model: str = Field(min_length=1, description="local directory, hub name, or served name")
    revision: str | None = Field(
        default=None, description="model revision; part of the cache key for non-local models"
    )
    endpoints: list[str] = Field(
        default_factory=list, description="openai backend: base URLs such as http://host:8000/v1"
    )
    api_key_env: str | None = Field(
        default="OPENAI_API_KEY", description="environment variable holding the API key"
    )
    chat: bool = Field(default=True, description="send chat messages (else a plain prompt)")
    system_prompt: str | None = None
    chat_template: str | None = Field(
        default=None,
        description="Jinja chat template overriding the model's: inline, or a file path "
        "relative to the config file (read at load time)",
    )
    sampling: SamplingParams = Field(
        default_factory=SamplingParams,
        description="decoding parameters; `seed` (default: the build seed) is the base from "
        "which each problem's request seed is derived",
    )
    concurrency: int = Field(default=16, ge=1, le=4096, description="openai: requests in flight")
    timeout_s: float = Field(default=600.0, gt=0, description="openai: per-request timeout")
    max_retries: int = Field(default=5, ge=0, le=100)
    batch_size: int = Field(default=8, ge=1, le=4096, description="transformers: batch size")
    engine_args: dict[str, Any] = Field(
        default_factory=dict,
        description="vllm: keyword arguments of vllm.LLM (dtype, tensor_parallel_size, ...); "
        "transformers: dtype, device",
    )
    cache_dir: str | None = Field(
        default=None, description="request cache directory (default <output_root>/.cache)"
    )

    @model_validator(mode="after")
    def _endpoints_for_openai(self) -> TeacherConfig:
        if self.backend == "openai" and not self.endpoints:
            raise ValueError("endpoints: the openai backend needs at least one base URL")
        for i, url in enumerate(self.endpoints):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"endpoints[{i}]: '{url}' is not an http(s) URL")
        return self


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
    teacher: TeacherConfig | None = Field(
        default=None, description="annotate problems with a model; without it, solver traces only"
    )
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
