"""Atomic file publication: write a temporary sibling, then rename it into place."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_MARKER = ".tmp-"
STAGING_MARKER = ".staging-"


def temporary_prefix(path: Path) -> str:
    """Name prefix of this process's temporaries for ``path``: ``<name>.tmp-<pid>-``, so
    :func:`remove_stale_temporaries` can find them and tell whether the writer lives."""
    return f"{path.name}{TMP_MARKER}{os.getpid()}-"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one rename.

    Readers never see a partial file; on failure the temporary is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{temporary_prefix(path)}{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def staging_dir_for(final: Path) -> Path:
    """A hidden sibling of ``final`` to fill and rename into place: ``.<name>.staging-<pid>-…``,
    so :func:`remove_stale_staging` can tell whether its writer lives."""
    return final.with_name(f".{final.name}{STAGING_MARKER}{os.getpid()}-{uuid.uuid4().hex[:8]}")


def remove_stale_staging(parent: Path) -> int:
    """Delete the staging directories under ``parent`` whose writer process is gone (a
    killed publish); returns how many were removed."""
    if not parent.is_dir():
        return 0
    found = [p for p in parent.glob(f".*{STAGING_MARKER}*") if p.is_dir()]
    stale = [p for p in found if _writer_gone(p.name.rpartition(STAGING_MARKER)[2])]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def remove_stale_temporaries(root: Path, min_age_s: float = 0.0) -> int:
    """Delete temporaries left by a killed writer; returns how many were removed.

    A temporary whose writer pid is alive on this machine is kept, and so is one written
    to less than ``min_age_s`` ago (a writer on another machine sharing ``root``).
    """
    found = [p for p in root.rglob(f"*{TMP_MARKER}*") if p.is_file()] if root.exists() else []
    stale = [p for p in found if _is_stale(p, time.time() - min_age_s)]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def _is_stale(path: Path, written_before: float) -> bool:
    try:
        if path.stat().st_mtime > written_before:
            return False
    except FileNotFoundError:
        return False  # its writer has just renamed or removed it
    return _writer_gone(path.name.rpartition(TMP_MARKER)[2])


def _writer_gone(tail: str) -> bool:
    """Whether the process named by ``<pid>-…`` (a temporary's name tail) is gone."""
    pid = tail.split("-", 1)[0]
    if not pid.isdigit() or int(pid) <= 0:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False
