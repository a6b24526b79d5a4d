"""The publish's checks of the problems, run ahead on another core while the build goes on.

Two of the publish's checks look only at the problems a version publishes: the
re-verification of each problem itself (its id against its content, its oracle answer
against its verifier; :func:`factory.publish.reverify.problem_failures`) and the
answer-space audit (:mod:`factory.quality.audit`). An ungraded build publishes every
problem its dedup step chose, so once ``SelectDistinct`` has written the ``problems``
stage files both checks' input is known, though the build has yet to solve, verify and
score them. Where one process runs the whole workflow and a second core is there, a helper
interpreter (``python -m factory.publish.checks_ahead``, the build's config on its stdin,
its findings on its stdout) makes those checks meanwhile, instead of the publish at the
end (~1.5 s of a 20,000-problem build); the publish still checks each row's reference
trace against its problem itself.

The publish takes a file's findings only where they are about the rows it publishes: the
helper read the bytes the writer of the file recorded (its sha256, as the publish finds it
now) and the shard's rows are its problems in the same order (their ids). The audit is
taken only where every file's findings were. Anything else — the helper failed, was not
started (a resumed build, a graded one, one core), or read other bytes — and the publish
makes every check itself, as it would without a helper: the version's bytes are the same
either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from factory.publish.reverify import problem_failures
from factory.quality.audit import AUDIT_PER_LEVEL, GroupAudit, SampleCollector, audit
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
            table = read_stage_table(path, storage, PROBLEM_COLUMNS).sort_by("index")
            if record is None:  # written over meanwhile: findings no file matches
                continue
            problems = from_table(table, Problem)
            failing = problem_failures(problems, spec.subset, table["config"].to_pylist())
            ids = [problem.problem_id for problem in problems]
            files[storage.url(path)] = CheckedFile(record.sha256, ids, set(failing))
            collector.add(spec.subset, problems)
    audits = audit(collector.samples(), config.audit, structural=not config.dedup)
    return Findings(files, audits)


class Helper:
    """A running helper interpreter; :meth:`findings` waits for what it found."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def findings(self) -> Findings | None:
        """None where the helper failed."""
        assert self.process.stdout is not None
        with self.process.stdout:
            output = self.process.stdout.read()
        if self.process.wait() != 0:
            return None
        try:  # our own child's output on a private pipe, never a user's or a model's text
            found = pickle.loads(output)
        except Exception:  # cut off mid-write: the publish makes every check itself
            return None
        return found if isinstance(found, Findings) else None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


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
    :func:`checking_ahead`, and for an ungraded build: a graded one publishes a selection
    of them)."""
    global _helper
    if not _enabled or config.grading is not None:
        return
    if _helper is not None:
        _helper.stop()
        _helper = None
    settle_stage_writes()  # the files the helper reads are whole on disk
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([root, path]) if path else root}
    try:
        process = subprocess.Popen(
            helper_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return
    helper = Helper(process)
    try:
        assert process.stdin is not None
        with process.stdin:
            process.stdin.write(config.model_dump_json().encode())
    except OSError:
        helper.stop()
        return
    _helper = helper


def take() -> Findings | None:
    """The running helper's findings, once it is done; None where there is no helper or
    it failed."""
    global _helper
    helper, _helper = _helper, None
    return None if helper is None else helper.findings()


def main() -> None:
    config = BuildConfig.model_validate_json(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(check_problems(config)))


if __name__ == "__main__":  # run as the module itself, so that its classes pickle by name
    from factory.publish.checks_ahead import main as module_main

    module_main()
