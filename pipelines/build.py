"""Run a build: prepare the work directory, hand the task graph to Luigi, report the outcome."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import luigi

from factory.atomic import remove_stale_temporaries
from factory.errors import BuildError
from factory.layout import BuildLayout
from factory.loaded_models import close_all
from factory.provenance import config_fingerprint
from factory.store import load_manifest
from pipelines.tasks import AssembleDataset, frozen_config
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest


class VersionExistsError(BuildError):
    pass


@dataclass(frozen=True)
class BuildResult:
    layout: BuildLayout
    manifest: DatasetManifest


def prepare_work_dir(config: BuildConfig, layout: BuildLayout, overwrite: bool) -> None:
    """Refuse to clobber a finished version; resume a matching unfinished one."""
    if layout.version_dir.exists():
        if not overwrite:
            raise VersionExistsError(
                f"{layout.version_dir} already exists; choose a new `version` in the config "
                "or pass --overwrite to rebuild it"
            )
        shutil.rmtree(layout.version_dir)
        shutil.rmtree(layout.work_dir, ignore_errors=True)
    fingerprint = config_fingerprint(config)
    frozen = config.model_copy(update={"output_root": str(layout.root)})
    if layout.frozen_config.exists():
        previous = BuildConfig.model_validate(json.loads(layout.frozen_config.read_text()))
        if config_fingerprint(previous) != fingerprint:
            raise BuildError(
                f"{layout.work_dir} holds an unfinished build of a different config for "
                f"{config.name} {config.version}; pass --overwrite to discard it"
            )
    layout.work_dir.mkdir(parents=True, exist_ok=True)
    layout.frozen_config.write_text(frozen.model_dump_json(indent=2))
    remove_stale_temporaries(layout.work_dir)
    shutil.rmtree(layout.failures_dir, ignore_errors=True)


def run_build(
    config: BuildConfig, *, workers: int | None = None, overwrite: bool = False
) -> BuildResult:
    layout = BuildLayout.of(config)
    prepare_work_dir(config, layout, overwrite)
    frozen_config.cache_clear()
    try:
        result = luigi.build(
            [AssembleDataset(work_dir=str(layout.work_dir))],
            local_scheduler=True,
            workers=workers or config.workers,
            detailed_summary=True,
            log_level="WARNING",
        )
    finally:
        close_all()  # models loaded in this process (one worker)
    if not result.scheduling_succeeded or not layout.version_dir.exists():
        raise BuildError(_failure_message(layout, result.summary_text))
    return BuildResult(layout, load_manifest(layout.version_dir))


def _failure_message(layout: BuildLayout, summary: str) -> str:
    reasons = sorted(layout.failures_dir.glob("*.txt")) if layout.failures_dir.exists() else []
    if reasons:
        details = "".join(path.read_text() for path in reasons[:10])
        return f"build failed; finished shards are kept, rerun to resume:\n{details}"
    return f"build failed:\n{summary}"
