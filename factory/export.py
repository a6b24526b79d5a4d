"""Export a built, verified dataset version as RL-trainer input: verl, TRL or plain JSONL.

Every format carries the ground truth that :mod:`factory.rewards` decodes (the problem
record as canonical JSON), so the reward a trainer computes is the dataset's own verifier.

- ``verl``: Parquet with ``data_source`` (``reasoning_factory/<task>``), ``prompt`` (chat
  messages: one user turn), ``ability`` (``logic``), ``reward_model`` (``{"style": "rule",
  "ground_truth": ...}``) and ``extra_info`` (split, index, problem_id, task, subset, level).
- ``trl``: Parquet with ``prompt`` as chat messages (TRL's conversational format, so the
  trainer applies the model's chat template), ``ground_truth`` (what
  :func:`factory.rewards.verifier_reward` reads) and problem_id, task, subset, level.
- ``jsonl``: one JSON object (sorted keys) per problem: problem_id, task, subset, level,
  prompt (text), answer, ground_truth.

The version is checked against its manifest first (a corrupt file is refused by name);
shards are read one at a time in manifest order and written as they come (one Parquet
row group per shard), into a temporary file renamed into place: same dataset, same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from factory.atomic import atomic_path
from factory.errors import FactoryError, os_error_text
from factory.integrity import load_verified_manifest
from factory.layout import is_data_file, split_of, subset_of
from factory.lookup import problem_from_row
from factory.rewards import encode_ground_truth
from schemas.arrow import canonical_json
from schemas.manifest import DatasetManifest
from schemas.records import Problem

FORMATS = ("verl", "trl", "jsonl")
DATA_SOURCE_PREFIX = "reasoning_factory/"
ABILITY = "logic"

_MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
_IDS = [("problem_id", pa.string()), ("task", pa.string()), ("subset", pa.string())]
_EXTRA_INFO = pa.struct(
    [("split", pa.string()), ("index", pa.int64()), *_IDS, ("level", pa.int64())]
)
VERL_SCHEMA = pa.schema(
    [
        ("data_source", pa.string()),
        ("prompt", _MESSAGES),
        ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", _EXTRA_INFO),
    ]
)
TRL_SCHEMA = pa.schema(
    [("prompt", _MESSAGES), ("ground_truth", pa.string()), *_IDS, ("level", pa.int64())]
)
_SCHEMAS = {"verl": VERL_SCHEMA, "trl": TRL_SCHEMA}

Shards = list[tuple[str, str]]
"""(subset, path relative to the version directory) of each data file to export."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int


def default_output(manifest: DatasetManifest, fmt: str) -> Path:
    """``<name>-<version>-<format>.<parquet|jsonl>`` in the working directory."""
    suffix = "jsonl" if fmt == "jsonl" else "parquet"
    return Path(f"{manifest.name}-{manifest.version}-{fmt}.{suffix}")


def export_dataset(
    version_dir: Path,
    fmt: str,
    output: Path | None = None,
    subsets: list[str] | None = None,
    split: str | None = None,
) -> ExportResult:
    """Write ``version_dir`` (all subsets, or ``subsets``; every split, or ``split``) in
    ``fmt``; returns where and how many rows."""
    if fmt not in FORMATS:
        raise FactoryError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    manifest = load_verified_manifest(version_dir)
    shards = _data_shards(manifest, subsets, split)
    path = output if output is not None else default_output(manifest, fmt)
    if path.resolve().is_relative_to(version_dir.resolve()):
        raise FactoryError(
            f"{path}: inside the dataset version {version_dir}, whose files must all be "
            "listed in its manifest; write the export elsewhere"
        )
    try:
        rows = (
            _write_jsonl(version_dir, shards, path)
            if fmt == "jsonl"
            else _write_parquet(version_dir, shards, path, fmt)
        )
    except OSError as error:
        raise FactoryError(f"cannot write {path} ({os_error_text(error)})") from None
    return ExportResult(path, fmt, rows)


def _data_shards(
    manifest: DatasetManifest, subsets: list[str] | None, split: str | None
) -> Shards:
    """(subset, relative path) of each data file, in manifest order, filtered by subset
    and split."""
    shards = [
        (subset_of(entry.path), entry.path) for entry in manifest.files if is_data_file(entry.path)
    ]
    _refuse_unknown("--subset", subsets or [], [s for s, _ in shards], manifest)
    _refuse_unknown("--split", [split] if split else [], [split_of(p) for _, p in shards], manifest)
    return [
        (s, p)
        for s, p in shards
        if (not subsets or s in subsets) and (split is None or split_of(p) == split)
    ]


def _refuse_unknown(
    flag: str, asked: list[str], present: list[str], manifest: DatasetManifest
) -> None:
    known = list(dict.fromkeys(present))
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise FactoryError(
            f"{flag} {', '.join(unknown)}: not in {manifest.name} {manifest.version} "
            f"(there: {', '.join(known)})"
        )


def _problems(version_dir: Path, shards: Shards) -> Iterator[list[tuple[str, Problem]]]:
    """Per shard, its (subset, problem) rows: one shard in memory at a time."""
    columns = list(Problem.model_fields)
    for subset, relative in shards:
        try:
            table = pq.read_table(version_dir / relative, columns=columns)
        except (pa.ArrowException, OSError) as error:
            where = version_dir / relative
            raise FactoryError(f"{where}: not a readable data file ({error})") from None
        yield [
            (subset, problem_from_row(row, f"{version_dir / relative} row {i}"))
            for i, row in enumerate(table.to_pylist())
        ]


def _ids(subset: str, problem: Problem) -> dict[str, Any]:
    return {
        "problem_id": problem.problem_id,
        "task": problem.task,
        "subset": subset,
        "level": problem.level,
    }


def verl_row(subset: str, problem: Problem, index: int, split: str) -> dict[str, Any]:
    return {
        "data_source": DATA_SOURCE_PREFIX + problem.task,
        "prompt": [{"role": "user", "content": problem.prompt}],
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": encode_ground_truth(problem)},
        "extra_info": {"split": split, "index": index, **_ids(subset, problem)},
    }


def trl_row(subset: str, problem: Problem, index: int, split: str) -> dict[str, Any]:
    return {
        "prompt": [{"role": "user", "content": problem.prompt}],
        "ground_truth": encode_ground_truth(problem),
        **_ids(subset, problem),
    }


def _write_parquet(version_dir: Path, shards: Shards, path: Path, fmt: str) -> int:
    schema, make_row = _SCHEMAS[fmt], verl_row if fmt == "verl" else trl_row
    rows = 0
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for (_, relative), problems in zip(shards, _problems(version_dir, shards), strict=True):
            split = split_of(relative)
            batch = [make_row(s, p, rows + i, split) for i, (s, p) in enumerate(problems)]
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            rows += len(batch)
    return rows


def _write_jsonl(version_dir: Path, shards: Shards, path: Path) -> int:
    rows = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as handle:
        for problems in _problems(version_dir, shards):
            for subset, problem in problems:
                record = {
                    **_ids(subset, problem),
                    "prompt": problem.prompt,
                    "answer": problem.answer,
                    "ground_truth": encode_ground_truth(problem),
                }
                handle.write(canonical_json(record) + "\n")
                rows += 1
    return rows
