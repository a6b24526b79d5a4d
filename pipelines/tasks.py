"""The build workflow: GenerateShard → SelectDistinct → SolveAndSelfCheck → Score →
AssembleDataset.

Every task reads the frozen config from the work directory, so a task is identified by
(work_dir, subset, shard) alone. A shard task counts as complete only when its own
outputs *and* its inputs exist: removing one upstream shard re-runs exactly that
shard's chain, nothing else.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from functools import cache, partial
from pathlib import PurePath
from typing import TypeVar

import luigi
import pyarrow as pa
from pydantic import BaseModel

from factory.backends import shared_backend, teacher_identity
from factory.backends.base import FatalBackendError
from factory.errors import BuildError
from factory.models.annotate import annotate, base_seed
from factory.models.request_cache import RequestCache
from factory.models.usage import UsageMeter
from factory.publish import checks_ahead
from factory.publish.store import MANIFEST, publish_version, usage_path
from factory.quality.dedup import DistinctFilter, SplitAssigner, distinct_problems, in_shards
from factory.quality.exclusion import excluded_sources, load_exclusions
from factory.rsd.runner import shared_runner
from factory.rsd.stage import rsd_traces
from factory.scoring.difficulty import PASS_THRESHOLD
from factory.scoring.measure import add_judge_scores, measure_traces
from factory.scoring.select import Graded, select_problems, shortfall
from factory.scoring.verbosity import WHITESPACE, TraceVerbosity, load_named_tokenizer
from factory.stages import (
    SCORE_INPUTS,
    generate_shard,
    problem_maker,
    score_shard,
    solve_and_self_check,
    verify_trace,
)
from factory.storage.filesystem import Storage, locate
from factory.storage.layout import (
    BuildLayout,
    model_producers,
    request_cache_dir,
    shard_count,
)
from factory.storage.stage_files import (
    copy_stage_file,
    known_complete,
    read_stage_records,
    read_stage_table,
    settle_stage_writes,
    stage_is_whole,
    write_stage_records,
)
from pipelines.collection import collector_paused
from schemas.config import BuildConfig, ModelSpec, TaskSpec
from schemas.manifest import ExcludedSource
from schemas.records import (
    DedupReport,
    Problem,
    Scores,
    Selection,
    SplitAssignment,
    Trace,
    Verdict,
)

M = TypeVar("M", bound=BaseModel)


class SelfCheckError(BuildError):
    """An oracle answer failed its own verifier: the generator or verifier is wrong."""


class BuildStopped(BuildError):
    """A model task hit an error no retry can fix: every other model task stops too."""


FATAL = "fatal.line"  # in the failures directory: the one line that stopped the build


def fatal_path(layout: BuildLayout) -> PurePath:
    return layout.failures_dir / FATAL


@contextlib.contextmanager
def stops_the_build(layout: BuildLayout) -> Iterator[None]:
    """Run a model task unless the build is stopped; a ``FatalBackendError`` stops it (the
    other model tasks then fail at once, without asking any model)."""
    path = fatal_path(layout)
    if layout.storage.exists(path):
        raise BuildStopped(layout.storage.read_text(path).strip())
    try:
        yield
    except FatalBackendError as error:
        layout.storage.write_text(path, " ".join(str(error).split()) + "\n")
        raise BuildStopped(str(error)) from None


def shards_with_failed_requests(config: BuildConfig, layout: BuildLayout) -> list[PurePath]:
    """Model-stage files holding a trace whose request failed (``finish_reason`` error)."""
    found = []
    for producer in model_producers(config):
        for spec in config.tasks:
            for shard in range(shard_count(spec, config.shard_size)):
                path = layout.stage_path(f"{producer}_traces", spec.subset, shard)
                if not stage_is_whole(path, layout.storage):
                    continue
                reasons = read_stage_table(path, layout.storage, ["finish_reason"])
                if "error" in reasons["finish_reason"].to_pylist():
                    found.append(path)
    return found


def models_to_check(config: BuildConfig, layout: BuildLayout) -> list[tuple[ModelSpec, str]]:
    """(model, config path) of every model a stage with missing shards will ask."""
    roles: list[tuple[str, list[tuple[ModelSpec, str]]]] = []
    if config.teacher is not None:
        roles.append(("teacher_traces", [(config.teacher, "teacher")]))
    if config.rsd is not None:
        pair = [(config.rsd.teacher, "rsd.teacher"), (config.rsd.student, "rsd.student")]
        roles.append(("rsd_traces", pair))
    if config.verbosity is not None and config.verbosity.judge is not None:
        roles.append(("teacher_verbosity", [(config.verbosity.judge, "verbosity.judge")]))
    return [
        model
        for stage, models in roles
        if not all(
            layout.storage.exists(layout.stage_path(stage, spec.subset, shard))
            for spec in config.tasks
            for shard in range(shard_count(spec, config.shard_size))
        )
        for model in models
    ]


@cache
def frozen_config(work_dir: str) -> BuildConfig:
    """``work_dir`` is a local path or a URL: the one string every worker can open.

    ``output_root`` is where ``work_dir`` lies now (``<root>/.work/<name>/<version>``), not
    what the frozen copy says: an output root that was moved or copied keeps working."""
    storage, path = locate(work_dir)
    config = BuildConfig.model_validate(json.loads(storage.read_text(path / "config.json")))
    return config.model_copy(update={"output_root": storage.url(path.parents[2])})


@cache
def frozen_layout(work_dir: str) -> BuildLayout:
    """The layout of :func:`frozen_config`, made once: Luigi asks every task for its
    outputs again and again while it schedules."""
    return BuildLayout.of(frozen_config(work_dir))


class StorageTarget(luigi.Target):
    """A file in the build's storage (local or object store): Luigi's ``exists()`` check
    on it is the resume mechanism, and files only ever appear whole there."""

    def __init__(self, storage: Storage, path: PurePath) -> None:
        self.storage = storage
        self.path = path

    def exists(self) -> bool:
        return self.storage.exists(self.path)


class StageTarget(StorageTarget):
    """A checksummed stage output: it exists only while it is whole (see
    ``factory.storage.stage_files``), so a damaged one is rebuilt like a missing one."""

    def exists(self) -> bool:
        return stage_is_whole(self.path, self.storage)


class BuildTask(luigi.Task):
    work_dir = luigi.Parameter()

    @property
    def config(self) -> BuildConfig:
        return frozen_config(self.work_dir)

    @property
    def layout(self) -> BuildLayout:
        return frozen_layout(self.work_dir)

    def complete(self) -> bool:
        """Outputs and inputs whole. Luigi asks again before running each task that needs
        this one (for SelectDistinct: ~80 files each time); where a task found complete
        stays so (``known_complete``), it is answered from memory."""
        known = known_complete()
        if known is not None and self.task_id in known:
            return True
        done = super().complete() and self.inputs_complete()
        if done and known is not None:
            known.add(self.task_id)
        return done

    def inputs_complete(self) -> bool:
        return all(task.complete() for task in luigi.task.flatten(self.requires()))

    def on_failure(self, exception: BaseException) -> str:
        """Record the reason where the parent process finds it, whichever worker ran us."""
        layout = self.layout
        if isinstance(exception, BuildStopped):  # the stopping line is already recorded
            return super().on_failure(exception)
        path = layout.failures_dir / f"{self.task_id}.txt"
        layout.storage.write_text(path, f"{self.task_id}: {exception}\n")
        return super().on_failure(exception)


class ShardTask(BuildTask):
    subset = luigi.Parameter()
    shard = luigi.IntParameter()

    def stage_target(self, stage: str) -> StageTarget:
        return StageTarget(self.layout.storage, self.stage_path(stage))

    def stage_path(self, stage: str) -> PurePath:
        return self.layout.stage_path(stage, self.subset, self.shard)

    def read_stage(self, stage: str, model: type[M]) -> list[M]:
        return read_stage_records(self.stage_path(stage), model, self.layout.storage)

    def read_columns(self, stage: str, columns: list[str]) -> pa.Table:
        return read_stage_table(self.stage_path(stage), self.layout.storage, columns)

    def write_stage(self, stage: str, records: Iterable[BaseModel], model: type[BaseModel]) -> None:
        write_stage_records(records, model, self.stage_path(stage), self.layout.storage)

    def write_usage(self, meter: UsageMeter) -> None:
        """The shard's model figures, written before its stage file (see ``model_usage``)."""
        path = usage_path(self.layout, meter.figures.stage, self.subset, self.shard)
        self.layout.storage.write_text(path, meter.figures.model_dump_json())


