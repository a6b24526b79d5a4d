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

import logging
import re
from _random import Random as _CRandom
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from generators.canonical import digest
from generators.extract import extract_answer
from generators.hashrandom import HashRandom
from schemas.arrow import canonical_json
from schemas.ids import Encoded, ProblemKeys, derive_seed, id_of_digest
from schemas.records import Problem, ProblemFrame, Verdict

log = logging.getLogger(__name__)
_c_seed = _CRandom.seed

ANSWER_INSTRUCTION = (
    "Reason step by step, then give your final answer inside <answer></answer> tags."
)


class TaskConfig(BaseModel):
    """Base of every task config: unknown knobs are errors, configs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerationError(RuntimeError):
    """A generator gave up: its knobs allow no instance within its attempt budget. The
    message names the knob to raise; the CLI prints it as one line."""


class AnswerFormatError(ValueError):
    """The answer text does not follow the format the prompt asked for."""


_EXAMPLE = re.compile(
    r"\b(?:for example|e\.g\.|such as|like):?[ \t]+"
    r"(?:'(?P<single>[^'\n]+)'|\"(?P<double>[^\"\n]+)\""
    r"|(?<=for example: )(?P<bare>[^\n]+)|(?<=e\.g\. )(?P<short>[^\n]+))",
    re.IGNORECASE,
)
_EXAMPLE_WORDS = (b"for example", b"e.g.", b"such as", b"like")


def prompt_example(prompt: str) -> str | None:
    """The last example answer a prompt shows ('for example: 3, 7', 'e.g. "09:30"'), if any:
    the answer format is stated last, so its example is the last one.

    The regex is tried only where one of its words stands (found by byte search on an ASCII
    case-folded copy with the same indices), left to right without overlaps as ``finditer``
    would: a scan of the whole prompt by the regex costs ~0.1 ms, the audit makes millions."""
    folded = prompt.encode("ascii", "replace").lower()
    starts = sorted(at for word in _EXAMPLE_WORDS for at in _occurrences(folded, word))
    match, end = None, 0
    for at in starts:
        if at >= end and (found := _EXAMPLE.match(prompt, at)):
            match, end = found, found.end()
    if match is None:
        return None
    quoted = match["single"] or match["double"]
    if quoted:
        return quoted
    text = (match["bare"] or match["short"]).rstrip()
    in_parentheses = prompt[match.start() - 1 : match.start()] == "("
    return text[: text.rfind(")")] if in_parentheses else text.removesuffix(".")


def _occurrences(text: bytes, word: bytes) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


class Instance(NamedTuple):
    """What ``generate`` returns: the prompt, the canonical answer, the checkable payload
    (a named tuple: made once per problem, it is the cheapest immutable record)."""

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
    surface_fields: ClassVar[frozenset[str]] = frozenset()
    """Payload fields holding names, phrasings or one of several valid answers rather than
    structure; the default :meth:`structural_key` leaves them out."""
    hashed_rng: ClassVar[bool] = False
    """Whether :func:`make_problem` hands ``generate`` a :class:`HashRandom` keyed by the
    problem id's digest instead of ``Random(derive_seed(...))``: no Mersenne Twister seeding
    and no hash beyond the id's, for tasks whose whole generation costs a few µs."""

    def config_for_level(self, level: int | None, knobs: dict[str, Any] | None = None) -> C:
        """The level's knobs (or the defaults when ``level`` is None) with overrides applied."""
        values: dict[str, Any] = {}
        if level is not None:
            if level not in self.LEVELS:
                raise ValueError(f"level {level} is outside {min(self.LEVELS)}..{max(self.LEVELS)}")
            values.update(self.LEVELS[level])
        values.update(knobs or {})
        return self.Config(**values)  # type: ignore[return-value]

    def question_kind(self, problem: Problem) -> str | None:
        """Which of several kinds of question ``problem`` asks, for a task that asks more
        than one (a policy can tell them apart in the prompt, so the audit's best constant
        is one answer per kind); None for a task of one kind."""
        return None

    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        """The fixed label set of a categorical answer (yes/no, True/False...), else None."""
        return None

    def answer_space(self, problem: Problem) -> int | None:
        """How many well-formed answers the prompt allows, where countable; None lets the
        audit estimate it from the answers it sees."""
        labels = self.labels(problem)
        return len(labels) if labels else None

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        """Named guesses a lazy policy could make without solving the problem: each label of
        a categorical answer and the example the prompt shows; tasks add their own."""
        guesses = {label: label for label in self.labels(problem) or ()}
        example = prompt_example(problem.prompt)
        if example:
            guesses["prompt example"] = example
        return guesses

    def structural_key(self, problem: Problem) -> str:
        """Equal for problems that differ only in names, phrasings or symmetric relabellings
        (the payload without :attr:`surface_fields` unless a task canonicalises more)."""
        return digest({k: v for k, v in problem.payload.items() if k not in self.surface_fields})

    @abstractmethod
    def generate(self, config: C, rng: Random, index: int) -> Instance: ...

    @abstractmethod
    def solve(self, problem: Problem) -> Solution: ...

    @abstractmethod
    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        """Score in [0, 1] and a reason; may raise :class:`AnswerFormatError`."""

    def verify(self, problem: Problem, text: str) -> Verdict:
        """Score a model's full response; never raises on any string.

        Time is linear in ``text``: extraction scans it once and hands ``check_answer`` at
        most ``MAX_ANSWER_CHARS``, which every verifier checks in linear time. A verifier that
        raises anything but :class:`AnswerFormatError` is a bug: it scores 0, logged once
        per task, so that a reward loop never stops on one answer.
        """
        extraction = extract_answer(text)
        if extraction.answer is None:
            return _zero(problem, extraction.reason)
        try:
            score, reason = self.check_answer(problem, extraction.answer)
            return Verdict(
                problem_id=problem.problem_id, score=score, passed=score >= 1.0, reason=reason
            )
        except AnswerFormatError as error:
            return _zero(problem, f"malformed answer: {error}")
        except Exception as error:
            _log_verifier_error(self.name)
            return _zero(problem, f"the verifier failed: {type(error).__name__}")


