"""Keys that identify a problem for dedup, splits and decontamination, as 64-bit ints
(small in memory at a million problems; collisions negligible at a build's size)."""

from __future__ import annotations

import hashlib

from generators.registry import get_task
from schemas.records import Problem


def key64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def exact_key64(problem: Problem) -> int:
    """Equal for problems whose prompts are the same text."""
    return key64(problem.prompt)


def structural_key64(problem: Problem) -> int:
    """Equal for problems of one task that differ only in names, phrasings or symmetric
    relabellings (the task's ``structural_key``)."""
    return key64(f"{problem.task}\0{get_task(problem.task).structural_key(problem)}")
