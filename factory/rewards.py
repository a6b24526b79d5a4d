"""Reward entry points for RL trainers: the task's own verifier, made safe to call in a loop.

- verl (0.9.1): ``compute_score(data_source, solution_str, ground_truth, extra_info=None)``;
  point ``reward.custom_reward_function.path`` at this file and
  ``reward.custom_reward_function.name`` at ``compute_score`` (verl's ``main_ppo`` ignores the
  older top-level ``custom_reward_function.*``), or at ``compute_score_with_format`` to add
  :data:`FORMAT_WEIGHT` times the format reward.
- TRL (``GRPOTrainer(reward_funcs=[verifier_reward])``):
  ``verifier_reward(completions, ground_truth, **kwargs)``; ``ground_truth`` is the column
  of that name that ``factory export --format trl`` writes, ``completions`` are strings or
  chat messages. ``format_reward(completions, **kwargs)`` is the format reward on its own,
  for ``reward_funcs=[verifier_reward, format_reward]`` (weights: ``reward_weights``).

The format reward is 1.0 for a well-formed completion, 0.0 otherwise: one
``<think>…</think>`` block first, then one non-empty ``<answer>…</answer>`` block last,
nothing but whitespace around and between them (tags in lower case, each exactly once).

``ground_truth`` is the problem record as canonical JSON (:func:`encode_ground_truth`), so
the reward needs nothing but this file's package: no dataset lookup, no network.

Guarantees, per completion, on any thread, process or event loop:
- the score is the verifier's score in [0, 1];
- anything malformed scores 0.0 and never raises: a completion that is not text (or chat
  messages holding text), one longer than :data:`MAX_COMPLETION_CHARS`, a ground truth
  that does not parse or names an unknown task (logged once per process), a verifier that
  raises (``Task.verify`` scores it 0, logged once per task);
- the time is linear in the completion: answer extraction is a linear scan and every
  task's ``check_answer`` is linear in the answer (capped at
  :data:`generators.extract.MAX_ANSWER_CHARS`), with no super-linear regex backtracking,
  quadratic loop, unbounded ``int()`` or deep recursion on model text
  (``bench/bench_verifiers.py`` measures the worst case on hostile inputs). That bound
  holds wherever the reward runs, e.g. in verl's thread pool. :mod:`factory.deadline` also
  cuts a call off after :data:`TIME_LIMIT_S` seconds of wall time (score 0.0), on any
  thread or event loop, as a second line of defence against a future verifier bug; nothing
  relies on it.

Decoded ground truths are kept in an LRU cache keyed by the string
(:data:`CACHED_PROBLEMS` entries), as a trainer scores many rollouts per prompt: the
problem record, its task, and the task's answer check bound to the problem. A task may
offer ``answer_checker(problem)``, a callable that does ``check_answer(problem, ·)`` with
the problem's lookups built once; the reward then extracts the answer and calls it
directly, as ``Task.verify`` would, without building a :class:`~schemas.records.Verdict`.
A checker with a ``score_only(answer)`` method (the score alone, without the reason) is
scored by that. A task that overrides ``verify`` is scored by its ``verify``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

from factory.deadline import DeadlineExceeded, call_with_deadline
from generators.base import AnswerFormatError, Task
from generators.extract import final_answer
from generators.registry import UnknownTaskError, get_task
from schemas.arrow import canonical_json
from schemas.records import Problem

MAX_COMPLETION_CHARS = 200_000
"""Longer completions score 0.0 unread (about 50k tokens: a truncated runaway, not an answer)."""

TIME_LIMIT_S = 2.0
"""Wall-time cut-off of one verification on the main thread (defence in depth only)."""

CACHED_PROBLEMS = 4096

FORMAT_WEIGHT = 0.1
"""What :func:`compute_score_with_format` adds per well-formed completion (verl's
``reward.custom_reward_function.reward_kwargs.format_weight`` overrides it)."""

_TAGS = ("<think>", "</think>", "<answer>", "</answer>")

log = logging.getLogger(__name__)
_warned: set[str] = set()


def encode_ground_truth(problem: Problem) -> str:
    """The ground-truth string the exports carry and the rewards decode."""
    return canonical_json(problem.model_dump(mode="json"))


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str,
    extra_info: dict[str, Any] | None = None,
    **kwargs: Any,
) -> float:
    """verl's custom reward function. ``data_source``, ``extra_info`` and verl's
    ``reward_kwargs`` are accepted and not needed: the ground truth names the task."""
    return score_text(solution_str, ground_truth)


def compute_score_with_format(
    data_source: str,
    solution_str: str,
    ground_truth: str,
    extra_info: dict[str, Any] | None = None,
    format_weight: float = FORMAT_WEIGHT,
    **kwargs: Any,
) -> float:
    """verl's custom reward with the format reward added: correctness in [0, 1] plus
    ``format_weight`` for a well-formed completion."""
    return score_text(solution_str, ground_truth) + format_weight * format_score(solution_str)


def verifier_reward(
    completions: Sequence[Any], ground_truth: Sequence[Any], **kwargs: Any
) -> list[float]:
    """TRL reward function: one score per completion; the dataset's other columns (and
    TRL's ``trainer_state``...) arrive in ``kwargs`` and are not needed."""
    if isinstance(ground_truth, str) or not isinstance(ground_truth, Sequence):
        ground_truth = ()
    if len(ground_truth) != len(completions):
        _warn_once("batch", "ground_truth is not one string per completion")
        return [0.0] * len(completions)
    return [
        score_text(_completion_text(c), t) for c, t in zip(completions, ground_truth, strict=True)
    ]


