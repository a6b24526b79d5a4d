"""Models loaded once per process and kept: shards annotated in the same process reuse a
loaded engine instead of loading the model again for each shard. The build closes them
all when Luigi returns (see ``pipelines.build``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


Loaded = TypeVar("Loaded", bound=Closable)

_loaded: dict[str, Closable] = {}


def load_once(key: str, load: Callable[[], Loaded]) -> Loaded:
    """The model stored under ``key``, loading it the first time it is asked for."""
    if key not in _loaded:
        _loaded[key] = load()
    return _loaded[key]  # type: ignore[return-value]


def close_all() -> None:
    while _loaded:
        _loaded.popitem()[1].close()


def forget_all() -> None:
    """Drop the references without closing (for tests that check nothing gets loaded)."""
    _loaded.clear()
