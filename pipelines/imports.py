"""Imports a build can go without: optional dependencies of its libraries, hidden from them.

Luigi looks for jsonschema (~0.4 s to import) to check ``DictParameter`` schemas, which no
build task has; pyarrow's first array looks for pandas (~0.4 s) only to tell whether its
input is a pandas object, which a build never hands it. Each goes on without the module
when it is hidden; one that is imported already is not hidden (nothing can unimport it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec


class _Hidden:
    """An import finder under which importing any of ``names`` fails."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, name: str, *_: object) -> ModuleSpec | None:
        if name in self.names:
            raise ModuleNotFoundError(f"{name} is hidden here", name=name)
        return None


@contextmanager
def modules_hidden(*names: str) -> Iterator[None]:
    """While the block runs, ``import NAME`` fails for each of ``names`` not yet imported."""
    finder = _Hidden(frozenset(names))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
