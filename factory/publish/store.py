"""The versioned dataset store: publish a version atomically, read manifests back."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

import pyarrow as pa
import pyarrow.compute as pc

from factory.errors import FactoryError
from factory.provenance import code_version, config_fingerprint, data_config, generator_versions
from factory.publish import checks_ahead
from factory.publish.assemble import assemble_model_traces, assemble_shard
from factory.publish.card import (
    CardAudit,
    difficulty_summary,
    level_summary,
    problem_stats,
    sample_stats,
    sample_summary,
    write_card,
)
from factory.publish.checks_ahead import Findings
from factory.publish.reverify import (
    reference_failures,
    refuse_if_any,
    rows_to_recheck,
    trace_failures,
)
from factory.quality.audit import (
    AUDIT_PER_LEVEL,
    GroupAudit,
    SampleCollector,
    audit_bars,
    build_audit,
    render_audit,
)
from factory.storage.atomic import write_text_atomic
from factory.storage.filesystem import LOCAL, Storage
from factory.storage.hashing import sha256_file
from factory.storage.layout import (
    BuildLayout,
    data_file,
    is_data_file,
    model_producers,
    shard_count,
    traces_file,
)
from factory.storage.parquet_io import write_table_atomic
from factory.storage.stage_files import read_stage_records, read_stage_table
from schemas.arrow import from_table
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest, ExcludedSource, FileEntry
from schemas.records import PROBLEM_COLUMNS, DedupReport, Problem
from schemas.usage import RunUsage

MANIFEST = "manifest.json"
USAGE = "usage"  # in the work directory: one JSON of model figures per stage and shard
RUN_USAGE = "run-"  # ... and, beside them, one record per publish: ``run-<UTC time>.json``
WRITES_AHEAD = 2  # tables handed to the publish's writer thread and not yet written, at most


def publish_version(config: BuildConfig, layout: BuildLayout) -> DatasetManifest:
    """Assemble every shard into a staging directory, then publish it as a whole.

    Local disk: the staging directory is renamed into place; a crash leaves only a hidden
    staging directory, never a half-written version. Object storage (no directory
    rename): every file is uploaded under the version prefix with ``manifest.json``
    last, and a version counts as published only when its manifest exists (see
    ``is_published``); a crash leaves no manifest, so the version is unpublished, and
    the next publish removes the partial prefix before uploading again.
    """
    with layout.storage.publishing_dir(layout.version_dir, MANIFEST) as staging:
        return _write_version(config, layout, staging)


def is_published(version_dir: PurePath, storage: Storage = LOCAL) -> bool:
    """The one rule for every reader: a version exists once its manifest does."""
    return storage.exists(version_dir / MANIFEST)


def _write_version(config: BuildConfig, layout: BuildLayout, staging: Path) -> DatasetManifest:
    data = _write_data(config, layout, staging)
    reports = read_stage_records(layout.dedup_path, DedupReport, layout.storage)
    summary = level_summary(pa.concat_tables(data.stats))
    run_usage = model_usage(config, layout)
    if run_usage:
        write_run_usage(layout, run_usage)
    files = data.files
    manifest = DatasetManifest(
        name=config.name,
        version=config.version,
        parent=config.parent,
        created_at=source_date(),
        code_version=code_version(),
        # where and how the build ran is not part of what it made: a version built in
        # another root, with other workers or request concurrency has the same bytes
        config=data_config(config),
        config_fingerprint=config_fingerprint(config),
        generators=generator_versions(config),
        seed=config.seed,
        counts=_counts(summary),
        total=sum(entry.rows for entry in files if is_data_file(entry.path)),
        files=files,
        dedup=reports,
        excluded=read_stage_records(layout.excluded_path, ExcludedSource, layout.storage),
        model_usage=[figures.totals() for figures in run_usage],
        audit=[a.to_json() for a in data.audits],
    )
    card_audit = CardAudit(render_audit(data.audits), audit_bars(data.audits), AUDIT_PER_LEVEL)
    producers = {p: sample_summary(pa.concat_tables(t)) for p, t in data.model_stats.items()}
    selection = data.selection
    grades = None if selection is None else difficulty_summary(selection)
    written = write_card(staging, manifest, summary, producers, grades, card_audit)
    manifest.files += [_file_entry(staging, relative) for relative in written]
    write_text_atomic(staging / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    return manifest


@dataclass
class _Written:
    """What writing a version's data files leaves for its manifest and card."""

    files: list[FileEntry]
    stats: list[pa.Table]
    model_stats: dict[str, list[pa.Table]]
    selection: pa.Table | None
    audits: list[GroupAudit]


