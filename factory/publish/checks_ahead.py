"""The publish's checks of the problems, run ahead on another core while the build goes on.

Two of the publish's checks look only at the problems a version publishes: the
re-verification of each problem itself (its id against its content, its oracle answer
against its verifier; :func:`factory.publish.reverify.problem_failures`) and the
answer-space audit (:mod:`factory.quality.audit`). An ungraded build publishes every
problem its dedup step chose, so once ``SelectDistinct`` has written the ``problems``
stage files both checks' input is known, though the build has yet to solve, verify and
score them. Where one process runs the whole workflow and a second core is there, a helper
interpreter (``python -m factory.publish.checks_ahead``, the build's config and its
findings in temporary files) makes those checks meanwhile, instead of the publish at
the end (~1.5 s of a 20,000-problem build); the publish still checks each row's reference
trace against its problem itself.

The publish never waits for the helper: it asks before each shard, and makes the checks
itself until the helper is done (a small build's publish often comes first). It takes a
file's findings only where they are about the rows it publishes: the helper read the bytes
the file's writer recorded (their sha256, as the publish finds it now) and the shard's rows
are its problems in the same order (their ids). The helper's audit is taken only where
every file's findings were. Anything else — the helper failed, was not started (a resumed
build, a graded or small one, one core), or read other bytes — and the publish makes every check
itself, as it would without a helper: the version's bytes are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO

from factory.publish.reverify import problem_failures
from factory.quality.audit import AUDIT_PER_LEVEL, GroupAudit, SampleCollector, build_audit
from factory.storage.filesystem import Storage
from factory.storage.layout import BuildLayout, shard_count
from factory.storage.stage_files import read_stage_table, settle_stage_writes, stage_record
from schemas.arrow import from_table
from schemas.config import BuildConfig
from schemas.records import PROBLEM_COLUMNS, Problem


@dataclass(frozen=True)
class CheckedFile:
    """What the helper found of one ``problems`` file."""

    sha256: str
    """Of the bytes it read (as their writer recorded it)."""
    ids: list[str]
    """The problems' ids in index order: the order of the shard's published rows."""
    failing: set[int]
    """The rows (positions in that order) whose problem does not re-verify."""


@dataclass(frozen=True)
class Findings:
    files: dict[str, CheckedFile]
    """By the file's url."""
    audits: list[GroupAudit]

    def of(self, path: PurePath, storage: Storage, ids: list[str]) -> CheckedFile | None:
        """The findings of the ``problems`` file ``path`` where they are about these rows
        (``ids``, in order) and the file's bytes now; None else."""
        checked = self.files.get(storage.url(path))
        record = stage_record(path, storage)
        if checked is None or record is None or record.sha256 != checked.sha256:
            return None
        return checked if checked.ids == ids else None


def check_problems(config: BuildConfig) -> Findings:
    """What the publish of an ungraded build finds of its problems, from the ``problems``
    files (rows in index order, as the publish assembles them)."""
    layout = BuildLayout.of(config)
    storage, collector = layout.storage, SampleCollector(AUDIT_PER_LEVEL)
    files = {}
    for spec in config.tasks:
        for shard in range(shard_count(spec, config.shard_size)):
            path = layout.stage_path("problems", spec.subset, shard)
            record = stage_record(path, storage)
            if record is None:  # no findings then: the publish checks this file itself
                continue
            table = read_stage_table(path, storage, PROBLEM_COLUMNS).sort_by("index")
            problems = from_table(table, Problem)
            failing = problem_failures(problems, spec.subset, table["config"].to_pylist())
            ids = [problem.problem_id for problem in problems]
            files[storage.url(path)] = CheckedFile(record.sha256, ids, set(failing))
            collector.add(spec.subset, problems)
    return Findings(files, build_audit(collector, config))


class Helper:
    """A running helper interpreter, its findings written to ``output`` (a file, not a pipe:
    a helper done with its work never waits for a reader)."""

    def __init__(self, process: subprocess.Popen[bytes], output: IO[bytes]) -> None:
        self.process, self.output = process, output
        self._findings: Findings | None = None

    def findings(self, wait: bool = False) -> Findings | None:
        """What the helper found, once it is done (``wait``: wait for it); None while it is
        at work, or where it failed."""
        if self._findings is None and (wait or self.process.poll() is not None):
            self._findings = self._read()
        return self._findings

    def _read(self) -> Findings | None:
        if self.process.wait() != 0 or self.output.closed:
            return None
        self.output.seek(0)
        try:  # our own child's output in a file of ours, never a user's or a model's text
            found = pickle.load(self.output)
        except Exception:  # cut off mid-write: the publish makes every check itself
            return None
        finally:
            self.output.close()
        return found if isinstance(found, Findings) else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.output.close()


MIN_PROBLEMS = 5_000
"""A build of fewer problems checks them at its publish: the helper's start-up (~0.4 s of
a core, mostly imports) and its contention for the second core with the stage writer cost
more than it saves (the quick start's 950 problems with one worker: 1.86 -> ~2.0 s)."""

_enabled = False
_helper: Helper | None = None


@contextlib.contextmanager
def checking_ahead(enabled: bool) -> Iterator[None]:
    """While the block runs (a build's workflow), :func:`begin` may start a helper (only
    where ``enabled``: one process runs the whole workflow, and has a second core); a
    helper still running when the block ends is stopped."""
    global _enabled, _helper
    _enabled = enabled and spare_core()
    try:
        yield
    finally:
        _enabled = False
        if _helper is not None:
            _helper.stop()
            _helper = None


def spare_core() -> bool:
    """Whether this process may run on more than one core (else the helper would only add
    its start-up and reads to the work of the build's one core)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) > 1
    return (os.cpu_count() or 1) > 1


def helper_command() -> list[str]:
    return [sys.executable, "-m", __name__]


def begin(config: BuildConfig) -> None:
    """Start checking the build's ``problems`` files, now chosen, on another core (within
    :func:`checking_ahead`, for an ungraded build of :data:`MIN_PROBLEMS` or more: a graded
    one publishes a selection of them)."""
    global _helper
    if not _enabled or config.grading is not None:
        return
    if sum(spec.count for spec in config.tasks) < MIN_PROBLEMS:
        return
    if _helper is not None:
        _helper.stop()
        _helper = None
    settle_stage_writes()  # the files the helper reads are whole on disk
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([root, path]) if path else root}
    with tempfile.TemporaryFile() as request:  # a file, not a pipe: no write ever waits
        request.write(config.model_dump_json().encode())
        request.seek(0)
        output = tempfile.TemporaryFile()  # noqa: SIM115 (the helper owns it and closes it)
        try:
            process = subprocess.Popen(
                helper_command(), stdin=request, stdout=output, stderr=subprocess.DEVNULL, env=env
            )
        except OSError:
            output.close()
            return
    _helper = Helper(process, output)


def findings(wait: bool = False) -> Findings | None:
    """The helper's findings once it is done (``wait``: wait for it); None where there is
    no helper, it is still at work, or it failed. The publish asks before each shard and
    makes the checks itself until they are there, rather than wait."""
    return None if _helper is None else _helper.findings(wait)


def main() -> None:
    config = BuildConfig.model_validate_json(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(check_problems(config)))


if __name__ == "__main__":  # run as the module itself, so that its classes pickle by name
    from factory.publish.checks_ahead import main as module_main

    module_main()