class GenerateShard(ShardTask):
    """Candidates: the shard's problems as generated, before dedup and exclusion."""

    def output(self):
        return self.stage_target("candidates")

    @collector_paused
    def run(self) -> None:
        problems = generate_shard(self.config, self.config.spec(self.subset), self.shard)
        self.write_stage("candidates", problems, Problem)


class SelectDistinct(BuildTask):
    """The problems the build delivers, across every subset (dedup is dataset-wide): the
    ``problems`` and ``splits`` of every shard, and a report of what was removed."""

    def requires(self):
        return [
            GenerateShard(work_dir=self.work_dir, subset=spec.subset, shard=shard)
            for spec in self.config.tasks
            for shard in range(shard_count(spec, self.config.shard_size))
        ]

    def output(self):
        layout, config = self.layout, self.config
        targets = [
            StageTarget(layout.storage, layout.dedup_path),
            StageTarget(layout.storage, layout.excluded_path),
        ]
        for spec in config.tasks:
            for shard in range(shard_count(spec, config.shard_size)):
                for stage in ("problems", "splits"):
                    path = layout.stage_path(stage, spec.subset, shard)
                    targets.append(StageTarget(layout.storage, path))
        return targets

    @collector_paused
    def run(self) -> None:
        config, layout = self.config, self.layout
        exclusions = load_exclusions(config.exclude, config.ngram) if config.exclude else None
        keep = DistinctFilter(config.dedup, exclusions)
        reports = [self._select(spec, keep) for spec in config.tasks]
        self._keep_or_write(reports, DedupReport, layout.dedup_path)
        sources = excluded_sources(config, reports)
        self._keep_or_write(sources, ExcludedSource, layout.excluded_path)
        checks_ahead.begin(config)  # the problems are chosen: check them meanwhile

    def _keep_or_write(
        self, records: list[BaseModel], model: type[BaseModel], path: PurePath
    ) -> None:
        """The selection is a function of the config: a file already whole has these very
        bytes, so it stays untouched (and so does everything downstream of it)."""
        if not stage_is_whole(path, self.layout.storage):
            write_stage_records(records, model, path, self.layout.storage)

    def _select(self, spec: TaskSpec, keep: DistinctFilter) -> DedupReport:
        if keep.keeps_all:
            return self._select_all(spec)
        config, layout = self.config, self.layout
        candidates = (
            problem
            for shard in range(shard_count(spec, config.shard_size))
            for problem in read_stage_records(
                layout.stage_path("candidates", spec.subset, shard), Problem, layout.storage
            )
        )
        report = DedupReport(subset=spec.subset)
        split_of = SplitAssigner(config, spec, report)
        chosen = distinct_problems(spec, candidates, problem_maker(config, spec), keep, report)
        for shard, problems in enumerate(in_shards(chosen, config.shard_size)):
            splits = [split_of(problem) for problem in problems]
            path = partial(layout.stage_path, subset=spec.subset, shard=shard)
            self._keep_or_write(problems, Problem, path("problems"))
            self._keep_or_write(splits, SplitAssignment, path("splits"))
        return report

    def _select_all(self, spec: TaskSpec) -> DedupReport:
        """Nothing is filtered: each candidate shard is its problems shard, the same rows
        in the same order, passed on as the same file (only ids and indices are decoded)."""
        config, storage = self.config, self.layout.storage
        report = DedupReport(subset=spec.subset)
        split_of = SplitAssigner(config, spec, report)
        for shard in range(shard_count(spec, config.shard_size)):
            path = partial(self.layout.stage_path, subset=spec.subset, shard=shard)
            table = read_stage_table(path("candidates"), storage, ["problem_id", "index"])
            ids, indices = table["problem_id"].to_pylist(), table["index"].to_pylist()
            report.drawn += table.num_rows
            report.kept += table.num_rows
            splits = [split_of.assign(*row) for row in zip(ids, indices, strict=True)]
            if not stage_is_whole(path("problems"), storage):
                copy_stage_file(path("candidates"), path("problems"), storage)
            self._keep_or_write(splits, SplitAssignment, path("splits"))
        return report


