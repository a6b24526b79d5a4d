"""File hashing for manifests and integrity checks."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO


def sha256_stream(handle: IO[bytes]) -> str:
    """sha256 of everything left in a binary file object (local or remote)."""
    return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_stream(handle)
