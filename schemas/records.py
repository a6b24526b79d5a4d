"""Records that flow between stages: problems, traces, verdicts, scores, dataset rows.

Task-specific structure (knobs, payloads, solver statistics) lives in ``dict``
fields; the Parquet schema stores those as canonical JSON strings so every task
shares one table layout (see :mod:`schemas.arrow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base for all stored records: strict fields, no silent extras."""

    model_config = ConfigDict(extra="forbid")


class Problem(Record):
    """One generated problem with its proven reference answer."""

    problem_id: str = Field(description="content hash of (task, version, config, seed, index)")
    task: str
    generator_version: str
    seed: int
    index: int
    level: int | None = Field(default=None, description="difficulty level 1..10 if built by level")
    config: dict[str, Any] = Field(description="the task's knobs used for this problem")
    prompt: str
    answer: str = Field(description="canonical reference answer (what goes inside <answer>)")
    payload: dict[str, Any] = Field(description="structured instance the verifier checks against")


PROBLEM_COLUMNS = list(Problem.model_fields)  # a data row's problem, as the publish reads it
_PROBLEM_FIELDS = tuple(Problem.model_fields)
_FIELDS_SET = set(_PROBLEM_FIELDS)  # copied into each assembled Problem, never changed
_new_problem = Problem.__new__


def _slot_setter(slot: str) -> Callable[[Any, Any], None]:
    """BaseModel's setter of one of its slots, called directly: a third cheaper than
    ``object.__setattr__``, which stands in where this pydantic has no such slot (then the
    check at import, :func:`_assembly_matches_validation`, decides)."""
    descriptor = BaseModel.__dict__.get(slot)
    if descriptor is None:
        return lambda model, value: object.__setattr__(model, slot, value)
    return descriptor.__set__


_set_dict, _set_fields_set, _set_extra, _set_private = map(
    _slot_setter,
    ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"),
)


def _str_keyed(mapping: dict[Any, Any]) -> bool:
    for key in mapping:  # noqa: SIM110 (all() over a generator costs three times more)
        if type(key) is not str:
            return False
    return True


class ProblemFrame:
    """What the problems of one (task, generator version, config) share, checked once: a
    Problem from generator output then skips pydantic validation where it provably does
    nothing: every field of exactly its declared type (no subclasses, no coercion), both
    dicts keyed by ``str``, and this pydantic's models laid out as :meth:`problem` expects
    (checked once at import, :func:`_assembly_matches_validation`); otherwise the validating
    constructor. Makes the per-problem cost of :func:`generators.base.make_problem` a few
    µs lower."""

    __slots__ = ("_task", "_version", "_config", "_trusted")

    def __init__(self, task: str, generator_version: str, config: dict[str, Any]) -> None:
        self._task, self._version = task, generator_version
        self._trusted = (
            _ASSEMBLY_OK
            and type(task) is str
            and type(generator_version) is str
            and type(config) is dict
            and _str_keyed(config)
        )
        # its own copy (the caller may change theirs); each Problem gets a copy of this one
        self._config = dict(config) if type(config) is dict else config

    def problem(
        self,
        problem_id: str,
        seed: int,
        index: int,
        level: int | None,
        prompt: str,
        answer: str,
        payload: dict[str, Any],
    ) -> Problem:
        """The Problem pydantic would validate from these fields and the frame's: when
        validation is the identity, the same field values (dicts shallow-copied as
        validation copies them) set straight into a bare model's slots."""
        if (
            self._trusted
            and type(problem_id) is str
            and type(seed) is int
            and type(index) is int
            and (level is None or type(level) is int)
            and type(prompt) is str
            and type(answer) is str
            and type(payload) is dict
            and _str_keyed(payload)
        ):
            problem = _new_problem(Problem)
            _set_dict(
                problem,
                {
                    "problem_id": problem_id,
                    "task": self._task,
                    "generator_version": self._version,
                    "seed": seed,
                    "index": index,
                    "level": level,
                    "config": self._config.copy(),
                    "prompt": prompt,
                    "answer": answer,
                    "payload": payload.copy(),
                },
            )
            _set_fields_set(problem, _FIELDS_SET.copy())
            _set_extra(problem, None)
            _set_private(problem, None)
            return problem
        return Problem(
            problem_id=problem_id,
            task=self._task,
            generator_version=self._version,
            seed=seed,
            index=index,
            level=level,
            config=self._config,
            prompt=prompt,
            answer=answer,
            payload=payload,
        )


def _assembly_matches_validation() -> bool:
    """Whether a Problem set into the slots, as :meth:`ProblemFrame.problem` does, is the
    one pydantic validates from the same fields."""
    sample = dict(
        problem_id="0" * 16,
        task="t",
        generator_version="1",
        seed=1,
        index=2,
        level=None,
        config={"n": 1},
        prompt="p",
        answer="a",
        payload={"x": [1]},
    )
    frame = ProblemFrame(sample["task"], sample["generator_version"], sample["config"])
    frame._trusted = True  # the slot path, whatever _ASSEMBLY_OK will be
    per_problem = ("problem_id", "seed", "index", "level", "prompt", "answer", "payload")
    built = frame.problem(*[sample[name] for name in per_problem])
    validated = Problem(**sample)
    return (
        tuple(sample) == _PROBLEM_FIELDS
        and type(built.__dict__) is dict
        and tuple(built.__dict__) == _PROBLEM_FIELDS
        and built == validated
        and built.model_fields_set == validated.model_fields_set
        and built.model_dump_json() == validated.model_dump_json()
    )


