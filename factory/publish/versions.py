"""``factory versions``: the published versions of a dataset, in version order, and the
unfinished builds and interrupted publishes beside them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from factory.errors import FactoryError
from factory.markdown import markdown_table
from factory.publish.store import MANIFEST, load_manifest
from factory.storage.layout import BuildLayout


@dataclass(frozen=True)
class Published:
    version: str
    created_at: str | None
    total: int
    parent: str | None
    config_fingerprint: str
    path: Path


@dataclass(frozen=True)
class Unfinished:
    version: str
    path: Path
    why: str


def version_key(version: str) -> tuple:
    """PEP 440 order (packaging.version) for versions that
    parse; the rest after them, by their numeric and text parts (so 'r10' follows 'r9')."""
    try:
        return (0, Version(version))
    except InvalidVersion:
        parts = re.findall(r"\d+|[^\d]+", version)
        return (1, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def list_versions(root: Path, name: str) -> tuple[list[Published], list[Unfinished]]:
    """Published versions of ``name`` under the output ``root`` in version order, and
    what is unfinished: work dirs without a version, staging dirs, unreadable manifests."""
    published: list[Published] = []
    unfinished: list[Unfinished] = []
    dataset_dir = root / name
    for path in sorted(dataset_dir.iterdir()) if dataset_dir.is_dir() else []:
        if ".staging-" in path.name:
            version = path.name.lstrip(".").split(".staging-")[0]
            unfinished.append(Unfinished(version, path, "staging dir of an interrupted publish"))
        elif path.is_dir() and not path.name.startswith("."):
            try:
                m = load_manifest(path)
            except FactoryError as error:
                unfinished.append(Unfinished(path.name, path, f"no usable {MANIFEST}: {error}"))
                continue
            published.append(
                Published(m.version, m.created_at, m.total, m.parent, m.config_fingerprint, path)
            )
    work = BuildLayout(root, name, "-").work_dir.parent
    for path in sorted(work.iterdir()) if work.is_dir() else []:
        if path.is_dir() and not (dataset_dir / path.name).exists():
            unfinished.append(Unfinished(path.name, path, "work dir of an unfinished build"))
    if not published and not unfinished:
        raise FactoryError(f"{dataset_dir}: no versions of '{name}' under {root}")
    published.sort(key=lambda p: version_key(p.version))
    unfinished.sort(key=lambda u: version_key(u.version))
    return published, unfinished


def render_versions(published: list[Published], unfinished: list[Unfinished]) -> str:
    known = {p.version for p in published}
    rows = [
        [
            p.version,
            p.created_at,
            p.total,
            "-" if p.parent is None else p.parent + ("" if p.parent in known else " (not here)"),
            p.config_fingerprint,
        ]
        for p in published
    ]
    columns = ["version", "created_at", "problems", "parent", "config fingerprint"]
    lines = [markdown_table(columns, rows)] if rows else ["no published versions"]
    if unfinished:
        lines += ["", "unfinished:"]
        lines += [f"  {u.version}: {u.why} ({u.path})" for u in unfinished]
    return "\n".join(lines)
