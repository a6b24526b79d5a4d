"""``factory inspect``: what a built dataset version holds."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from factory.card import level_summary
from factory.store import load_manifest


def inspect_version(version_dir: Path) -> str:
    manifest = load_manifest(version_dir)
    files = [version_dir / entry.path for entry in manifest.files]
    stats = pl.concat(
        pl.read_parquet(
            path, columns=["task", "level", "solver_effort", "reference_chars", "verify_score"]
        ).with_columns(subset=pl.lit(path.parent.name))
        for path in files
    )
    size = sum(entry.bytes for entry in manifest.files)
    lines = [
        f"{manifest.name} {manifest.version} (parent {manifest.parent or '-'}), "
        f"built {manifest.created_at}, seed {manifest.seed}",
        f"{manifest.total} problems in {len(files)} files, {size / 1024:.1f} KiB",
        "generators: " + ", ".join(f"{t} {v}" for t, v in sorted(manifest.generators.items())),
        "",
    ]
    with pl.Config(tbl_rows=200, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        lines.append(str(level_summary(stats)))
    return "\n".join(lines)
