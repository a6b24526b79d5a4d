"""Where a build's files live.

- final dataset:  ``<root>/<name>/<version>/`` with ``data/<subset>/train-<shard>.parquet``,
  ``manifest.json`` and ``README.md``;
- teacher traces: ``teacher_traces/<subset>/train-<shard>.parquet`` when a teacher is set;
- work shards:    ``<root>/.work/<name>/<version>/<stage>/<subset>/<shard>.parquet`` —
  the intermediate outputs whose existence is Luigi's resume mechanism.

``<root>`` is ``output_root``: a local directory or an fsspec URL (``s3://bucket/prefix``);
every path here lives in ``BuildLayout.storage`` (see ``factory.storage.filesystem``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from factory.storage.filesystem import LOCAL, Storage, is_url, locate
from schemas.config import BuildConfig, TaskSpec

SOLVER_STAGES = ("candidates", "problems", "splits", "traces", "verdicts", "scores")
PRODUCERS = ("teacher", "rsd")
MEASURED = "teacher_verbosity"
CACHE_NAME = "reasoning-factory"
DATA_DIR = "data"


def producer_stages(producers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{p}_{kind}" for p in producers for kind in ("traces", "verdicts"))


STAGES = (*SOLVER_STAGES, *producer_stages(PRODUCERS), MEASURED)


def model_producers(config: BuildConfig) -> tuple[str, ...]:
    """The model stages a build runs: ``teacher`` and/or ``rsd``, when configured."""
    return tuple(p for p in PRODUCERS if getattr(config, p) is not None)


def stages_of(config: BuildConfig) -> tuple[str, ...]:
    measured = (MEASURED,) if config.verbosity is not None else ()
    return SOLVER_STAGES + producer_stages(model_producers(config)) + measured


@dataclass(frozen=True)
class BuildLayout:
    """A build's paths: ``Path``s on local disk, bucket/key paths in ``storage`` else."""

    root: PurePath
    name: str
    version: str
    storage: Storage = LOCAL

    @classmethod
    def of(cls, config: BuildConfig) -> BuildLayout:
        storage, root = locate(config.output_root)
        return cls(root, config.name, config.version, storage)

    def url(self, path: PurePath) -> str:
        """``path`` as a string ``locate`` maps back (a local path, or a URL)."""
        return self.storage.url(path)

    @property
    def version_dir(self) -> PurePath:
        return self.root / self.name / self.version

    @property
    def work_dir(self) -> PurePath:
        return self.root / ".work" / self.name / self.version

    @property
    def frozen_config(self) -> PurePath:
        return self.work_dir / "config.json"

    @property
    def failures_dir(self) -> PurePath:
        return self.work_dir / "failures"

    @property
    def selection_path(self) -> PurePath:
        """A graded build's selection: one row per problem of every subset."""
        return self.work_dir / "selection.parquet"

    @property
    def dedup_path(self) -> PurePath:
        """What dedup and exclusion removed: one row per subset."""
        return self.work_dir / "dedup.parquet"

    @property
    def excluded_path(self) -> PurePath:
        """Each ``exclude`` source as used: its sha256 and how many problems it removed."""
        return self.work_dir / "excluded.parquet"

    def stage_path(self, stage: str, subset: str, shard: int) -> PurePath:
        assert stage in STAGES, stage
        return self.work_dir / stage / subset / f"{shard:05d}.parquet"


def request_cache_dir(configured: str | None, output_root: str | Path) -> Path:
    """The request cache (SQLite, so always on local disk): ``cache_dir`` when configured,
    else ``<output_root>/.cache``, shared by every build and rewrite under that root.
    When ``output_root`` is a URL the default is ``$XDG_CACHE_HOME/reasoning-factory``
    (``~/.cache/reasoning-factory``): one cache per machine."""
    if configured:
        return Path(configured)
    if is_url(output_root):
        return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / CACHE_NAME
    return Path(output_root).resolve() / ".cache"


def data_file(subset: str, split: str, shard: int) -> str:
    """Path of a data file relative to the version directory: one per subset, split and
    shard (a shard with no problem of a split has no file for it)."""
    return f"{DATA_DIR}/{subset}/{split}-{shard:05d}.parquet"


def split_of(relative: str) -> str:
    """The split a data file holds (``data/<subset>/<split>-<shard>.parquet``)."""
    return relative.rsplit("/", 1)[-1].rsplit("-", 1)[0]


def is_data_file(relative: str) -> bool:
    """Whether a version's file (relative path) is a data file, not traces, card or figure."""
    return relative.startswith(f"{DATA_DIR}/")


def subset_of(relative: str) -> str:
    """The subset a data or trace file belongs to (``<dir>/<subset>/<file>``)."""
    return relative.split("/")[1]


def traces_file(producer: str, subset: str, shard: int) -> str:
    """Path of a model-trace file (one row per sample, with its verdict)."""
    return f"{producer}_traces/{subset}/train-{shard:05d}.parquet"


def shard_count(spec: TaskSpec, shard_size: int) -> int:
    return -(-spec.count // shard_size)


def shard_indices(spec: TaskSpec, shard_size: int, shard: int) -> range:
    return range(shard * shard_size, min(spec.count, (shard + 1) * shard_size))


def level_of(spec: TaskSpec, index: int) -> int | None:
    """Problem ``index`` gets the levels round-robin, so every shard mixes levels evenly."""
    return spec.levels[index % len(spec.levels)] if spec.levels else None
