"""OmniThought's LLM judges: reasoning verbosity (RV) and cognitive difficulty (CD), 0–9.

The judge reads the problem and the trace and answers with a score in
``<score></score>`` tags, at temperature 0. Requests go through the request cache like
every model request, and the model is opened only when something is not cached. A
judge that answers garbage, or a request that fails, leaves the score empty with a
reason; it never stops the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from factory.backends.base import (
    Backend,
    Generation,
    GenerationRequest,
    Message,
    RequestFailed,
)
from factory.models.cached_generation import cached_generate
from factory.models.request_cache import RequestCache
from factory.models.usage import UsageMeter
from schemas.sampling import SamplingParams

JudgeKind = Literal["rv", "cd"]

MAX_TOKENS = 32  # room for "<score>7</score>" and a few stray words, no essay

_RUBRICS: dict[str, tuple[str, str]] = {
    "rv": (
        "REASONING VERBOSITY: how long and detailed the reasoning is, judged against "
        "what this problem actually needs",
        "0-1: minimal, the bare steps or only the answer\n"
        "2-3: concise, the needed steps and little else\n"
        "4-5: moderate, some explanation and checking beyond the needed steps\n"
        "6-7: extensive, many detours, re-checks or alternative attempts\n"
        "8-9: exhaustive, repeated verification and exploration far beyond the need",
    ),
    "cd": (
        "COGNITIVE DIFFICULTY: how much knowledge and skill it takes to follow the reasoning",
        "0-1: recalling an elementary fact\n"
        "2-3: multi-step arithmetic or chaining basic rules\n"
        "4-5: early-undergraduate material with one key insight\n"
        "6-7: advanced-undergraduate material, several insights combined\n"
        "8-9: graduate-level knowledge or research-level insight",
    ),
}


class JudgeItem(BaseModel):
    """One trace to judge, with the problem it answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    trace: str


class JudgeResult(NamedTuple):
    score: int | None
    reason: str | None  # why ``score`` is None; None when it is set


def judge_prompt(kind: JudgeKind, question: str, trace: str) -> str:
    what, scale = _RUBRICS[kind]
    return (
        f"You are grading a chain of reasoning written for the problem below. Rate its "
        f"{what}, on a scale from 0 to 9:\n{scale}\n\n"
        f"Problem:\n{question}\n\nReasoning:\n{trace}\n\n"
        "Reply with the score only: one integer from 0 to 9 inside <score></score> tags, "
        "for example <score>4</score>."
    )


def judge_request(
    kind: JudgeKind, item: JudgeItem, *, chat: bool = True, max_tokens: int = MAX_TOKENS
) -> GenerationRequest:
    """Greedy (temperature 0) request for one judgement, chat or plain prompt."""
    prompt = judge_prompt(kind, item.question, item.trace)
    params = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=max_tokens, n=1)
    if chat:
        return GenerationRequest(messages=(Message(role="user", content=prompt),), params=params)
    return GenerationRequest(prompt=prompt, params=params)


_SCORE_TAG = re.compile(r"<score>(.*?)</score>", re.IGNORECASE | re.DOTALL)
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_score(text: str) -> JudgeResult:
    """The integer in the last ``<score>`` tag if it is in 0..9; else None and why."""
    tags = _SCORE_TAG.findall(text)
    if not tags:
        return JudgeResult(None, "no <score></score> tag")
    content = tags[-1].strip()
    if not _INTEGER.fullmatch(content):
        shown = content if len(content) <= 40 else content[:40] + "…"
        return JudgeResult(None, f"not an integer: {shown!r}")
    score = int(content)
    if not 0 <= score <= 9:
        return JudgeResult(None, f"score {score} outside 0..9")
    return JudgeResult(score, None)


def judge_traces(
    items: Sequence[JudgeItem],
    kind: JudgeKind,
    backend_factory: Callable[[], Backend],
    cache: RequestCache,
    identity: str,
    *,
    chat: bool = True,
    chat_template: str | None = None,
    max_tokens: int = MAX_TOKENS,
    meter: UsageMeter | None = None,
) -> list[JudgeResult]:
    """One judgement per item, in order. ``identity`` and ``chat_template`` are the judge
    model's cache identity and template override, as for teacher annotation."""
    if kind not in _RUBRICS:
        raise ValueError(f"judge kind must be one of {sorted(_RUBRICS)}, not {kind!r}")
    requests = [judge_request(kind, item, chat=chat, max_tokens=max_tokens) for item in items]
    results = cached_generate(
        requests,
        identity=identity,
        chat_template=chat_template,
        cache=cache,
        open_backend=backend_factory,
        label=f"judge {kind}",
        meter=meter,
    )
    return [_judgement(result) for result in results]


def _judgement(result: Generation | RequestFailed) -> JudgeResult:
    if isinstance(result, RequestFailed):
        return JudgeResult(None, f"request failed: {result.error}")
    return parse_score(result.samples[0].text)
