"""Atomic file publication: write a temporary sibling, then rename it into place."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_MARKER = ".tmp-"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one rename.

    Readers never see a partial file; on failure the temporary is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}{TMP_MARKER}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def remove_stale_temporaries(root: Path) -> int:
    """Delete temporaries left by a killed writer; returns how many were removed."""
    stale = [p for p in root.rglob(f"*{TMP_MARKER}*") if p.is_file()] if root.exists() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
