"""Run a build: prepare the work directory, hand the task graph to Luigi, report the outcome.

Several invocations of the same build may share one work directory when they are
workers under a central scheduler (``scheduler_url``): each only adds what is missing,
and none removes what another may still be writing. A local build holds
``<work_dir>.lock`` alone, so a second one of the same config stops at once instead of
racing the first. Luigi's log goes to ``<work_dir>/luigi.log`` (on object storage: to a
local temporary directory), which a failure message names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from luigi.execution_summary import LuigiRunResult

from factory.backends.base import FatalBackendError
from factory.backends.loaded import close_all
from factory.backends.preflight import preflight
from factory.errors import BuildError, os_error_text
from factory.progress import Mode
from factory.provenance import config_fingerprint
from factory.publish.checks_ahead import checking_ahead
from factory.publish.store import is_published, load_manifest
from factory.storage.atomic import remove_stale_temporaries, temporary_prefix
from factory.storage.layout import BuildLayout
from factory.storage.stage_files import tables_kept
from pipelines.build_progress import BuildProgress
from pipelines.collection import fewer_collections
from pipelines.imports import modules_hidden
from pipelines.scheduler import check_reachable, run_tasks
from pipelines.tasks import (
    AssembleDataset,
    fatal_path,
    frozen_config,
    frozen_layout,
    models_to_check,
    shards_with_failed_requests,
)
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest

# With workers on several machines a temporary's pid says nothing about its writer (it may
# run elsewhere): a shared build only removes temporaries nobody has touched for this long.
SHARED_STALE_AFTER_S = 3600.0
LUIGI_LOG = "luigi.log"


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
    _freeze_config(config, layout, shared=shared)
    if storage.is_local:  # object storage gets whole objects only: no temporaries there
        remove_stale_temporaries(layout.work_dir, SHARED_STALE_AFTER_S if shared else 0.0)
    if not shared:
        storage.remove_tree(layout.failures_dir)


def _freeze_config(config: BuildConfig, layout: BuildLayout, *, shared: bool) -> None:
    """Write the config every task reads. One with a different fingerprint is refused. In a
    shared build the first invocation's copy stays (its workers start together); a local
    build resumed with settings that cannot change the outputs (workers, concurrency, RSD
    samples in flight, rate limits…) runs with the new ones."""
    storage, path = layout.storage, layout.frozen_config
    text = config.model_copy(update={"output_root": layout.url(layout.root)}).model_dump_json(
        indent=2
    )
    if storage.is_local:
        _create_exclusive(Path(path), text)
    elif not storage.exists(path):
        storage.write_text(path, text)
    frozen = storage.read_text(path)
    previous = BuildConfig.model_validate(json.loads(frozen))
    if config_fingerprint(previous) != config_fingerprint(config):
        raise BuildError(
            f"{layout.url(layout.work_dir)} holds an unfinished build of a different config "
            f"for {config.name} {config.version}; pass --overwrite to discard it"
        )
    if not shared and frozen != text:
        storage.write_text(path, text)


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
    progress: Mode | None = None,
    retry_failed: bool = False,
) -> BuildResult:
    """Build ``config``. With ``scheduler_url`` this process is one worker of a build that
    any number of invocations (on any machine seeing the output root at the same path)
    share through ``luigid``; each returns once the version is published. ``progress``:
    the display's mode (see ``factory.progress``; default: live on a terminal, plain lines
    elsewhere). ``retry_failed``: ask the model again for the requests that failed (the
    others come from the request cache), republishing the version."""
    layout = BuildLayout.of(config)
    shared = scheduler_url is not None
    if shared and retry_failed:
        raise BuildError("--retry-failed cannot be combined with --scheduler-url")
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
    with _build_lock(layout, shared=shared):
        retried = retry_failed and not overwrite and _forget_failed(config, layout)
        if retry_failed and not retried and is_published(layout.version_dir, layout.storage):
            return BuildResult(layout, load_manifest(layout.version_dir, layout.storage))
        try:
            prepare_work_dir(config, layout, overwrite, shared=shared)
        except OSError as error:
            raise _unwritable(layout, error) from None
        _preflight(config, layout)
        with BuildProgress(layout, config, progress):
            _run_workflow(layout, workers or config.workers, scheduler_url)
    return BuildResult(layout, load_manifest(layout.version_dir, layout.storage))


def _forget_failed(config: BuildConfig, layout: BuildLayout) -> int:
    """Remove the model-stage shards that hold failed requests (their downstream stages
    then rerun) and the published version built from them; answered requests stay in the
    request cache, so only the failed ones reach the model again."""
    failed = shards_with_failed_requests(config, layout)
    for path in failed:
        layout.storage.remove(path)
    if failed and is_published(layout.version_dir, layout.storage):
        layout.storage.remove_tree(layout.version_dir)
    line = f"{len(failed)} shards with failed requests" if failed else "no failed requests"
    print(f"[factory] retry-failed: {line}", file=sys.stderr, flush=True)
    return len(failed)


def _preflight(config: BuildConfig, layout: BuildLayout) -> None:
    """Every model a missing shard will ask is reachable and served, before any shard
    runs: one line and a stop, not a failure in every shard."""
    for spec, role in models_to_check(config, layout):
        try:
            warnings = preflight(spec, role)
        except FatalBackendError as error:
            raise BuildError(f"build stopped: {error}") from None
        for line in warnings:
            print(f"[factory] warning: {line}", file=sys.stderr, flush=True)


def _run_workflow(layout: BuildLayout, workers: int, scheduler_url: str | None) -> None:
    """Run the Luigi workflow until the version is published, or raise naming why not."""
    frozen_config.cache_clear()
    frozen_layout.cache_clear()
    log_file = _luigi_log(layout)
    import_for_workers()
    try:
        # one worker and no central scheduler: no other process reads the work directory
        # while the workflow runs, so its stage files may be written behind
        alone = workers == 1 and scheduler_url is None
        with fewer_collections(), tables_kept(write_behind=alone), checking_ahead(alone):
            result = run_tasks(
                AssembleDataset(work_dir=layout.url(layout.work_dir)),
                workers=workers,
                scheduler_url=scheduler_url,
                finished=lambda: is_published(layout.version_dir, layout.storage),
                log_file=log_file,
            )
    finally:
        close_all()  # models loaded in this process (one worker)
    if not result.scheduling_succeeded or not is_published(layout.version_dir, layout.storage):
        raise BuildError(_failure_message(layout, result, log_file))


def import_for_workers() -> None:
    """Ready here, once, what every task would otherwise ready on its own: with more than
    one worker Luigi forks a process per task, and what is done there is lost with it.
    pyarrow's first array looks for pandas, hidden from it (see ``pipelines.imports``): it
    then builds arrays without, yet still imports pandas to convert to or from it."""
    with modules_hidden("pandas"):
        pa.array([])


@contextlib.contextmanager
def _build_lock(layout: BuildLayout, *, shared: bool) -> Iterator[None]:
    """Hold ``<work_dir>.lock`` (next to the work directory, which --overwrite removes):
    alone for a local build, together with the other workers for a shared one. Object
    storage has no locks: there a second local build races the first."""
    if not layout.storage.is_local:
        yield
        return
    path = Path(f"{layout.work_dir}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError as error:
        raise _unwritable(layout, error) from None
    with handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"another `factory build` of {layout.name} {layout.version} is running in "
                f"{layout.work_dir} (it holds {path}); wait for it to finish"
            ) from None
        yield


def _unwritable(layout: BuildLayout, error: OSError) -> BuildError:
    return BuildError(
        f"output_root {layout.url(layout.root)}: cannot write there ({os_error_text(error)})"
    )


def _luigi_log(layout: BuildLayout) -> Path:
    """Where Luigi logs this build: the work directory, or a local temporary directory
    when the work directory is on object storage (a log is appended to, objects are not)."""
    if layout.storage.is_local:
        return Path(layout.work_dir) / LUIGI_LOG
    prefix = f"factory-{layout.name}-{layout.version}-"
    return Path(tempfile.mkdtemp(prefix=prefix)) / LUIGI_LOG


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


def _failure_message(layout: BuildLayout, result: LuigiRunResult, log_file: Path) -> str:
    """One line: the first failed task's reason and how many others failed, or Luigi's
    verdict when no task recorded one; the details are in ``log_file``. An error no retry
    can fix (``pipelines.tasks.stops_the_build``) is the line, whatever else failed."""
    fatal = fatal_path(layout)
    if layout.storage.exists(fatal):
        line = layout.storage.read_text(fatal).strip()
        return f"build stopped: {line}; finished shards are kept for the next run"
    reasons = layout.storage.glob(layout.failures_dir, "*.txt")
    if not reasons:
        return f"build failed: {result.status.value[1]}; Luigi's log: {log_file}"
    first = " ".join(layout.storage.read_text(reasons[0]).split())
    others = f" (and {len(reasons) - 1} other failed tasks)" if len(reasons) > 1 else ""
    return (
        f"build failed: {first}{others}; Luigi's log: {log_file}; "
        "finished shards are kept for the next run"
    )
