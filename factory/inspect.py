"""``factory inspect``: what a built dataset version holds."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from factory.card import (
    STATS_COLUMNS,
    SUMMARY_COLUMNS,
    level_summary,
    markdown_table,
    problem_stats,
)
from factory.errors import FactoryError
from factory.store import load_manifest


def inspect_version(version_dir: Path) -> str:
    manifest = load_manifest(version_dir)
    tables = []
    for entry in manifest.files:
        path = version_dir / entry.path
        if not path.exists():
            raise FactoryError(f"{path}: listed in the manifest but missing")
        tables.append(problem_stats(pq.read_table(path, columns=STATS_COLUMNS), path.parent.name))
    size = sum(entry.bytes for entry in manifest.files)
    summary = level_summary(pa.concat_tables(tables))
    return "\n".join(
        [
            f"{manifest.name} {manifest.version} (parent {manifest.parent or '-'}), "
            f"built {manifest.created_at}, seed {manifest.seed}",
            f"{manifest.total} problems in {len(manifest.files)} files, {size / 1024:.1f} KiB",
            "generators: " + ", ".join(f"{t} {v}" for t, v in sorted(manifest.generators.items())),
            "",
            markdown_table(SUMMARY_COLUMNS, summary),
        ]
    )
