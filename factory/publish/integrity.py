"""Integrity of a built version: every file re-hashed against the manifest's ``files`` list.

The manifest is the root of trust: every file of the version directory except
``manifest.json`` itself must be listed there once, with its size and sha256, so a
flipped byte, a deleted or an added file is caught and named.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath

from factory.errors import FactoryError
from factory.publish.store import MANIFEST, load_manifest
from factory.storage.filesystem import LOCAL, Storage
from factory.storage.hashing import content_mismatch
from schemas.manifest import DatasetManifest, FileEntry


class IntegrityError(FactoryError):
    """A version's files do not match its manifest (corruption or tampering)."""


@dataclass
class IntegrityReport:
    """``problems`` name the relative file and what is wrong with it; empty when ``ok``."""

    manifest: DatasetManifest = field(repr=False)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_version(version_dir: PurePath, storage: Storage = LOCAL) -> IntegrityReport:
    """Re-hash every listed file and look for unlisted ones; raises only on a bad manifest."""
    manifest = load_manifest(version_dir, storage)
    report = IntegrityReport(manifest)
    if storage.is_local:
        report.problems += irregular_entries(Path(version_dir))
        if report.problems:  # never follow a link out of the version to hash its target
            return report
    listed: set[str] = set()
    for entry in manifest.files:
        problem = _entry_problem(version_dir, entry, listed, storage)
        if problem:
            report.problems.append(f"{entry.path}: {problem}")
        listed.add(entry.path)
    for relative in _present_files(version_dir, storage):
        if relative not in listed:
            report.problems.append(f"{relative}: present but not listed in the manifest")
    return report


def irregular_entries(version_dir: Path) -> list[str]:
    """Symbolic links and anything but regular files and directories under ``version_dir``:
    a version holds only its own files, so ``push`` never uploads a link's target."""
    problems = []
    for parent, directories, files in os.walk(version_dir):
        for name in sorted(directories + files):
            path = Path(parent) / name
            relative = path.relative_to(version_dir).as_posix()
            if path.is_symlink():
                problems.append(f"{relative}: a symbolic link (a version holds only its own files)")
            elif not (path.is_file() or path.is_dir()):
                problems.append(f"{relative}: not a regular file")
    return problems


def load_verified_manifest(version_dir: PurePath, storage: Storage = LOCAL) -> DatasetManifest:
    """The manifest of ``version_dir``, after every file matched it; else IntegrityError."""
    report = check_version(version_dir, storage)
    if not report.ok:
        first, others = report.problems[0], len(report.problems) - 1
        more = f" (and {others} other problem{'s' if others != 1 else ''})" if others else ""
        where = storage.url(version_dir)
        raise IntegrityError(
            f"{where}: {first}{more}; the dataset does not match its manifest "
            f"(run `factory check {where}` for every problem)"
        )
    return report.manifest


def _entry_problem(
    version_dir: PurePath, entry: FileEntry, listed: set[str], storage: Storage
) -> str | None:
    relative = PurePosixPath(entry.path)
    if relative.is_absolute() or ".." in relative.parts or entry.path == MANIFEST:
        return "not a path inside the version directory"
    if entry.path in listed:
        return "listed twice in the manifest"
    path = version_dir / relative
    if not storage.exists(path):
        return "listed in the manifest but missing"
    return content_mismatch(storage, path, entry.bytes, entry.sha256, "manifest")


def _present_files(version_dir: PurePath, storage: Storage) -> list[str]:
    """Every file under ``version_dir`` (relative, POSIX) except the manifest itself."""
    return sorted(
        path.relative_to(version_dir).as_posix()
        for path in storage.files(version_dir)
        if path != version_dir / MANIFEST
    )
