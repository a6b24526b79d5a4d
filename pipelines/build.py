"""Run a build: prepare the work directory, hand the task graph to Luigi, report the outcome.

Several invocations of the same build may share one work directory when they are
workers under a central scheduler (``scheduler_url``): each only adds what is missing,
and none removes what another may still be writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from factory.atomic import remove_stale_temporaries, temporary_prefix
from factory.errors import BuildError
from factory.layout import BuildLayout
from factory.loaded_models import close_all
from factory.provenance import config_fingerprint
from factory.store import is_published, load_manifest
from pipelines.scheduler import check_reachable, run_tasks
from pipelines.tasks import AssembleDataset, frozen_config
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest

# With workers on several machines a temporary's pid says nothing about its writer (it may
# run elsewhere): a shared build only removes temporaries nobody has touched for this long.
SHARED_STALE_AFTER_S = 3600.0


class VersionExistsError(BuildError):
    pass


@dataclass(frozen=True)
class BuildResult:
    layout: BuildLayout
    manifest: DatasetManifest
    already_published: bool = False  # by another worker of a shared build, before we started


def prepare_work_dir(
    config: BuildConfig, layout: BuildLayout, overwrite: bool, *, shared: bool = False
) -> None:
    """Refuse to clobber a finished version; resume a matching unfinished one.

    A version is finished once its manifest exists (the rule on object storage, where
    a crashed publish can leave files without one; see ``publish_version``). ``shared``:
    other workers may be running in the work directory, so their temporaries and
    failure reports stay, and the published check is the caller's (see ``run_build``).
    """
    storage = layout.storage
    if not shared and is_published(layout.version_dir, storage) and not overwrite:
        raise VersionExistsError(
            f"{layout.url(layout.version_dir)} already exists; choose a new `version` in "
            "the config or pass --overwrite to rebuild it"
        )
    if overwrite:  # never with shared (run_build refuses): rebuild from nothing
        storage.remove_tree(layout.version_dir)
        storage.remove_tree(layout.work_dir)
    _freeze_config(config, layout)
    if storage.is_local:  # object storage gets whole objects only: no temporaries there
        remove_stale_temporaries(layout.work_dir, SHARED_STALE_AFTER_S if shared else 0.0)
    if not shared:
        storage.remove_tree(layout.failures_dir)


def _freeze_config(config: BuildConfig, layout: BuildLayout) -> None:
    """Write the config every task reads, once: the first invocation's copy stays (workers
    of a shared build start together) and one with a different config is refused."""
    storage, path = layout.storage, layout.frozen_config
    text = config.model_copy(update={"output_root": layout.url(layout.root)}).model_dump_json(
        indent=2
    )
    if storage.is_local:
        _create_exclusive(Path(path), text)
    elif not storage.exists(path):
        storage.write_text(path, text)
    previous = BuildConfig.model_validate(json.loads(storage.read_text(path)))
    if config_fingerprint(previous) != config_fingerprint(config):
        raise BuildError(
            f"{layout.url(layout.work_dir)} holds an unfinished build of a different config "
            f"for {config.name} {config.version}; pass --overwrite to discard it"
        )


def _create_exclusive(path: Path, text: str) -> None:
    """Create ``path`` whole unless it exists: a hard link of a finished temporary is
    atomic and fails when the name is taken, so concurrent creators cannot clobber."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=temporary_prefix(path)) as tmp:
        tmp.write(text)
        tmp.flush()
        with contextlib.suppress(FileExistsError):
            os.link(tmp.name, path)


def run_build(
    config: BuildConfig,
    *,
    workers: int | None = None,
    overwrite: bool = False,
    scheduler_url: str | None = None,
) -> BuildResult:
    """Build ``config``. With ``scheduler_url`` this process is one worker of a build that
    any number of invocations (on any machine seeing the output root at the same path)
    share through ``luigid``; each returns once the version is published."""
    layout = BuildLayout.of(config)
    shared = scheduler_url is not None
    if shared:
        if overwrite:
            raise BuildError(
                "--overwrite cannot be combined with --scheduler-url: every worker would "
                "discard the others' work; remove the version once, then start the workers"
            )
        check_reachable(scheduler_url)
        published = _published_manifest(config, layout)
        if published is not None:
            return BuildResult(layout, published, already_published=True)
    prepare_work_dir(config, layout, overwrite, shared=shared)
    frozen_config.cache_clear()
    try:
        result = run_tasks(
            AssembleDataset(work_dir=layout.url(layout.work_dir)),
            workers=workers or config.workers,
            scheduler_url=scheduler_url,
            finished=lambda: is_published(layout.version_dir, layout.storage),
        )
    finally:
        close_all()  # models loaded in this process (one worker)
    if not result.scheduling_succeeded or not is_published(layout.version_dir, layout.storage):
        raise BuildError(_failure_message(layout, result.summary_text))
    return BuildResult(layout, load_manifest(layout.version_dir, layout.storage))


def _published_manifest(config: BuildConfig, layout: BuildLayout) -> DatasetManifest | None:
    """A shared build's version that another worker already published, if any; a version
    published from a different config is refused as in a local build."""
    if not is_published(layout.version_dir, layout.storage):
        return None
    manifest = load_manifest(layout.version_dir, layout.storage)
    if manifest.config_fingerprint != config_fingerprint(config):
        raise VersionExistsError(
            f"{layout.url(layout.version_dir)} already exists, built from a different config; "
            "choose a new `version` in the config"
        )
    return manifest


def _failure_message(layout: BuildLayout, summary: str) -> str:
    reasons = layout.storage.glob(layout.failures_dir, "*.txt")
    if reasons:
        details = "".join(layout.storage.read_text(path) for path in reasons[:10])
        return f"build failed; finished shards are kept, rerun to resume:\n{details}"
    return f"build failed:\n{summary}"