def format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """TRL reward function: 1.0 per well-formed completion (see the module docstring)."""
    return [format_score(_completion_text(c)) for c in completions]


def format_score(text: Any) -> float:
    """1.0 if ``text`` is ``<think>…</think>`` then ``<answer>…</answer>`` and nothing else;
    0.0 otherwise, malformed input included. Linear: a few ``str`` scans."""
    if not isinstance(text, str) or len(text) > MAX_COMPLETION_CHARS:
        return 0.0
    text = text.strip()
    if any(text.count(tag) != 1 for tag in _TAGS):
        return 0.0
    think_open, think_close, answer_open, answer_close = (text.find(tag) for tag in _TAGS)
    well_formed = (
        think_open == 0
        and think_close < answer_open
        and not text[think_close + len("</think>") : answer_open].strip()
        and text[answer_open + len("<answer>") : answer_close].strip()
        and answer_close + len("</answer>") == len(text)
    )
    return 1.0 if well_formed else 0.0


def score_text(text: Any, ground_truth: Any) -> float:
    """The verifier's score of one completion text; 0.0 for anything malformed."""
    if not isinstance(text, str) or len(text) > MAX_COMPLETION_CHARS:
        return 0.0
    if not isinstance(ground_truth, str):
        _warn_once("ground_truth", f"ground truth is a {type(ground_truth).__name__}, not JSON")
        return 0.0
    try:
        prepared = _prepared(ground_truth)
    except UnknownTaskError as error:  # not cached: the task may be registered later
        _warn_once("ground_truth", f"ground truth names an unknown task: {error}")
        return 0.0
    if prepared is None:
        return 0.0
    try:
        return call_with_deadline(TIME_LIMIT_S, prepared.score, text)
    except DeadlineExceeded:
        return 0.0
    except Exception:
        task = prepared.problem.task
        _warn_once(f"verifier:{task}", f"the {task} verifier raised", True)
        return 0.0


class _Prepared:
    """A decoded ground truth: its problem, its task and the task's answer check for it.

    A plain class, not a dataclass: verl loads this file by path without registering the
    module in ``sys.modules``, where ``@dataclass`` fails."""

    __slots__ = ("problem", "task", "check", "score_only")

    def __init__(
        self, problem: Problem, task: Task, check: Callable[[str], tuple[float, str]] | None
    ) -> None:
        self.problem, self.task = problem, task
        self.check = check
        """``task.answer_checker(problem)`` (or ``check_answer`` bound to the problem); None
        when the task scores whole texts its own way (it overrides ``verify``)."""
        self.score_only: Callable[[str], float] | None = getattr(check, "score_only", None)
        """The checker's ``score_only`` method, if it has one: its score without the reason."""

    def score(self, text: str) -> float:
        """``task.verify(problem, text).score`` without building the verdict. A verifier
        error other than :class:`AnswerFormatError` propagates (the caller logs it)."""
        if self.check is None:
            return self.task.verify(self.problem, text).score
        answer = final_answer(text)
        if answer is None:
            return 0.0
        try:
            score = self.score_only(answer) if self.score_only else self.check(answer)[0]
        except AnswerFormatError:
            return 0.0
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"score {score!r} is outside [0, 1]")
        return float(score)


@lru_cache(maxsize=CACHED_PROBLEMS)
def _prepared(ground_truth: str) -> _Prepared | None:
    """The ground truth decoded once; None (cached too) when it is no problem record.
    Raises :class:`UnknownTaskError` for a task this process does not know."""
    try:
        problem = Problem.model_validate_json(ground_truth)
    except ValueError as error:
        _warn_once("ground_truth", f"ground truth is not a problem record: {str(error)[:200]}")
        return None
    task = get_task(problem.task)
    if type(task).verify is not Task.verify:
        return _Prepared(problem, task, None)
    checker = getattr(task, "answer_checker", None)
    check = checker(problem) if checker else partial(task.check_answer, problem)
    return _Prepared(problem, task, check)


def _completion_text(completion: Any) -> str | None:
    """A TRL completion as text: a string, or the string contents of its assistant
    messages (a message without a role counts as the assistant's), joined by newlines."""
    if isinstance(completion, str):
        return completion
    if not isinstance(completion, list):
        return None
    parts = []
    for message in completion:
        if not isinstance(message, dict):
            return None
        if message.get("role", "assistant") != "assistant":
            continue
        content = message.get("content")
        if not isinstance(content, str):
            return None
        parts.append(content)
    return "\n".join(parts)


def _warn_once(kind: str, message: str, traceback: bool = False) -> None:
    """Log the first problem of each kind: a broken column would otherwise flood the log."""
    if kind not in _warned:
        _warned.add(kind)
        log.warning("%s; scoring 0.0 (not repeated)", message, exc_info=traceback)