def _write_data(config: BuildConfig, layout: BuildLayout, staging: Path) -> _Written:
    """Assemble, re-verify and write every shard's files, and audit the rows.

    The checks of the problems alone are taken from a helper that made them ahead, for the
    shards left when it is done (:mod:`factory.publish.checks_ahead`); where a shard's rows
    turn out not to be what it checked, every shard is written again with every check made
    here.

    The audited problems (up to :data:`AUDIT_PER_LEVEL` of each subset and level, often
    all of them) are gone when this returns, before the card is drawn: nothing the drawing
    leaves in a reference cycle through its callers' frames can then hold them until a full
    collection walks every one (Matplotlib, which drew the figures before, did)."""
    with contextlib.suppress(_NotChecked), _writer(staging) as writer:
        return _write_shards(config, layout, writer, checks_ahead.findings)
    with _writer(staging) as writer:
        return _write_shards(config, layout, writer, lambda: None)


class _NotChecked(Exception):
    """A shard's rows are not those the helper checked."""


@contextlib.contextmanager
def _writer(staging: Path) -> Iterator[_TableWriter]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-writer") as executor:
        yield _TableWriter(staging, executor)


def _write_shards(
    config: BuildConfig,
    layout: BuildLayout,
    writer: _TableWriter,
    findings_ahead: Callable[[], Findings | None],
) -> _Written:
    """:func:`_write_data`'s work, each table written by ``writer``; the checks of the
    problems come from ``findings_ahead()`` where it has them (asked before each shard),
    :class:`_NotChecked` where they are not about the shard's rows."""
    stats: list[pa.Table] = []
    model_stats: dict[str, list[pa.Table]] = {}
    selection = None
    if config.grading is not None:
        columns = ["problem_id", "subset", "difficulty", "effort_percentile", "selected"]
        selection = read_stage_table(layout.selection_path, layout.storage, columns)
    failures: list[str] = []
    collector = SampleCollector(AUDIT_PER_LEVEL)
    checked_here: list[tuple[PurePath, list[str]]] = []  # each shard's problems file, ids
    samplers = model_producers(config)
    for spec in config.tasks:
        for shard in range(shard_count(spec, config.shard_size)):
            chosen = None if selection is None else selection.drop_columns(["subset"])
            table = assemble_shard(layout, spec.subset, shard, chosen)
            path = layout.stage_path("problems", spec.subset, shard)
            ids = table["problem_id"].to_pylist()
            if (findings := findings_ahead()) is None:
                rows = from_table(table.select(PROBLEM_COLUMNS), Problem)
                failures += _row_failures(table, spec.subset, rows)
                collector.add(spec.subset, rows)
                checked_here.append((path, ids))
            elif (checked := findings.of(path, layout.storage, ids)) is not None:
                failures += _trace_failures(table, spec.subset, checked.failing)
            else:
                raise _NotChecked(path)
            for split in config.splits_of(spec):
                part = table.filter(pc.equal(table["split"], split))
                if part.num_rows:
                    writer.write(part, data_file(spec.subset, split, shard))
            stats.append(problem_stats(table, spec.subset))
            # every problem of the shard, selected or not: graded builds keep all traces
            problems = stage_problems(layout, spec.subset, shard) if samplers else []
            for producer in samplers:
                rules = config.rsd.filter if producer == "rsd" and config.rsd else None
                traces = assemble_model_traces(layout, producer, spec.subset, shard, rules)
                failures += trace_failures(traces, problems)
                writer.write(traces, traces_file(producer, spec.subset, shard))
                model_stats.setdefault(producer, []).append(sample_stats(traces, spec.subset))
    files = writer.entries()
    refuse_if_any(failures, f"{config.name} {config.version}")
    return _Written(
        files,
        stats,
        model_stats,
        selection,
        _audits(config, layout, findings_ahead(), collector, checked_here),
    )


def _audits(
    config: BuildConfig,
    layout: BuildLayout,
    findings: Findings | None,
    collector: SampleCollector,
    checked_here: list[tuple[PurePath, list[str]]],
) -> list[GroupAudit]:
    """The helper's audit where its findings are about every shard (those checked here
    too), else the audit of ``collector``'s rows: every shard's, checked here (else
    :class:`_NotChecked`)."""
    storage = layout.storage
    if findings is not None and all(findings.of(p, storage, ids) for p, ids in checked_here):
        return findings.audits
    if len(checked_here) < sum(shard_count(spec, config.shard_size) for spec in config.tasks):
        raise _NotChecked("the audit")
    return build_audit(collector, config)


def _row_failures(table: pa.Table, subset: str, rows: list[Problem]) -> list[str]:
    """Every check of the data rows ``table``, whose problems are ``rows``."""
    return reference_failures(
        rows,
        table["reference_trace"].to_pylist(),
        table["verify_score"].to_pylist(),
        subset,
        table["config"].to_pylist(),
    )


def _trace_failures(table: pa.Table, subset: str, failing: set[int]) -> list[str]:
    """The checks of the data rows ``table`` left once their problems were re-verified
    (``failing``: the rows whose problem was not): each reference trace against its
    problem, the rows that need more than their oracle's verdict decoded and checked."""
    recheck = rows_to_recheck(
        table["task"].to_pylist(),
        table["answer"].to_pylist(),
        table["reference_trace"].to_pylist(),
        table["verify_score"].to_pylist(),
        failing,
    )
    if not recheck:
        return []
    rows = table.take(recheck)
    return _row_failures(rows, subset, from_table(rows.select(PROBLEM_COLUMNS), Problem))


