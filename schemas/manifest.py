"""The manifest of a built dataset version."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import DedupReport
from schemas.usage import ModelUsage


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="relative to the version directory")
    sha256: str
    bytes: int
    rows: int


class ExcludedSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str
    kind: str = Field(description="'version' (ours, by structural key) or 'foreign' (n-grams)")
    sha256: str = Field(description="of the file, a datasets directory, a version's manifest")
    removed: int


class DatasetManifest(BaseModel):
    """Everything needed to trust, reproduce and diff a dataset version."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    parent: str | None = None
    created_at: str | None = Field(
        default=None,
        description="SOURCE_DATE_EPOCH of the build when set; no wall clock, so that a build "
        "is byte-identical however often it was interrupted",
    )
    code_version: dict[str, Any] = Field(description="package version and git commit")
    config: dict[str, Any] = Field(description="the full build config")
    config_fingerprint: str
    generators: dict[str, str] = Field(description="task → generator version")
    seed: int
    counts: dict[str, dict[str, int]] = Field(description="subset → level → problems")
    total: int
    files: list[FileEntry]
    dedup: list[DedupReport] = Field(
        default_factory=list, description="per subset: draws, kept, removed and why, splits"
    )
    excluded: list[ExcludedSource] = Field(
        default_factory=list, description="each `exclude` source, its sha256, what it removed"
    )
    audit: list[dict[str, Any]] = Field(
        default_factory=list, description="the answer-space audit per subset and level"
    )
    model_usage: list[ModelUsage] = Field(
        default_factory=list,
        # a model-free build's manifest has no such key at all
        exclude_if=lambda usage: not usage,
        description="per model stage and model: requests, failed requests, prompt and "
        "completion tokens, cost; only what every build of the config gives (wall time "
        "and cached share are in the work directory's usage/run-*.json)",
    )
