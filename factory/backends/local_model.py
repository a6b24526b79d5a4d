"""A model written as a local path must exist: say so before a loader turns the path into
a hub lookup that fails with a network error."""

from __future__ import annotations

from pathlib import Path

from factory.backends.base import BackendError


def looks_like_path(model: str) -> bool:
    """Hub names look like ``org/name``; anything starting with ``.``, ``/`` or ``~`` or
    with more than one ``/`` is a path."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1


def require_model_dir(model: str, *, always: bool = False) -> None:
    """Raise ``BackendError`` when ``model`` is a path (or ``always``, for loaders that
    only take directories) and no such directory exists."""
    if (always or looks_like_path(model)) and not Path(model).expanduser().is_dir():
        raise BackendError(f"model {model}: no such model directory")
