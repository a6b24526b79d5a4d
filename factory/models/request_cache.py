"""Content-addressed, on-disk cache of model responses.

The key is the sha256 of everything that changes a response: the backend and model
identity (weights digest for local models), the chat template override, the prompt
or full message list (system prompt included) and every decoding parameter (seed
and n included). Each response is committed the moment it arrives, so a crash loses
at most the requests in flight and a rerun asks only for what is missing.

Storage is one SQLite file in write-ahead-log mode: several Luigi worker processes
on one machine may read and write it at once. (Put it on a local disk: SQLite's
locking is unreliable over NFS.)
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from factory.backends.base import Generation, GenerationRequest
from schemas.arrow import canonical_json

Response = TypeVar("Response", bound=BaseModel)

DATABASE = "requests.sqlite"
_LOOKUP_CHUNK = 500


def content_key(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def request_key(model_identity: str, chat_template: str | None, request: GenerationRequest) -> str:
    return content_key(
        {
            "model": model_identity,
            "chat_template": chat_template,
            "request": request.model_dump(mode="json"),
        }
    )


class RequestCache:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / DATABASE
        self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )

    def get_many(
        self, keys: Iterable[str], kind: type[Response] = Generation
    ) -> dict[str, Response]:
        """The cached responses among ``keys``, read back as ``kind``."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, Response] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, value FROM responses WHERE key IN ({marks})", chunk
            )
            for key, value in rows:
                try:
                    found[key] = kind.model_validate_json(value)
                except ValidationError:
                    continue  # an unreadable entry is a miss: the request is asked again
        return found

    def put(self, key: str, response: BaseModel) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)",
            (key, response.model_dump_json()),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RequestCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
