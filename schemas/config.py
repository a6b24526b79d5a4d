"""Build configuration: what to generate, how much, at which levels, where to.

This module checks the shape of a config; that task names and knobs exist and
are in range is checked against the generator registry in ``factory.config``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.audit import AuditThresholds
from schemas.grading import GradingConfig
from schemas.sampling import SamplingParams, unsupported_option

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# Hub configs the dataset card adds beside one per subset.
RESERVED_SUBSETS = frozenset({"all", "teacher_traces", "rsd_traces"})


SPLIT_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
DEFAULT_SPLIT = "train"
Splits = dict[str, float | int]


def check_splits(splits: Splits, where: str) -> None:
    """Split names are Hub split names; sizes are all fractions summing to 1, or all counts
    (checked against each subset's count by the build config)."""
    if not splits:
        raise ValueError(f"{where}: name at least one split")
    for name, size in splits.items():
        if not re.match(SPLIT_PATTERN, name):
            raise ValueError(f"{where}: split name '{name}' must match {SPLIT_PATTERN}")
        if isinstance(size, bool) or size <= 0:
            raise ValueError(f"{where}.{name}: {size!r} is not a positive count or fraction")
    kinds = {isinstance(size, int) for size in splits.values()}
    if kinds == {False} and abs(sum(splits.values()) - 1.0) > 1e-9:
        total = sum(splits.values())
        raise ValueError(f"{where}: fractions sum to {total:g}, not 1")
    if len(kinds) > 1:
        raise ValueError(f"{where}: give every split a count or every split a fraction")


class ExcludeSource(BaseModel):
    """Problems a build must not emit: a published version of ours (matched by structural
    key) or a foreign file of prompts (matched by shared word n-grams)."""

    model_config = ConfigDict(extra="forbid")

    version: str | None = Field(default=None, description="a published version directory")
    path: str | None = Field(
        default=None, description="a Parquet or JSONL file, or a `datasets` directory"
    )
    column: str | None = Field(default=None, description="the column holding the prompt text")

    @model_validator(mode="after")
    def _one_kind(self) -> ExcludeSource:
        if (self.version is None) == (self.path is None):
            raise ValueError("give either `version` (ours) or `path` and `column` (foreign)")
        if self.path is not None and not self.column:
            raise ValueError(f"{self.path}: `column` names the prompt column to read")
        if self.version is not None and self.column is not None:
            raise ValueError("`column` is for foreign files; a version is matched by its keys")
        return self

    @property
    def location(self) -> str:
        return self.version or self.path or ""


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
    splits: Splits | None = Field(
        default=None, description="this subset's splits, instead of the build's `splits`"
    )

    @model_validator(mode="after")
    def _levels_in_range(self) -> TaskSpec:
        for level in self.levels or []:
            if not 1 <= level <= 10:
                raise ValueError(f"levels: {level} is outside 1..10")
        if self.splits is not None:
            check_splits(self.splits, "splits")
        return self

    @property
    def subset(self) -> str:
        return self.name or self.task


class Price(BaseModel):
    """What a hosted API charges, per million tokens (any currency: the card names none)."""

    model_config = ConfigDict(extra="forbid")

    prompt: float = Field(ge=0.0)
    completion: float = Field(ge=0.0)


class ModelSpec(BaseModel):
    """Which model, served how: a local engine (vllm, transformers) or HTTP endpoints."""

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
    tokenizer: str | None = Field(
        default=None,
        description="openai backend: a local tokenizer directory (else the server's /tokenize)",
    )
    chat_template: str | None = Field(
        default=None,
        description="Jinja chat template overriding the model's: inline, or a file path "
        "relative to the config file (read at load time)",
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
    price_per_million_tokens: Price | None = Field(
        default=None, description="gives the card a cost line: prompt and completion prices"
    )
    requests_per_minute: float | None = Field(
        default=None, gt=0, description="openai: at most this many requests started a minute"
    )
    tokens_per_minute: float | None = Field(
        default=None,
        gt=0,
        description="openai: at most this many tokens (prompt + max_tokens budget) a minute",
    )

    @model_validator(mode="after")
    def _endpoints_for_openai(self) -> ModelSpec:
        if self.backend == "openai" and not self.endpoints:
            raise ValueError("endpoints: the openai backend needs at least one base URL")
        for i, url in enumerate(self.endpoints):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"endpoints[{i}]: '{url}' is not an http(s) URL")
        limits = ("requests_per_minute", "tokens_per_minute")
        for name in limits:
            if getattr(self, name) is not None and self.backend != "openai":
                raise ValueError(f"{name}: rate limits are for the openai backend (hosted APIs)")
        return self


class PromptStyle(BaseModel):
    """How a problem becomes a model prompt."""

    chat: bool = Field(default=True, description="send chat messages (else a plain prompt)")
    system_prompt: str | None = None
    cache_dir: str | None = Field(
        default=None, description="request cache directory (default <output_root>/.cache)"
    )


class TeacherConfig(ModelSpec, PromptStyle):
    """The model that annotates problems with reasoning traces (``n`` samples each)."""

    sampling: SamplingParams = Field(
        default_factory=SamplingParams,
        description="decoding parameters; `seed` (default: the build seed) is the base from "
        "which each problem's request seed is derived",
    )

    @model_validator(mode="after")
    def _backend_takes_the_options(self) -> TeacherConfig:
        why = unsupported_option(self.sampling, self.backend)
        if why is not None:
            raise ValueError(why)
        return self


class RSDParams(BaseModel):
    """The RSD token rule and its engines' knobs (defaults: the published ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    k: int = Field(default=20, ge=1, le=20, description="teacher (and student) top-k")
    trials: int = Field(default=5, ge=1, le=100, description="teacher draws per position")
    p_th: float = Field(default=0.01, ge=0.0, description="accept if student prob >= p_th")
    temperature: float = Field(default=0.7, ge=0.0, le=10.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=1024, ge=1, le=1_000_000)
    draft_tokens: int = Field(
        default=8, ge=1, le=256, description="chunked: first teacher draft length (sampled: 4x)"
    )
    min_shared_vocab: float = Field(
        default=0.9, gt=0.0, le=1.0, description="refuse tokenizers sharing less than this"
    )


class RSDFilter(BaseModel):
    """Which RSD traces are kept (published: all on, at most 50% fallback)."""

    model_config = ConfigDict(extra="forbid")

    require_think_marker: bool = Field(
        default=True, description="exactly one </think> in the trace"
    )
    max_fallback_share: float = Field(default=0.5, ge=0.0, le=1.0)


class RSDConfig(PromptStyle):
    """Student-aligned traces: ``n`` RSD samples per problem, shortest passing one kept."""

    model_config = ConfigDict(extra="forbid")

    teacher: ModelSpec
    student: ModelSpec
    engine: Literal["token", "chunked", "sampled"] = Field(
        default="chunked",
        description="token: token by token, both models in process (transformers); "
        "chunked: the teacher drafts greedily, the student scores a draft in one pass (any "
        "backend; the same tokens as token by token); sampled: the teacher samples its draft "
        "and its token is the first candidate (same distribution, other draws; fastest on "
        "servers)",
    )
    params: RSDParams = Field(default_factory=RSDParams)
    n: int = Field(default=1, ge=1, le=1024)
    seed: int | None = Field(default=None, ge=0, description="default: the build seed")
    filter: RSDFilter = Field(default_factory=RSDFilter)
    in_flight: int = Field(
        default=32,
        ge=1,
        le=4096,
        description="chunked: samples decoded at once (batched drafts and scoring); "
        "not part of the cache key: each sample's tokens do not depend on it",
    )

    @model_validator(mode="after")
    def _token_engine_runs_in_process(self) -> RSDConfig:
        if self.engine == "token":
            for role in ("teacher", "student"):
                if getattr(self, role).backend != "transformers":
                    raise ValueError(
                        f"{role}.backend: the token engine runs both models in process; "
                        "use backend transformers, or engine chunked"
                    )
        return self


class VerbosityConfig(BaseModel):
    """Verbosity figures of every teacher trace (tokens, steps, hesitation, first correct
    answer, external redundancy), and optional RV/CD LLM-judge scores."""

    model_config = ConfigDict(extra="forbid")

    tokenizer: str | None = Field(
        default=None, description="named tokenizer (directory or hub name); default whitespace"
    )
    judge: ModelSpec | None = Field(
        default=None, description="the judge model for RV and CD (temperature 0, cached)"
    )


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
    rsd: RSDConfig | None = Field(
        default=None, description="student-aligned traces by reverse speculative decoding"
    )
    grading: GradingConfig | None = Field(
        default=None, description="a difficulty-graded corpus from the teacher's pass rates"
    )
    verbosity: VerbosityConfig | None = Field(
        default=None, description="verbosity figures (and judges) for the teacher's traces"
    )
    dedup: bool = Field(
        default=True,
        description="drop exact and structural duplicates, drawing further indices instead",
    )
    splits: Splits = Field(
        default_factory=lambda: {DEFAULT_SPLIT: 1.0},
        description="named splits (fractions summing to 1, or counts), stratified by level",
    )
    exclude: list[ExcludeSource] = Field(
        default_factory=list, description="versions and foreign files whose problems to avoid"
    )
    ngram: int = Field(
        default=13, ge=3, le=100, description="words a prompt may share with a foreign one"
    )
    audit: AuditThresholds = Field(
        default_factory=AuditThresholds,
        description="when `factory audit` fails a subset and level (the card shows the figures)",
    )
    tasks: list[TaskSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _splits_fit(self) -> BuildConfig:
        check_splits(self.splits, "splits")
        for i, spec in enumerate(self.tasks):
            sizes = self.splits_of(spec)
            counts = [s for s in sizes.values() if isinstance(s, int)]
            if counts and sum(counts) != spec.count:
                where = f"tasks[{i}].splits" if spec.splits else "splits"
                raise ValueError(
                    f"{where}: counts sum to {sum(counts)}, but subset '{spec.subset}' has "
                    f"count {spec.count}"
                )
        return self

    def splits_of(self, spec: TaskSpec) -> Splits:
        return spec.splits if spec.splits is not None else self.splits

    @model_validator(mode="after")
    def _unique_subsets(self) -> BuildConfig:
        seen: set[str] = set()
        for i, spec in enumerate(self.tasks):
            if spec.subset in seen:
                raise ValueError(
                    f"tasks[{i}]: subset '{spec.subset}' appears twice; "
                    "give one of them a distinct `name`"
                )
            if spec.subset in RESERVED_SUBSETS:
                raise ValueError(
                    f"tasks[{i}]: subset name '{spec.subset}' is taken by a config of the "
                    "dataset card; give the task a distinct `name`"
                )
            seen.add(spec.subset)
        return self

    @model_validator(mode="after")
    def _grading_needs_a_teacher(self) -> BuildConfig:
        if self.grading is not None and self.teacher is None:
            raise ValueError("grading: needs a `teacher` section (pass rates over its samples)")
        if self.verbosity is not None and self.teacher is None:
            raise ValueError("verbosity: needs a `teacher` section (it measures its traces)")
        return self

    def spec(self, subset: str) -> TaskSpec:
        for spec in self.tasks:
            if spec.subset == subset:
                return spec
        raise KeyError(subset)
