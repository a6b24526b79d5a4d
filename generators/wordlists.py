"""Word lists shipped with the package (``generators/data``, CC0-1.0, written for this project)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_words(name: str) -> tuple[str, ...]:
    """Non-comment lines of ``generators/data/<name>.txt``, in file order."""
    text = files("generators").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