class SolveAndSelfCheck(ShardTask):
    def requires(self):
        return SelectDistinct(work_dir=self.work_dir)

    def inputs_complete(self) -> bool:
        """Only this shard's selected problems: the dataset-wide selection is asked only
        when one of them is missing."""
        return all(self.stage_target(stage).exists() for stage in ("problems", "splits"))

    def output(self):
        return {"traces": self.stage_target("traces"), "verdicts": self.stage_target("verdicts")}

    @collector_paused
    def run(self) -> None:
        problems = self.read_stage("problems", Problem)
        check = solve_and_self_check(problems)
        if check.failures:
            shown = "; ".join(f"{v.problem_id}: {v.reason}" for v in check.failures[:5])
            raise SelfCheckError(
                f"{len(check.failures)} oracle answer(s) in {self.subset} shard {self.shard} "
                f"failed their own verifier: {shown}"
            )
        self.write_stage("traces", check.traces, Trace)
        self.write_stage("verdicts", check.verdicts, Verdict)


class AnnotateShard(ShardTask):
    """Teacher samples for every problem of the shard, through the request cache.

    At most one runs at a time (the ``teacher`` resource): one engine holds the
    accelerator, and an HTTP teacher's concurrency limit stays the configured one.
    """

    resources = {"teacher": 1}

    def requires(self):
        return SolveAndSelfCheck(work_dir=self.work_dir, subset=self.subset, shard=self.shard)

    def output(self):
        return self.stage_target("teacher_traces")

    def run(self) -> None:
        teacher = self.config.teacher
        assert teacher is not None
        seed = base_seed(teacher, self.config.seed)
        cache_dir = request_cache_dir(teacher.cache_dir, self.config.output_root)
        meter = UsageMeter("teacher", teacher.model)
        with stops_the_build(self.layout), RequestCache(cache_dir) as cache:
            traces = annotate(
                self.read_stage("problems", Problem),
                teacher,
                self.config.seed,
                identity=teacher_identity(teacher, cache_dir),
                cache=cache,
                open_backend=lambda: shared_backend(teacher, seed),
                label=f"annotate {self.subset}#{self.shard}",
                meter=meter,
            )
        self.write_usage(meter)
        self.write_stage("teacher_traces", traces, Trace)


