"""Model identity for the request cache: what the weights are, not what they are called.

A local model directory is identified by the sha256 of its files (weights, tokenizer,
config, chat template), so replacing the weights under the same path misses the cache.
Hashing gigabytes takes a while, so the digest is remembered in the cache directory,
keyed by the files' names, sizes and modification times. A remote model (hub name or
served name) is identified by its name and the configured revision.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from factory.storage.atomic import write_text_atomic
from factory.storage.hashing import sha256_file

MEMO_FILE = "model-digests.json"


def model_identity(backend: str, model: str, revision: str | None, memo_dir: Path) -> str:
    directory = Path(model)
    if directory.is_dir():
        return f"{backend}:local:{directory_digest(directory, memo_dir)}"
    return f"{backend}:{model}@{revision or 'default'}"


def directory_digest(directory: Path, memo_dir: Path) -> str:
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
    signature = [
        [str(p.relative_to(directory)), p.stat().st_size, p.stat().st_mtime_ns] for p in files
    ]
    memo_path = memo_dir / MEMO_FILE
    memo = _read_memo(memo_path)
    entry = memo.get(str(directory.resolve()))
    if entry is not None and entry["signature"] == signature:
        return entry["sha256"]
    digest = hashlib.sha256()
    for path, (relative, _, _) in zip(files, signature, strict=True):
        digest.update(f"{relative}\0{sha256_file(path)}\n".encode())
    memo[str(directory.resolve())] = {"signature": signature, "sha256": digest.hexdigest()}
    memo_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(memo_path, json.dumps(memo, sort_keys=True))
    return digest.hexdigest()


def _read_memo(path: Path) -> dict:
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}
