"""The build workflow: GenerateShard → SolveAndSelfCheck → Score → AssembleDataset.

Every task reads the frozen config from the work directory, so a task is identified by
(work_dir, subset, shard) alone. A shard task counts as complete only when its own
outputs *and* its inputs exist: removing one upstream shard re-runs exactly that
shard's chain, nothing else.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import luigi

from factory.annotate import annotate, base_seed
from factory.backends import shared_backend, teacher_identity
from factory.errors import BuildError
from factory.layout import (
    BuildLayout,
    model_producers,
    request_cache_dir,
    shard_count,
    stages_of,
)
from factory.parquet_io import read_records, write_records
from factory.request_cache import RequestCache
from factory.rsd.runner import shared_runner
from factory.rsd.stage import rsd_traces
from factory.scoring.difficulty import PASS_THRESHOLD
from factory.scoring.measure import add_judge_scores, measure_traces
from factory.scoring.select import Graded, select_problems
from factory.scoring.verbosity import WHITESPACE, TraceVerbosity, load_named_tokenizer
from factory.stages import generate_shard, score_shard, solve_and_self_check, verify_trace
from factory.store import publish_version
from schemas.config import BuildConfig
from schemas.records import Problem, Scores, Selection, Trace, Verdict


class SelfCheckError(BuildError):
    """An oracle answer failed its own verifier: the generator or verifier is wrong."""


@cache
def frozen_config(work_dir: str) -> BuildConfig:
    return BuildConfig.model_validate(json.loads((Path(work_dir) / "config.json").read_text()))


class BuildTask(luigi.Task):
    work_dir = luigi.Parameter()

    @property
    def config(self) -> BuildConfig:
        return frozen_config(self.work_dir)

    @property
    def layout(self) -> BuildLayout:
        return BuildLayout.of(self.config)

    def complete(self) -> bool:
        return super().complete() and all(
            task.complete() for task in luigi.task.flatten(self.requires())
        )

    def on_failure(self, exception: BaseException) -> str:
        """Record the reason where the parent process finds it, whichever worker ran us."""
        failures = self.layout.failures_dir
        failures.mkdir(parents=True, exist_ok=True)
        (failures / f"{self.task_id}.txt").write_text(f"{self.task_id}: {exception}\n")
        return super().on_failure(exception)

    def on_success(self) -> None:
        print(
            f"[factory] {progress(self.layout, self.config)}  {self.describe()}",
            file=sys.stderr,
            flush=True,
        )

    def describe(self) -> str:
        return self.task_family


class ShardTask(BuildTask):
    subset = luigi.Parameter()
    shard = luigi.IntParameter()

    def stage_target(self, stage: str) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.stage_path(stage)))

    def stage_path(self, stage: str) -> Path:
        return self.layout.stage_path(stage, self.subset, self.shard)

    def describe(self) -> str:
        return f"{self.task_family} {self.subset}#{self.shard}"


class GenerateShard(ShardTask):
    def output(self):
        return self.stage_target("problems")

    def run(self) -> None:
        problems = generate_shard(self.config, self.config.spec(self.subset), self.shard)
        write_records(problems, Problem, self.stage_path("problems"))


class SolveAndSelfCheck(ShardTask):
    def requires(self):
        return GenerateShard(work_dir=self.work_dir, subset=self.subset, shard=self.shard)

    def output(self):
        return {"traces": self.stage_target("traces"), "verdicts": self.stage_target("verdicts")}

    def run(self) -> None:
        problems = read_records(self.stage_path("problems"), Problem)
        check = solve_and_self_check(problems)
        if check.failures:
            shown = "; ".join(f"{v.problem_id}: {v.reason}" for v in check.failures[:5])
            raise SelfCheckError(
                f"{len(check.failures)} oracle answer(s) in {self.subset} shard {self.shard} "
                f"failed their own verifier: {shown}"
            )
        write_records(check.traces, Trace, self.stage_path("traces"))
        write_records(check.verdicts, Verdict, self.stage_path("verdicts"))


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
        cache_dir = request_cache_dir(teacher.cache_dir, self.layout.root)
        with RequestCache(cache_dir) as cache:
            traces = annotate(
                read_records(self.stage_path("problems"), Problem),
                teacher,
                self.config.seed,
                identity=teacher_identity(teacher, cache_dir),
                cache=cache,
                open_backend=lambda: shared_backend(teacher, seed),
                label=f"annotate {self.subset}#{self.shard}",
            )
        write_records(traces, Trace, self.stage_path("teacher_traces"))


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
        cache_dir = request_cache_dir(rsd.cache_dir, self.layout.root)
        identity = "|".join(teacher_identity(m, cache_dir) for m in (rsd.teacher, rsd.student))
        with RequestCache(cache_dir) as cache:
            traces = rsd_traces(
                read_records(self.stage_path("problems"), Problem),
                rsd,
                self.config.seed,
                identity=identity,
                cache=cache,
                open_runner=lambda: shared_runner(rsd, self.config.seed),
                label=f"rsd {self.subset}#{self.shard}",
            )
        write_records(traces, Trace, self.stage_path("rsd_traces"))


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
        problem_of = {p.problem_id: p for p in read_records(self.stage_path("problems"), Problem)}
        verdicts = [
            verify_trace(problem_of[trace.problem_id], trace)
            for trace in read_records(self.stage_path(f"{self.producer}_traces"), Trace)
        ]
        write_records(verdicts, Verdict, self.stage_path(f"{self.producer}_verdicts"))


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
        problems = read_records(self.stage_path("problems"), Problem)
        traces = read_records(self.stage_path("teacher_traces"), Trace)
        name = settings.tokenizer or WHITESPACE
        figures = measure_traces(problems, traces, load_named_tokenizer(settings.tokenizer), name)
        judge = settings.judge
        if judge is not None:
            cache_dir = request_cache_dir(None, self.layout.root)
            with RequestCache(cache_dir) as cache:
                figures = add_judge_scores(
                    figures,
                    problems,
                    traces,
                    open_backend=lambda: shared_backend(judge, self.config.seed),
                    cache=cache,
                    identity=teacher_identity(judge, cache_dir),
                    chat_template=judge.chat_template,
                )
        write_records(figures, TraceVerbosity, self.stage_path("teacher_verbosity"))


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

    def run(self) -> None:
        teacher_verdicts = []
        if self.config.teacher is not None:
            teacher_verdicts = read_records(self.stage_path("teacher_verdicts"), Verdict)
        grading = self.config.grading
        scores = score_shard(
            read_records(self.stage_path("problems"), Problem),
            read_records(self.stage_path("traces"), Trace),
            read_records(self.stage_path("verdicts"), Verdict),
            teacher_verdicts,
            grading.pass_threshold if grading else PASS_THRESHOLD,
        )
        write_records(scores, Scores, self.stage_path("scores"))


class SelectProblems(BuildTask):
    """A graded build's selection across all shards of every subset (quotas and effort
    percentiles are per subset, so this needs every shard's scores)."""

    def requires(self):
        return all_scores(self.config, self.work_dir)

    def output(self):
        return luigi.LocalTarget(str(self.layout.selection_path))

    def run(self) -> None:
        graded = [
            Graded(s.problem_id, spec.subset, s.pass_rate or 0.0, s.pass_cv, s.solver_effort)
            for spec in self.config.tasks
            for shard in range(shard_count(spec, self.config.shard_size))
            for s in read_records(self.layout.stage_path("scores", spec.subset, shard), Scores)
        ]
        assert self.config.grading is not None
        selections = select_problems(graded, self.config.grading)
        write_records(selections, Selection, self.layout.selection_path)


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
        return luigi.LocalTarget(str(self.layout.version_dir / "manifest.json"))

    def run(self) -> None:
        publish_version(self.config, self.layout)


def progress(layout: BuildLayout, config: BuildConfig) -> str:
    """'done/total' shard outputs on disk, counted across stages."""
    stages = stages_of(config)
    total = sum(shard_count(s, config.shard_size) for s in config.tasks) * len(stages)
    done = sum(1 for stage in stages for _ in (layout.work_dir / stage).glob("*/*.parquet"))
    return f"{done:>5}/{total} shard outputs"
