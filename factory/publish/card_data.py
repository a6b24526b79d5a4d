"""Per-problem and per-sample columns of a built version, read back from its own Parquet.

The card's figures and score tables and ``factory diff`` all describe what was
published, so they read the version's files rather than the build's work dirs.
Arrow and NumPy only, no Polars: the card is written inside forked Luigi workers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from factory.storage.layout import DATA_DIR, PRODUCERS, is_data_file, subset_of
from schemas.manifest import DatasetManifest

PROBLEM_COLUMNS = ["problem_id", "level", "solver_effort", "reference_chars", "pass_rate"]
# What the card reads of every row: no problem_id, the largest column by far.
CARD_COLUMNS = [*PROBLEM_COLUMNS[1:], "difficulty"]
QUANTILES = (0.1, 0.5, 0.9)


def _tables(version_dir: Path, manifest: DatasetManifest, prefix: str, columns: list[str]):
    """(subset, table) of each listed Parquet file under ``prefix`` (``data/<subset>/...``)."""
    for entry in manifest.files:
        if entry.path.startswith(prefix) and entry.path.endswith(".parquet"):
            yield subset_of(entry.path), pq.read_table(version_dir / entry.path, columns=columns)


def problem_table(
    version_dir: Path, manifest: DatasetManifest, columns: list[str] | None = None
) -> pa.Table:
    """The data files' ``columns`` (default CARD_COLUMNS) with a ``subset`` column, in
    manifest order."""
    wanted = columns or CARD_COLUMNS
    parts = [
        table.append_column("subset", pa.array([subset] * table.num_rows, pa.string()))
        for subset, table in _tables(version_dir, manifest, f"{DATA_DIR}/", wanted)
    ]
    if not parts:
        return pa.table({name: pa.array([], pa.null()) for name in [*wanted, "subset"]})
    return pa.concat_tables(parts)


def trace_lengths(version_dir: Path, manifest: DatasetManifest) -> dict[str, pa.Table]:
    """producer → (subset, length) of its published samples: tokens when every sample
    has a count, else characters; the unit is in the table's ``unit`` metadata.
    Texts are read one file at a time and only their lengths kept."""
    result: dict[str, pa.Table] = {}
    for producer in PRODUCERS:
        prefix = f"{producer}_traces/"
        counts = list(_tables(version_dir, manifest, prefix, ["num_tokens"]))
        if not counts:
            continue
        tokens = all(table["num_tokens"].null_count == 0 for _, table in counts)
        lengths = (
            [(subset, table["num_tokens"]) for subset, table in counts]
            if tokens
            else [
                (subset, pc.utf8_length(table["text"]))
                for subset, table in _tables(version_dir, manifest, prefix, ["text"])
            ]
        )
        unit = b"tokens" if tokens else b"characters"
        result[producer] = pa.concat_tables(
            pa.table(
                {
                    "subset": pa.array([subset] * len(column), pa.string()),
                    "length": column.cast(pa.int64()),
                }
            )
            for subset, column in lengths
        ).replace_schema_metadata({"unit": unit})
    return result


def level_label(level: int | None) -> str:
    """A level as the manifest's counts name it: the number, or 'default' without levels."""
    return "default" if level is None else str(level)


def level_order(label: str) -> tuple[bool, int]:
    """Sort key of level labels: numeric order, 'default' last."""
    return (label == "default", int(label) if label.isdigit() else 0)


def grouped_values(table: pa.Table, keys: list[str], column: str) -> dict[tuple, np.ndarray]:
    """(values of ``keys``) → the non-null values of ``column`` in row order, as floats.

    Arrow filters, never a Python object per row: a version may hold millions of rows.
    """
    present = table.select([*keys, column]).filter(pc.is_valid(table[column]))
    result: dict[tuple, np.ndarray] = {}
    for group in present.group_by(keys).aggregate([]).to_pylist():
        mask = None
        for key in keys:
            value = group[key]
            match = pc.is_null(present[key]) if value is None else pc.equal(present[key], value)
            mask = match if mask is None else pc.and_(mask, match)
        values = present[column].filter(mask).to_numpy()
        result[tuple(group[key] for key in keys)] = values.astype(float)
    return result