def _zero(problem: Problem, reason: str) -> Verdict:
    return Verdict(problem_id=problem.problem_id, score=0.0, passed=False, reason=reason)


_failed_verifiers: set[str] = set()


def _log_verifier_error(task: str) -> None:
    """Log the current exception, the first time a task's verifier raises."""
    if task not in _failed_verifiers:
        _failed_verifiers.add(task)
        log.warning("the %s verifier raised; scoring 0.0 (not repeated)", task, exc_info=True)


def make_problem(
    task: Task,
    config: TaskConfig,
    seed: int,
    index: int,
    level: int | None = None,
    subset: str | None = None,
) -> Problem:
    """Problem ``index`` of ``task``: a pure function of its arguments.

    ``subset`` (defaults to the task name) enters the rng seed (the id, for tasks with
    ``hashed_rng``) so that two subsets of one task in a build draw different problems.
    """
    name, version, stream = task.name, task.version, subset or task.name
    keys, frame = _plan(config, name, stream, version)
    digest = keys.digest(seed, index)
    if task.hashed_rng:
        prompt, answer, payload = task.generate(config, HashRandom(digest), index)
    else:
        rng = _seeded_random(derive_seed(seed, stream, index))
        prompt, answer, payload = task.generate(config, rng, index)
    return frame.problem(id_of_digest(digest), seed, index, level, prompt, answer, payload)


_ATOMS = (str, int, float, bool, type(None))
_CONFIG_CACHE_SIZE = 256
R = TypeVar("R")


def config_cached(build: Callable[[C], R]) -> Callable[[C], R]:
    """``build(config)`` memoised per config object: builds reuse one config for many
    problems, so what a task derives from its knobs alone is made once. Only configs whose
    field values are immutable all the way down are cached (a frozen model can still hold a
    list that is changed in place), keyed by ``id`` with the object itself kept and
    compared by identity, so a recycled id never hits."""
    cache: dict[int, tuple[C, R]] = {}

    def cached(config: C) -> R:
        entry = cache.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        value = build(config)
        if all(map(_immutable, config.__dict__.values())):
            if len(cache) >= _CONFIG_CACHE_SIZE:
                cache.clear()
            cache[id(config)] = (config, value)
        return value

    return cached


class _Plan(NamedTuple):
    """What make_problem needs per (config, task, stream, version) besides the config."""

    keys: ProblemKeys
    frame: ProblemFrame


@config_cached
def _plans(config: TaskConfig) -> dict[tuple[str, str, str], _Plan]:
    """A config's plans, by (task, stream, version), filled as they are asked for."""
    return {}


def _plan(config: TaskConfig, task: str, stream: str, version: str) -> _Plan:
    plans = _plans(config)
    plan = plans.get((task, stream, version))
    if plan is None:
        knobs = config.model_dump(mode="json")
        keys = ProblemKeys(task, stream, version, Encoded(canonical_json(knobs)))
        plan = plans[task, stream, version] = _Plan(keys, ProblemFrame(task, version, knobs))
    return plan


def _immutable(value: Any) -> bool:
    if isinstance(value, (tuple, frozenset)):
        return all(map(_immutable, value))
    return isinstance(value, _ATOMS)  # Enum members of str/int included


def _seed_skipping_wrapper(seed: int) -> Random:
    """``Random(seed)`` without the Python-level ``seed`` wrapper: same C seeding, same state."""
    rng = Random.__new__(Random)
    _c_seed(rng, seed)
    rng.gauss_next = None
    return rng


def _same_as_random(make: Any) -> bool:
    return all(make(s).getstate() == Random(s).getstate() for s in (0, 7, 2**63 + 5))


# Used only where it provably gives Random(seed)'s state on this interpreter.
_seeded_random = _seed_skipping_wrapper if _same_as_random(_seed_skipping_wrapper) else Random
