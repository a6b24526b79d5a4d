"""``factory inspect``: what a built dataset version holds."""

from __future__ import annotations

from pathlib import PurePath

import pyarrow as pa

from factory.markdown import markdown_table
from factory.publish.card import (
    STATS_COLUMNS,
    SUMMARY_COLUMNS,
    level_summary,
    problem_stats,
)
from factory.publish.integrity import load_verified_manifest
from factory.storage.filesystem import locate
from factory.storage.layout import is_data_file, subset_of
from factory.storage.parquet_io import read_table


def inspect_version(location: str | PurePath) -> str:
    """Summary of a version (a local directory or a URL such as ``s3://bucket/name/1.0``)
    whose files all match its manifest (else IntegrityError)."""
    storage, version_dir = locate(location)
    manifest = load_verified_manifest(version_dir, storage)
    data = [entry for entry in manifest.files if is_data_file(entry.path)]
    tables = []
    for entry in data:
        table = read_table(version_dir / entry.path, STATS_COLUMNS, storage)
        tables.append(problem_stats(table, subset_of(entry.path)))
    size = sum(entry.bytes for entry in manifest.files)
    summary = level_summary(pa.concat_tables(tables))
    return "\n".join(
        [
            f"{manifest.name} {manifest.version} (parent {manifest.parent or '-'}), "
            f"{f'built {manifest.created_at}, ' if manifest.created_at else ''}"
            f"seed {manifest.seed}",
            f"{manifest.total} problems in {len(data)} data files "
            f"({len(manifest.files)} files verified, {size / 1024:.1f} KiB)",
            "generators: " + ", ".join(f"{t} {v}" for t, v in sorted(manifest.generators.items())),
            "",
            markdown_table(SUMMARY_COLUMNS, summary),
        ]
    )