_ASSEMBLY_OK = False  # read by ProblemFrame's constructor, so set before the check
_ASSEMBLY_OK = _assembly_matches_validation()


def problem_from_trusted(
    problem_id: str,
    task: str,
    generator_version: str,
    seed: int,
    index: int,
    level: int | None,
    config: dict[str, Any],
    prompt: str,
    answer: str,
    payload: dict[str, Any],
) -> Problem:
    """A Problem from generator output (see :class:`ProblemFrame`; a frame made once serves
    many problems)."""
    frame = ProblemFrame(task, generator_version, config)
    return frame.problem(problem_id, seed, index, level, prompt, answer, payload)


class Trace(Record):
    """A reasoning trace for a problem: the solver's reference trace or a model sample."""

    trace_id: str
    problem_id: str
    producer: str = Field(description="'solver', 'teacher', 'rsd', 'rewrite', ...")
    model: str | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="decoding parameters")
    sample_index: int = 0
    text: str = Field(description="raw text as produced")
    thinking: str | None = None
    answer: str | None = Field(default=None, description="extracted final answer, if any")
    finish_reason: str | None = Field(default=None, description="'stop', 'length', 'error'")
    num_tokens: int | None = None
    prompt_tokens: int | None = None
    error: str | None = Field(default=None, description="why a model request failed, if it did")
    provenance: str | None = Field(
        default=None, description="rsd: one letter per token, T teacher-accepted, S student"
    )
    stats: dict[str, Any] = Field(
        default_factory=dict, description="producer figures (rsd: acceptance, fallback, calls)"
    )
    solver_stats: dict[str, Any] = Field(
        default_factory=dict, description="search effort of the solver that wrote the trace"
    )


class Verdict(Record):
    """The verifier's judgement of one answer text (``trace_id`` set once it is stored)."""

    problem_id: str
    trace_id: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    passed: bool
    reason: str


class Scores(Record):
    """Difficulty figures for one problem."""

    problem_id: str
    task: str
    level: int | None
    solver_effort: float = Field(description="the task's primary effort count (nodes, decisions)")
    solver_stats: dict[str, Any] = Field(default_factory=dict)
    reference_chars: int
    reference_steps: int
    reference_passed: bool
    samples: int = Field(default=0, description="teacher samples verified (0 without a teacher)")
    pass_rate: float | None = None
    pass_cv: float | None = Field(default=None, description="population σ/μ of sample scores")
    search_iterations: int | None = Field(
        default=None, description="search tasks: iterations to the first verified answer"
    )
    search_nodes: int | None = Field(
        default=None, description="search tasks: tree nodes made by then"
    )


class DatasetRecord(Record):
    """One row of an assembled dataset: problem, reference trace, verdict and scores joined."""

    problem_id: str
    task: str
    subset: str = Field(description="the build config's subset the problem belongs to")
    split: str = Field(description="the named split (train, validation, test ...)")
    generator_version: str
    seed: int
    index: int
    level: int | None
    config: dict[str, Any]
    prompt: str
    answer: str
    payload: dict[str, Any]
    trace_id: str
    reference_trace: str
    verify_score: float
    solver_effort: float
    solver_stats: dict[str, Any]
    reference_chars: int
    reference_steps: int
    pass_rate: float | None = Field(default=None, description="teacher samples passing")
    pass_cv: float | None = None
    search_iterations: int | None = Field(
        default=None, description="search tasks: iterations to the first verified answer"
    )
    search_nodes: int | None = None
    difficulty: str | None = Field(default=None, description="grading bucket of the pass rate")
    effort_percentile: float | None = Field(
        default=None, description="solver effort's rank within its subset (graded builds)"
    )

    def problem(self) -> Problem:
        """The problem record this row was assembled from."""
        return Problem.model_validate(self.model_dump(include=set(Problem.model_fields)))


class ModelTraceRecord(Record):
    """Fields every published model-trace row has: the sample and its verdict."""

    problem_id: str
    trace_id: str
    model: str
    params: dict[str, Any]
    sample_index: int
    text: str
    thinking: str | None
    answer: str | None
    finish_reason: str | None
    num_tokens: int | None
    verify_score: float
    passed: bool
    verify_reason: str


class TeacherTraceRecord(ModelTraceRecord):
    """One row of a published teacher-trace file; verbosity figures when measured."""

    prompt_tokens: int | None
    error: str | None
    tokens: int | None = None
    steps: int | None = None
    hesitation_share: float | None = None
    first_correct_token: int | None = None
    external_redundancy: float | None = None
    overthinking: float | None = None
    rv: int | None = None
    cd: int | None = None
    judge_reason: str | None = None


class RSDTraceRecord(ModelTraceRecord):
    """One row of a published RSD-trace file, with the filter's word."""

    provenance: str | None
    stats: dict[str, Any]
    kept: bool
    filter_reason: str


class SplitAssignment(Record):
    problem_id: str
    split: str


class DedupReport(Record):
    """What dedup and exclusion did to one subset."""

    subset: str
    drawn: int = Field(default=0, description="candidates looked at, further draws included")
    kept: int = 0
    removed: dict[str, int] = Field(
        default_factory=dict,
        description="why others were dropped: exact, structural, excluded:<source position>",
    )
    splits: dict[str, int] = Field(default_factory=dict, description="problems per split")


class Selection(Record):
    """A graded build's word on one problem: its bucket and whether the corpus keeps it."""

    problem_id: str
    subset: str
    difficulty: str
    effort_percentile: float
    selected: bool
    reason: str