class _TableWriter:
    """Writes a version's tables (the Parquet file, then its manifest entry with the file's
    sha256) on a thread of its own, in the order given, while the caller assembles and
    re-verifies the next shard: encoding and hashing release the GIL, so on a second core
    they cost the publish little wall time. At most :data:`WRITES_AHEAD` tables wait (memory
    stays bounded); a failed write raises in the caller, at a later ``write`` or at
    ``entries``."""

    def __init__(self, root: Path, executor: Executor) -> None:
        self._root = root
        self._executor = executor
        self._written: list[Future[FileEntry]] = []

    def write(self, table: pa.Table, relative: str) -> None:
        if len(self._written) >= WRITES_AHEAD:
            self._written[-WRITES_AHEAD].result()  # the writes before it are done too
        self._written.append(self._executor.submit(self._write, table, relative))

    def entries(self) -> list[FileEntry]:
        """Every table's manifest entry, in the order given, once all are written."""
        return [written.result() for written in self._written]

    def _write(self, table: pa.Table, relative: str) -> FileEntry:
        write_table_atomic(table, self._root / relative)
        return _file_entry(self._root, relative, table.num_rows)


def usage_path(layout: BuildLayout, stage: str, subset: str, shard: int) -> PurePath:
    """Where a model stage's shard leaves its :class:`RunUsage`."""
    return layout.work_dir / USAGE / stage / subset / f"{shard:05d}.json"


def model_usage(config: BuildConfig, layout: BuildLayout) -> list[RunUsage]:
    """Per stage and model, the sum of its shards' figures, with a cost where priced.

    Their ``totals()`` go into the manifest and card (the same for every build of the
    config); the run-dependent rest only into the run record (``write_run_usage``).
    """
    totals: dict[tuple[str, str], RunUsage] = {}
    for spec in config.tasks:
        for shard in range(shard_count(spec, config.shard_size)):
            for stage in ("teacher", "rsd", "judge"):
                path = usage_path(layout, stage, spec.subset, shard)
                if not layout.storage.exists(path):
                    continue
                figures = RunUsage.model_validate_json(layout.storage.read_text(path))
                key = (figures.stage, figures.model)
                totals[key] = totals[key].plus(figures) if key in totals else figures
    prices = {
        "teacher": config.teacher and config.teacher.price_per_million_tokens,
        "judge": config.verbosity
        and config.verbosity.judge
        and config.verbosity.judge.price_per_million_tokens,
    }
    return [
        figures.priced(price.prompt, price.completion) if (price := prices.get(stage)) else figures
        for (stage, _), figures in totals.items()
    ]


def write_run_usage(layout: BuildLayout, usage: list[RunUsage]) -> PurePath:
    """The run-dependent model figures of this publish (cached share, tokens sent, wall
    time), as ``<work_dir>/usage/run-<UTC time>.json``: the sum of each shard's figures
    as the run that made the shard measured them (a resumed build's record counts its
    own shards and the earlier runs' finished ones)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = layout.work_dir / USAGE / f"{RUN_USAGE}{stamp}.json"
    record = [figures.model_dump(mode="json") for figures in usage]
    layout.storage.write_text(path, json.dumps(record, indent=2) + "\n")
    return path


def latest_run_usage(layout: BuildLayout) -> list[RunUsage]:
    """The newest run record's figures ([] if no publish wrote one)."""
    records = layout.storage.glob(layout.work_dir / USAGE, f"{RUN_USAGE}*.json")
    if not records:
        return []
    text = layout.storage.read_text(max(records, key=lambda path: path.name))
    return [RunUsage.model_validate(item) for item in json.loads(text)]


def stage_problems(layout: BuildLayout, subset: str, shard: int) -> list[Problem]:
    return read_stage_records(layout.stage_path("problems", subset, shard), Problem, layout.storage)


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) as an ISO date, if set: the
    manifest records no wall-clock time of its own, so reruns give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), UTC).isoformat(timespec="seconds")


def _file_entry(root: Path, relative: str, rows: int = 0) -> FileEntry:
    """``rows`` is 0 for files that are not tables (the card, its figures)."""
    path = root / relative
    return FileEntry(path=relative, sha256=sha256_file(path), bytes=path.stat().st_size, rows=rows)


def _counts(summary: list[list[object]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in summary:
        subset, level, problems = row[:3]
        counts.setdefault(subset, {})["default" if level is None else str(level)] = problems
    return counts


def load_manifest(version_dir: PurePath, storage: Storage = LOCAL) -> DatasetManifest:
    path = version_dir / MANIFEST
    try:
        text = storage.read_text(path)
    except FileNotFoundError:
        raise FactoryError(
            f"{storage.url(path)}: not found; is {storage.url(version_dir)} a built dataset "
            "version?"
        ) from None
    try:
        return DatasetManifest.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValueError) as error:
        raise FactoryError(f"{storage.url(path)}: not a valid manifest ({error})") from None
