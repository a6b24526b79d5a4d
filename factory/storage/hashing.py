"""File hashing for manifests and integrity checks."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from factory.storage.filesystem import Storage


def sha256_stream(handle: IO[bytes]) -> str:
    """sha256 of everything left in a binary file object (local or remote)."""
    return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_stream(handle)


def content_mismatch(
    storage: Storage, path: PurePath, size: int, sha256: str, recorder: str
) -> str | None:
    """Why the file at ``path`` is not the one ``recorder`` (a manifest, a record) says it
    is, else None; the size is compared first, a cheap look before reading it all."""
    found = storage.size(path)
    if found != size:
        return f"size mismatch ({found} bytes, {recorder} says {size})"
    digest = storage.sha256(path)
    if digest != sha256:
        return f"sha256 mismatch ({digest[:12]}…, {recorder} says {sha256[:12]}…)"
    return None
