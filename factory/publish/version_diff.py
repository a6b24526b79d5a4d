"""``factory diff A B``: what changed between two dataset versions.

Problems are matched on ``problem_id`` (a content hash), never on row order; both
versions are verified against their manifests before anything is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from factory.errors import FactoryError
from factory.publish.card_data import (
    PROBLEM_COLUMNS,
    QUANTILES,
    by_subset,
    level_label,
    level_order,
    problem_table,
    quantiles,
)
from factory.publish.integrity import load_verified_manifest
from schemas.manifest import DatasetManifest

EXAMPLES = 5
UNCOMPARED_CONFIG = {"output_root", "workers"}


def parent_dir(version_dir: Path) -> Path:
    """The version a version derives from (its manifest's ``parent``), beside it."""
    manifest = load_verified_manifest(version_dir)
    if manifest.parent is None:
        raise FactoryError(
            f"{version_dir}: its manifest names no parent version; give two version dirs"
        )
    return version_dir.parent / manifest.parent


def diff_versions(a_dir: Path, b_dir: Path) -> dict[str, Any]:
    """A JSON-ready description of how version ``b_dir`` differs from ``a_dir``."""
    a, b = load_verified_manifest(a_dir), load_verified_manifest(b_dir)
    columns = [*PROBLEM_COLUMNS, "difficulty"]
    rows_a, rows_b = problem_table(a_dir, a, columns), problem_table(b_dir, b, columns)
    return {
        "a": _about(a_dir, a),
        "b": _about(b_dir, b),
        "problems": _problems(rows_a, rows_b),
        "subsets": _subset_counts(rows_a, rows_b),
        "levels": _level_counts(rows_a, rows_b),
        "scores": _scores(rows_a, rows_b),
        "files": _files(a, b),
        "config": _config(a.config, b.config),
    }


def _about(path: Path, manifest: DatasetManifest) -> dict[str, Any]:
    return {
        "path": str(path),
        "name": manifest.name,
        "version": manifest.version,
        "parent": manifest.parent,
        "total": manifest.total,
        "config_fingerprint": manifest.config_fingerprint,
    }


def _change(a: Any, b: Any) -> dict[str, Any]:
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        return {"a": a, "b": b, "change": None}
    return {"a": a, "b": b, "change": round(b - a, 4) if isinstance(b - a, float) else b - a}


def _ids(rows: pa.Table) -> dict[str, tuple]:
    """problem_id → (subset, level, solver_effort, pass_rate, difficulty)."""
    names = ["subset", "level", "solver_effort", "pass_rate", "difficulty"]
    values = zip(*(rows[name].to_pylist() for name in names), strict=True)
    return dict(zip(rows["problem_id"].to_pylist(), values, strict=True))


def _problems(rows_a: pa.Table, rows_b: pa.Table) -> dict[str, Any]:
    ids_a, ids_b = _ids(rows_a), _ids(rows_b)
    added = sorted(set(ids_b) - set(ids_a))
    removed = sorted(set(ids_a) - set(ids_b))
    common = set(ids_a) & set(ids_b)
    return {
        "added": len(added),
        "removed": len(removed),
        "common": len(common),
        "scores_changed": sum(ids_a[i][2:] != ids_b[i][2:] for i in common),
        "added_ids": added,
        "removed_ids": removed,
    }


def _counter(rows: pa.Table) -> dict[tuple[str, str], int]:
    """(subset, level label) → problems."""
    counts: dict[tuple[str, str], int] = {}
    for subset, level in zip(rows["subset"].to_pylist(), rows["level"].to_pylist(), strict=True):
        key = (subset, level_label(level))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _subset_counts(rows_a: pa.Table, rows_b: pa.Table) -> dict[str, Any]:
    a, b = _counter(rows_a), _counter(rows_b)
    subsets = sorted({subset for subset, _ in a.keys() | b.keys()})
    return {
        s: _change(
            sum(n for (t, _), n in a.items() if t == s), sum(n for (t, _), n in b.items() if t == s)
        )
        for s in subsets
    }


def _level_counts(rows_a: pa.Table, rows_b: pa.Table) -> dict[str, dict[str, Any]]:
    """subset → level label → count change, levels in numeric order."""
    a, b = _counter(rows_a), _counter(rows_b)
    keys = sorted(a.keys() | b.keys(), key=lambda k: (k[0], level_order(k[1])))
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        result.setdefault(key[0], {})[key[1]] = _change(a.get(key, 0), b.get(key, 0))
    return result


def _scores(rows_a: pa.Table, rows_b: pa.Table) -> dict[str, Any]:
    """Per subset: solver-effort quantiles, mean pass rate and difficulty buckets, a vs b."""
    effort_a, effort_b = by_subset(rows_a, "solver_effort"), by_subset(rows_b, "solver_effort")
    rate_a, rate_b = by_subset(rows_a, "pass_rate"), by_subset(rows_b, "pass_rate")
    buckets_a, buckets_b = _buckets(rows_a), _buckets(rows_b)
    empty = np.asarray([], float)
    result: dict[str, Any] = {}
    for subset in sorted(effort_a.keys() | effort_b.keys()):
        entry: dict[str, Any] = {
            "solver_effort": {
                "quantiles": list(QUANTILES),
                "a": quantiles(effort_a.get(subset, empty)),
                "b": quantiles(effort_b.get(subset, empty)),
            }
        }
        if subset in rate_a or subset in rate_b:
            entry["pass_rate_mean"] = _change(
                _mean(rate_a.get(subset, empty)), _mean(rate_b.get(subset, empty))
            )
        a, b = buckets_a.get(subset, {}), buckets_b.get(subset, {})
        if a or b:
            entry["difficulty"] = {k: _change(a.get(k, 0), b.get(k, 0)) for k in sorted(a | b)}
        result[subset] = entry
    return result


def _mean(values: np.ndarray) -> float | None:
    return round(float(values.mean()), 4) if values.size else None


def _buckets(rows: pa.Table) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for subset, bucket in zip(
        rows["subset"].to_pylist(), rows["difficulty"].to_pylist(), strict=True
    ):
        if bucket is not None:
            per = counts.setdefault(subset, {})
            per[bucket] = per.get(bucket, 0) + 1
    return counts


def _files(a: DatasetManifest, b: DatasetManifest) -> dict[str, Any]:
    hashes_a = {e.path: e.sha256 for e in a.files}
    hashes_b = {e.path: e.sha256 for e in b.files}
    common = hashes_a.keys() & hashes_b.keys()
    return {
        "added": sorted(hashes_b.keys() - hashes_a.keys()),
        "removed": sorted(hashes_a.keys() - hashes_b.keys()),
        "changed": sorted(p for p in common if hashes_a[p] != hashes_b[p]),
        "unchanged": sum(hashes_a[p] == hashes_b[p] for p in common),
    }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    return flat


def _config(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Dotted config paths whose values differ (where and how it ran left out)."""
    flat_a, flat_b = _flatten(a), _flatten(b)
    return {
        key: {"a": flat_a.get(key), "b": flat_b.get(key)}
        for key in sorted(flat_a.keys() | flat_b.keys())
        if key not in UNCOMPARED_CONFIG and flat_a.get(key) != flat_b.get(key)
    }


def render_diff(diff: dict[str, Any]) -> str:
    """The human-readable form of :func:`diff_versions`: only what changed."""
    a, b, problems = diff["a"], diff["b"], diff["problems"]
    lines = [
        f"{a['name']} {a['version']} ({a['total']} problems) → "
        f"{b['name']} {b['version']} ({b['total']} problems)",
        f"problems: +{problems['added']} added, -{problems['removed']} removed, "
        f"{problems['common']} in both ({problems['scores_changed']} with changed scores)",
    ]
    for sign, key in (("+", "added_ids"), ("-", "removed_ids")):
        ids = problems[key]
        if ids:
            more = f" … and {len(ids) - EXAMPLES} more" if len(ids) > EXAMPLES else ""
            lines.append(f"  {sign} {', '.join(ids[:EXAMPLES])}{more}")
    lines.append("counts (subset / level: a → b):")
    for subset, change in diff["subsets"].items():
        lines.append(f"  {subset}: {_arrow(change)}")
        lines += [
            f"    level {level}: {_arrow(c)}"
            for level, c in diff["levels"].get(subset, {}).items()
            if c["change"]
        ]
    lines.append("scores (solver effort p10/p50/p90; mean pass rate; difficulty buckets):")
    for subset, entry in diff["scores"].items():
        effort = entry["solver_effort"]
        parts = [f"effort {_quantiles(effort['a'])} → {_quantiles(effort['b'])}"]
        if "pass_rate_mean" in entry:
            parts.append(f"pass rate {_arrow(entry['pass_rate_mean'])}")
        parts += [f"{k} {_arrow(c)}" for k, c in entry.get("difficulty", {}).items()]
        lines.append(f"  {subset}: " + "; ".join(parts))
    files = diff["files"]
    lines.append(
        f"files: {len(files['added'])} added, {len(files['removed'])} removed, "
        f"{len(files['changed'])} changed, {files['unchanged']} unchanged"
    )
    for sign, key in (("+", "added"), ("-", "removed"), ("~", "changed")):
        lines += [f"  {sign} {path}" for path in files[key]]
    if diff["config"]:
        lines.append("config:")
        lines += [f"  {k}: {v['a']!r} → {v['b']!r}" for k, v in diff["config"].items()]
    return "\n".join(lines)


def _arrow(change: dict[str, Any]) -> str:
    delta = change["change"]
    shown = "" if not delta else f" ({delta:+g})"
    return f"{'-' if change['a'] is None else change['a']} → " + (
        f"{'-' if change['b'] is None else change['b']}{shown}"
    )


def _quantiles(values: list[float | None]) -> str:
    return "/".join("-" if v is None else f"{v:g}" for v in values)
