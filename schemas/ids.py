"""Identity and seeding: every record id is a content hash, every rng a derived seed.

Each id is the sha256 of the canonical JSON of a list of parts. That JSON is the parts'
own canonical JSON joined by commas inside brackets, so a part whose JSON is known (a
config's, cached per config object by :func:`generators.base.make_problem`) enters as
text; exact ints and strings are encoded without a trip through :mod:`json`. The bytes
hashed are the same either way, so the ids and seeds recorded in published datasets stay.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from json.encoder import encode_basestring as _string_json  # what json.dumps uses for str
from typing import Any

from schemas.arrow import canonical_json

_sha256 = hashlib.sha256


class Encoded(str):
    """A part's canonical JSON, already encoded (enters the hashed list verbatim)."""


@lru_cache(maxsize=1024)
def _problem_head(task: str, stream: str, version: str) -> str:
    """The JSON text before a problem id's config part."""
    return "[" + ",".join(map(_part_json, ("problem", task, stream, version))) + ","


def _part_json(part: Any) -> str:
    kind = type(part)
    if kind is int:  # not bool, not IntEnum: their JSON differs from str()
        return str(part)
    if kind is str:  # canonical_json has ensure_ascii=False
        return _string_json(part)
    if kind is Encoded:
        return part
    return canonical_json(part)


def _digest(*parts: Any) -> bytes:
    text = "[" + ",".join(map(_part_json, parts)) + "]"
    return hashlib.sha256(text.encode()).digest()


def derive_seed(seed: int, task: str, index: int) -> int:
    """Seed of the rng for problem ``index`` of ``task``: independent of order and process."""
    if type(seed) is int and type(index) is int and type(task) is str:  # the common case
        text = f'["rng",{seed},{_string_json(task)},{index}]'
        return int.from_bytes(_sha256(text.encode()).digest()[:8], "big")
    return int.from_bytes(_digest("rng", seed, task, index)[:8], "big")


def problem_digest(
    task: str, stream: str, version: str, config: dict[str, Any] | Encoded, seed: int, index: int
) -> bytes:
    """The 32-byte digest whose first 16 bytes are the :func:`problem_id`; tasks that draw
    from :class:`generators.hashrandom.HashRandom` are keyed by all of it."""
    if type(config) is Encoded and type(seed) is int and type(index) is int:
        head = _problem_head(task, stream, version)
        return _sha256(f"{head}{config},{seed},{index}]".encode()).digest()
    return _digest("problem", task, stream, version, config, seed, index)


class ProblemKeys:
    """The digests of one (task, stream, version, config)'s problems, each hashing the
    bytes :func:`problem_digest` does, with the JSON text before the seed and index hashed
    once: the hash state is copied per problem."""

    __slots__ = ("_parts", "_head")

    def __init__(self, task: str, stream: str, version: str, config: Encoded) -> None:
        self._parts = (task, stream, version, config)
        self._head = _sha256(f"{_problem_head(task, stream, version)}{config},".encode())

    def digest(self, seed: int, index: int) -> bytes:
        """:func:`problem_digest` of problem ``index`` under ``seed``."""
        if type(seed) is int and type(index) is int:  # %d writes an int as str() does
            hasher = self._head.copy()
            hasher.update(b"%d,%d]" % (seed, index))
            return hasher.digest()
        return problem_digest(*self._parts, seed, index)


def problem_id(
    task: str, stream: str, version: str, config: dict[str, Any] | Encoded, seed: int, index: int
) -> str:
    """``stream`` is the name the rng seed was derived from (the subset, usually the task);
    ``config`` is the knobs or their canonical JSON as :class:`Encoded`."""
    return id_of_digest(problem_digest(task, stream, version, config, seed, index))


def id_of_digest(digest: bytes) -> str:
    """The :func:`problem_id` of a :func:`problem_digest`."""
    return digest[:16].hex()


def trace_id(
    problem: str, producer: str, model: str | None, params: dict[str, Any], sample_index: int
) -> str:
    return _digest("trace", problem, producer, model, params, sample_index)[:16].hex()
