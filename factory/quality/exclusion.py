"""What a build must not emit: problems of published versions and foreign prompts.

``exclude:`` in a build config lists sources. A *version* of ours (a published version
directory) contributes the structural key of every problem in its data files; a *foreign*
file (Parquet, JSONL, or a directory saved by ``datasets``) contributes every word n-gram
(``ngram`` words, 13 by default) of the prompts in its ``column``. A candidate problem
whose structural key is among the first, or whose normalised prompt shares an n-gram with
the second, is not emitted. Prompts are normalised to lower-case words, and the answer
instruction every prompt of ours ends with is left out, so that boilerplate alone never
matches.

Every source is checked before any work (present, readable, the column exists) and
hashed; the manifest records each with its sha256 and how many problems it removed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from factory.errors import ConfigError, FactoryError
from factory.quality.problem_keys import key64, structural_key64
from factory.storage.hashing import sha256_file
from factory.storage.layout import is_data_file
from generators.base import ANSWER_INSTRUCTION
from schemas.arrow import from_table
from schemas.config import BuildConfig, ExcludeSource
from schemas.manifest import ExcludedSource
from schemas.records import DatasetRecord, DedupReport, Problem

_WORD = re.compile(r"[a-z0-9]+")
_INSTRUCTION_WORDS = " ".join(_WORD.findall(ANSWER_INSTRUCTION.lower()))


def prompt_ngrams(prompt: str, n: int) -> set[int]:
    """Keys of the word n-grams of a normalised prompt (all of it when shorter than n)."""
    words = " ".join(_WORD.findall(prompt.lower())).replace(_INSTRUCTION_WORDS, " ").split()
    if len(words) < n:
        return {key64(" ".join(words))} if words else set()
    return {key64(" ".join(words[i : i + n])) for i in range(len(words) - n + 1)}


@dataclass
class ExclusionSet:
    """The loaded sources: structural keys of ours, n-gram keys of foreign prompts."""

    ngram: int
    structural: dict[int, int] = field(default_factory=dict)  # key → source position
    ngrams: dict[int, int] = field(default_factory=dict)

    def match(self, structural_key: int, prompt: str) -> int | None:
        """The position of the source that excludes a problem, if any."""
        if structural_key in self.structural:
            return self.structural[structural_key]
        if self.ngrams:
            for gram in prompt_ngrams(prompt, self.ngram):
                if gram in self.ngrams:
                    return self.ngrams[gram]
        return None


def source_sha256(source: ExcludeSource) -> str:
    """sha256 of a file, or of a version's manifest (which hashes every file of it)."""
    if source.version is not None:
        return sha256_file(Path(source.version) / "manifest.json")
    path = Path(source.path or "")
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{file.relative_to(path).as_posix()}\0{sha256_file(file)}\n".encode())
        return digest.hexdigest()
    return sha256_file(path)


def excluded_sources(config: BuildConfig, reports: list[DedupReport]) -> list[ExcludedSource]:
    """The manifest's record of every source: where, its sha256, how many it removed."""
    return [
        ExcludedSource(
            location=source.location,
            kind="version" if source.version is not None else "foreign",
            sha256=source_sha256(source),
            removed=sum(r.removed.get(f"excluded:{i}", 0) for r in reports),
        )
        for i, source in enumerate(config.exclude)
    ]


def check_sources(sources: list[ExcludeSource]) -> None:
    """Refuse, before any work, a source that is missing, unreadable or lacks its column."""
    for i, source in enumerate(sources):
        where = f"exclude[{i}]"
        try:
            if source.version is not None:
                _our_files(Path(source.version))
            else:
                _foreign_columns(Path(source.path or ""), source.column or "")
        except FactoryError as error:
            raise ConfigError(f"{where}: {error}") from None


def load_exclusions(sources: list[ExcludeSource], ngram: int) -> ExclusionSet:
    exclusions = ExclusionSet(ngram)
    for position, source in enumerate(sources):
        if source.version is not None:
            for problem in _our_problems(Path(source.version)):
                exclusions.structural.setdefault(structural_key64(problem), position)
        else:
            for prompt in _foreign_prompts(Path(source.path or ""), source.column or ""):
                for gram in prompt_ngrams(prompt, ngram):
                    exclusions.ngrams.setdefault(gram, position)
    return exclusions


def _our_files(version_dir: Path) -> list[Path]:
    from factory.publish.integrity import load_verified_manifest  # it imports the store, which us

    if not (version_dir / "manifest.json").is_file():
        raise FactoryError(f"{version_dir}: not a published version (no manifest.json)")
    manifest = load_verified_manifest(version_dir)
    return [version_dir / e.path for e in manifest.files if is_data_file(e.path)]


def _our_problems(version_dir: Path) -> Iterator[Problem]:
    for path in _our_files(version_dir):
        for record in from_table(pq.read_table(path), DatasetRecord):
            yield record.problem()


def _foreign_columns(path: Path, column: str) -> None:
    """Open ``path`` far enough to see its columns; FactoryError naming what is wrong."""
    if not path.exists():
        raise FactoryError(f"{path}: no such file or directory")
    names = _column_names(path)
    if column not in names:
        shown = ", ".join(names[:20]) or "none"
        raise FactoryError(f"{path}: no column '{column}' (columns: {shown})")


def _column_names(path: Path) -> list[str]:
    try:
        if path.is_dir():
            return _datasets_table(path).column_names
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                first = handle.readline()
            return list(json.loads(first)) if first.strip() else []
        return pq.read_schema(path).names
    except (OSError, ValueError, pa.ArrowException) as error:
        raise FactoryError(f"{path}: cannot read it ({error})") from None


def _datasets_table(path: Path) -> pa.Table:
    """The first split of a directory saved by ``datasets`` (``save_to_disk``)."""
    import datasets

    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        loaded = loaded[next(iter(loaded))]
    return loaded.data.table


def _foreign_prompts(path: Path, column: str) -> Iterator[str]:
    if path.is_dir():
        values = _datasets_table(path).column(column).to_pylist()
    elif path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            values = [json.loads(line).get(column) for line in handle if line.strip()]
    else:
        values = pq.read_table(path, columns=[column]).column(column).to_pylist()
    for value in values:
        if isinstance(value, str):
            yield value