class RSDShard(ShardTask):
    """Student-aligned samples by reverse speculative decoding, through the request cache.

    Holds the ``teacher`` resource too: its two models share the accelerator with any
    teacher engine.
    """

    resources = {"teacher": 1}

    def requires(self):
        return SolveAndSelfCheck(work_dir=self.work_dir, subset=self.subset, shard=self.shard)

    def output(self):
        return self.stage_target("rsd_traces")

    def run(self) -> None:
        rsd = self.config.rsd
        assert rsd is not None
        cache_dir = request_cache_dir(rsd.cache_dir, self.config.output_root)
        identity = "|".join(teacher_identity(m, cache_dir) for m in (rsd.teacher, rsd.student))
        meter = UsageMeter("rsd", f"{rsd.teacher.model} -> {rsd.student.model}")
        with stops_the_build(self.layout), RequestCache(cache_dir) as cache:
            traces = rsd_traces(
                self.read_stage("problems", Problem),
                rsd,
                self.config.seed,
                identity=identity,
                cache=cache,
                open_runner=lambda: shared_runner(rsd, self.config.seed),
                label=f"rsd {self.subset}#{self.shard}",
                meter=meter,
            )
        self.write_usage(meter)
        self.write_stage("rsd_traces", traces, Trace)


PRODUCER_TASKS = {"teacher": AnnotateShard, "rsd": RSDShard}


class VerifyTraces(ShardTask):
    """The task's own verifier on every model sample of one producer (teacher or rsd);
    failed requests score 0."""

    producer = luigi.ChoiceParameter(choices=list(PRODUCER_TASKS))

    def requires(self):
        return PRODUCER_TASKS[self.producer](
            work_dir=self.work_dir, subset=self.subset, shard=self.shard
        )

    def output(self):
        return self.stage_target(f"{self.producer}_verdicts")

    def run(self) -> None:
        problem_of = {p.problem_id: p for p in self.read_stage("problems", Problem)}
        verdicts = [
            verify_trace(problem_of[trace.problem_id], trace)
            for trace in self.read_stage(f"{self.producer}_traces", Trace)
        ]
        self.write_stage(f"{self.producer}_verdicts", verdicts, Verdict)


