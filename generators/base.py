"""The generator contract every task implements.

A task is a class with a pydantic ``Config`` (difficulty knobs with bounds), a
level table ``LEVELS`` (1..10 → knobs), and four methods:

- ``generate(config, rng, index)`` builds one instance with its proven answer;
- ``solve(problem)`` re-derives the answer with a readable reasoning trace and
  the solver's effort counts;
- ``check_answer(problem, answer)`` scores an already-extracted answer;
- ``verify(problem, text)`` (shared) extracts the answer from model text first.

:func:`make_problem` turns (task, config, seed, index) into a :class:`Problem`; it
is a pure function, so any index can be made alone, in any order or process.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from random import Random
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from factory.extract import extract_answer
from schemas.ids import derive_seed, problem_id
from schemas.records import Problem, Verdict

ANSWER_INSTRUCTION = (
    "Reason step by step, then give your final answer inside <answer></answer> tags."
)


class TaskConfig(BaseModel):
    """Base of every task config: unknown knobs are errors, configs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerFormatError(ValueError):
    """The answer text does not follow the format the prompt asked for."""


@dataclass(frozen=True)
class Instance:
    """What ``generate`` returns: the prompt, the canonical answer, the checkable payload."""

    prompt: str
    answer: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Solution:
    """What ``solve`` returns: answer, readable reasoning, and effort counts.

    ``stats["effort"]`` is the task's primary effort figure (search nodes,
    decisions...), the one difficulty scoring uses.
    """

    answer: str
    reasoning: str
    stats: dict[str, int | float] = field(default_factory=dict)

    def trace_text(self) -> str:
        return f"{self.reasoning.rstrip()}\n\n<answer>\n{self.answer}\n</answer>"


C = TypeVar("C", bound=TaskConfig)


class Task(ABC, Generic[C]):
    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]
    Config: ClassVar[type[TaskConfig]]
    LEVELS: ClassVar[dict[int, dict[str, Any]]]

    def config_for_level(self, level: int | None, knobs: dict[str, Any] | None = None) -> C:
        """The level's knobs (or the defaults when ``level`` is None) with overrides applied."""
        values: dict[str, Any] = {}
        if level is not None:
            if level not in self.LEVELS:
                raise ValueError(f"level {level} is outside {min(self.LEVELS)}..{max(self.LEVELS)}")
            values.update(self.LEVELS[level])
        values.update(knobs or {})
        return self.Config(**values)  # type: ignore[return-value]

    @abstractmethod
    def generate(self, config: C, rng: Random, index: int) -> Instance: ...

    @abstractmethod
    def solve(self, problem: Problem) -> Solution: ...

    @abstractmethod
    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        """Score in [0, 1] and a reason; may raise :class:`AnswerFormatError`."""

    def verify(self, problem: Problem, text: str) -> Verdict:
        """Score a model's full response; never raises on malformed text."""
        extraction = extract_answer(text)
        if extraction.answer is None:
            return Verdict(
                problem_id=problem.problem_id, score=0.0, passed=False, reason=extraction.reason
            )
        try:
            score, reason = self.check_answer(problem, extraction.answer)
        except AnswerFormatError as error:
            return Verdict(
                problem_id=problem.problem_id,
                score=0.0,
                passed=False,
                reason=f"malformed answer: {error}",
            )
        return Verdict(
            problem_id=problem.problem_id, score=score, passed=score >= 1.0, reason=reason
        )


def make_problem(
    task: Task,
    config: TaskConfig,
    seed: int,
    index: int,
    level: int | None = None,
    subset: str | None = None,
) -> Problem:
    """Problem ``index`` of ``task``: a pure function of its arguments.

    ``subset`` (defaults to the task name) enters the rng seed so that two subsets
    of one task in a build draw different problems.
    """
    knobs = config.model_dump(mode="json")
    stream = subset or task.name
    rng = Random(derive_seed(seed, stream, index))
    instance = task.generate(config, rng, index)
    return Problem(
        problem_id=problem_id(task.name, stream, task.version, knobs, seed, index),
        task=task.name,
        generator_version=task.version,
        seed=seed,
        index=index,
        level=level,
        config=knobs,
        prompt=instance.prompt,
        answer=instance.answer,
        payload=instance.payload,
    )
