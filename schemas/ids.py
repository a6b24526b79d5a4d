"""Identity and seeding: every record id is a content hash, every rng a derived seed."""

from __future__ import annotations

import hashlib
from typing import Any

from schemas.arrow import canonical_json


def _digest(*parts: Any) -> bytes:
    return hashlib.sha256(canonical_json(list(parts)).encode()).digest()


def derive_seed(seed: int, task: str, index: int) -> int:
    """Seed of the rng for problem ``index`` of ``task``: independent of order and process."""
    return int.from_bytes(_digest("rng", seed, task, index)[:8], "big")


def problem_id(
    task: str, stream: str, version: str, config: dict[str, Any], seed: int, index: int
) -> str:
    """``stream`` is the name the rng seed was derived from (the subset, usually the task)."""
    return _digest("problem", task, stream, version, config, seed, index)[:16].hex()


def trace_id(
    problem: str, producer: str, model: str | None, params: dict[str, Any], sample_index: int
) -> str:
    return _digest("trace", problem, producer, model, params, sample_index)[:16].hex()