class MeasureTraces(ShardTask):
    """Verbosity figures of the teacher's traces, and RV/CD judge scores if a judge is set."""

    resources = {"teacher": 1}

    def requires(self):
        return VerifyTraces(
            producer="teacher", work_dir=self.work_dir, subset=self.subset, shard=self.shard
        )

    def output(self):
        return self.stage_target("teacher_verbosity")

    def run(self) -> None:
        settings = self.config.verbosity
        assert settings is not None
        problems = self.read_stage("problems", Problem)
        traces = self.read_stage("teacher_traces", Trace)
        name = settings.tokenizer or WHITESPACE
        figures = measure_traces(problems, traces, load_named_tokenizer(settings.tokenizer), name)
        judge = settings.judge
        if judge is not None:
            teacher = self.config.teacher
            configured = teacher.cache_dir if teacher is not None else None
            cache_dir = request_cache_dir(configured, self.config.output_root)
            meter = UsageMeter("judge", judge.model)
            with stops_the_build(self.layout), RequestCache(cache_dir) as cache:
                figures = add_judge_scores(
                    figures,
                    problems,
                    traces,
                    open_backend=lambda: shared_backend(judge, self.config.seed),
                    cache=cache,
                    identity=teacher_identity(judge, cache_dir),
                    chat_template=judge.chat_template,
                    meter=meter,
                )
            self.write_usage(meter)
        self.write_stage("teacher_verbosity", figures, TraceVerbosity)


class Score(ShardTask):
    def requires(self):
        shard = {"work_dir": self.work_dir, "subset": self.subset, "shard": self.shard}
        producers = model_producers(self.config)
        if not producers:
            return SolveAndSelfCheck(**shard)
        upstream = [VerifyTraces(producer=producer, **shard) for producer in producers]
        if self.config.verbosity is not None:
            upstream.append(MeasureTraces(**shard))
        return upstream

    def output(self):
        return self.stage_target("scores")

    @collector_paused
    def run(self) -> None:
        teacher_verdicts = []
        if self.config.teacher is not None:
            teacher_verdicts = self.read_stage("teacher_verdicts", Verdict)
        grading = self.config.grading
        scores = score_shard(
            *(self.read_columns(stage, columns) for stage, columns in SCORE_INPUTS.items()),
            teacher_verdicts,
            grading.pass_threshold if grading else PASS_THRESHOLD,
        )
        self.write_stage("scores", scores, Scores)


class SelectProblems(BuildTask):
    """A graded build's selection across all shards of every subset (quotas and effort
    percentiles are per subset, so this needs every shard's scores)."""

    def requires(self):
        return all_scores(self.config, self.work_dir)

    def output(self):
        return StageTarget(self.layout.storage, self.layout.selection_path)

    @collector_paused
    def run(self) -> None:
        graded = [
            Graded(s.problem_id, spec.subset, s.pass_rate or 0.0, s.pass_cv, s.solver_effort)
            for spec in self.config.tasks
            for shard in range(shard_count(spec, self.config.shard_size))
            for s in read_stage_records(
                self.layout.stage_path("scores", spec.subset, shard), Scores, self.layout.storage
            )
        ]
        assert self.config.grading is not None
        selections = select_problems(graded, self.config.grading)
        why = shortfall(selections, self.config.grading)
        if why is not None:
            raise BuildError(why)
        write_stage_records(selections, Selection, self.layout.selection_path, self.layout.storage)


def all_scores(config: BuildConfig, work_dir: str) -> list[Score]:
    return [
        Score(work_dir=work_dir, subset=spec.subset, shard=shard)
        for spec in config.tasks
        for shard in range(shard_count(spec, config.shard_size))
    ]


class AssembleDataset(BuildTask):
    def requires(self):
        if self.config.grading is not None:
            return SelectProblems(work_dir=self.work_dir)
        return all_scores(self.config, self.work_dir)

    def output(self):
        return StorageTarget(self.layout.storage, self.layout.version_dir / MANIFEST)

    @collector_paused
    def run(self) -> None:
        settle_stage_writes()  # every stage file whole on disk before anything is published
        publish_version(self.config, self.layout)