def by_subset(table: pa.Table, column: str) -> dict[str, np.ndarray]:
    """subset → the non-null values of ``column``, subsets sorted by name."""
    groups = grouped_values(table, ["subset"], column)
    return {subset: groups[(subset,)] for (subset,) in sorted(groups)}


def quantiles(values: np.ndarray) -> list[float | None]:
    """QUANTILES of ``values`` (linear interpolation), rounded; None when empty."""
    if values.size == 0:
        return [None] * len(QUANTILES)
    return [round(float(q), 3) for q in np.quantile(values, QUANTILES)]


SCORE_COLUMNS = [
    "subset",
    "problems",
    "solver effort p10 / p50 / p90",
    "reference chars p50",
    "mean pass rate",
]


def score_summary(problems: pa.Table) -> list[list[object]]:
    """Rows of SCORE_COLUMNS: each subset's score distribution."""
    effort = by_subset(problems, "solver_effort")
    chars = by_subset(problems, "reference_chars")
    rates = by_subset(problems, "pass_rate")
    rows = []
    for subset, values in effort.items():
        rate = rates.get(subset)
        rows.append(
            [
                subset,
                values.size,
                " / ".join(f"{q:g}" for q in quantiles(values)),
                f"{quantiles(chars[subset])[1]:g}",
                None if rate is None or rate.size == 0 else round(float(rate.mean()), 3),
            ]
        )
    return rows


def sample_rows(version_dir: Path, manifest: DatasetManifest, limit: int = 50) -> list[dict]:
    """One sample per subset (the first row of its first data file), for at most ``limit``
    subsets: a reader of the card sees every kind of problem the dataset holds."""
    rows: list[dict] = []
    seen: set[str] = set()
    for entry in manifest.files:
        subset = subset_of(entry.path) if is_data_file(entry.path) else None
        if subset is None or subset in seen or entry.rows == 0 or len(rows) == limit:
            continue
        seen.add(subset)
        rows.append({"subset": subset, **_first_row(version_dir / entry.path)})
    return rows


def _first_row(path: Path) -> dict:
    """The first row's sample columns, decoding one batch rather than the whole file:
    the prompt column of a 1000-row shard is megabytes."""
    columns = ["level", "prompt", "answer", "solver_effort"]
    batches = pq.ParquetFile(path).iter_batches(batch_size=1, columns=columns, use_threads=False)
    return next(batches).to_pylist()[0]


def empty_columns(version_dir: Path, manifest: DatasetManifest, prefix: str) -> set[str] | None:
    """The columns that are null in every row of the Parquet files under ``prefix``
    (``data/``, ``teacher_traces/`` …); None when there are no such files. Read from the
    files' footers (null counts per row group), a column only where a footer has none."""
    paths = [
        version_dir / e.path
        for e in manifest.files
        if e.path.startswith(prefix) and e.path.endswith(".parquet") and e.rows != 0
    ]
    if not paths:
        return None
    empty: set[str] | None = None
    for path in paths:
        here = _all_null_columns(path)
        empty = here if empty is None else empty & here
    return empty


def _all_null_columns(path: Path) -> set[str]:
    """Top-level columns of one file with only nulls: from the footer's null counts, or
    by reading the column where the footer has none (a nested column, no statistics)."""
    metadata = pq.ParquetFile(path).metadata
    nulls: dict[str, int | None] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for i in range(row_group.num_columns):
            column = row_group.column(i)
            stats = column.statistics
            known = (
                stats is not None
                and stats.has_null_count
                and nulls.get(column.path_in_schema, 0) is not None
            )
            nulls[column.path_in_schema] = (
                nulls.get(column.path_in_schema, 0) + stats.null_count if known else None
            )
    result = set()
    for name in metadata.schema.to_arrow_schema().names:
        count = nulls.get(name)
        if count is None:
            table = pq.read_table(path, columns=[name])
            count = table[name].null_count
        if count == metadata.num_rows:
            result.add(name)
    return result
