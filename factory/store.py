"""The versioned dataset store: publish a version atomically, read manifests back."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from factory.assemble import assemble_model_traces, assemble_shard
from factory.atomic import write_text_atomic
from factory.card import (
    difficulty_summary,
    level_summary,
    problem_stats,
    render_card,
    sample_stats,
    sample_summary,
)
from factory.errors import FactoryError
from factory.hashing import sha256_file
from factory.layout import BuildLayout, data_file, model_producers, shard_count, traces_file
from factory.parquet_io import write_table_atomic
from factory.provenance import code_version, config_fingerprint, generator_versions
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest, FileEntry

MANIFEST = "manifest.json"
CARD = "README.md"


def publish_version(config: BuildConfig, layout: BuildLayout) -> DatasetManifest:
    """Assemble every shard into a staging directory, then rename it into place.

    A crash leaves only a hidden staging directory, never a half-written version.
    """
    staging = layout.version_dir.with_name(f".{layout.version}.staging-{uuid.uuid4().hex[:8]}")
    try:
        manifest = _write_version(config, layout, staging)
        if layout.version_dir.exists():
            raise FactoryError(f"{layout.version_dir} appeared while building; not replacing it")
        os.rename(staging, layout.version_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _write_version(config: BuildConfig, layout: BuildLayout, staging: Path) -> DatasetManifest:
    files: list[FileEntry] = []
    stats: list[pa.Table] = []
    model_stats: dict[str, list[pa.Table]] = {}
    sample: dict | None = None
    selection = None
    if config.grading is not None:
        columns = ["problem_id", "subset", "difficulty", "effort_percentile", "selected"]
        selection = pq.read_table(layout.selection_path, columns=columns)
    for spec in config.tasks:
        for shard in range(shard_count(spec, config.shard_size)):
            chosen = None if selection is None else selection.drop_columns(["subset"])
            table = assemble_shard(layout, spec.subset, shard, chosen)
            relative = data_file(spec.subset, shard)
            write_table_atomic(table, staging / relative)
            files.append(_file_entry(staging, relative, table))
            stats.append(problem_stats(table, spec.subset))
            if sample is None and table.num_rows:
                sample = table.slice(0, 1).to_pylist()[0]
            for producer in model_producers(config):
                rules = config.rsd.filter if producer == "rsd" and config.rsd else None
                traces = assemble_model_traces(layout, producer, spec.subset, shard, rules)
                relative = traces_file(producer, spec.subset, shard)
                write_table_atomic(traces, staging / relative)
                files.append(_file_entry(staging, relative, traces))
                model_stats.setdefault(producer, []).append(sample_stats(traces, spec.subset))
    summary = level_summary(pa.concat_tables(stats))
    manifest = DatasetManifest(
        name=config.name,
        version=config.version,
        parent=config.parent,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        code_version=code_version(),
        config=config.model_dump(mode="json"),
        config_fingerprint=config_fingerprint(config),
        generators=generator_versions(config),
        seed=config.seed,
        counts=_counts(summary),
        total=sum(entry.rows for entry in files if entry.path.startswith("data/")),
        files=files,
    )
    write_text_atomic(staging / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    producers = {p: sample_summary(pa.concat_tables(t)) for p, t in model_stats.items()}
    grades = None if selection is None else difficulty_summary(selection)
    card = render_card(manifest, summary, sample, producers, grades)
    write_text_atomic(staging / CARD, card)
    return manifest


def _file_entry(root: Path, relative: str, table: pa.Table) -> FileEntry:
    path = root / relative
    return FileEntry(
        path=relative, sha256=sha256_file(path), bytes=path.stat().st_size, rows=table.num_rows
    )


def _counts(summary: list[list[object]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in summary:
        subset, level, problems = row[:3]
        counts.setdefault(subset, {})["default" if level is None else str(level)] = problems
    return counts


def load_manifest(version_dir: Path) -> DatasetManifest:
    path = version_dir / MANIFEST
    try:
        return DatasetManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise FactoryError(
            f"{path}: not found; is {version_dir} a built dataset version?"
        ) from None
    except (json.JSONDecodeError, ValueError) as error:
        raise FactoryError(f"{path}: not a valid manifest ({error})") from None
