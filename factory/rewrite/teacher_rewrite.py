"""Teacher rewrite (DAP): judge the problem's difficulty, then rewrite the trace to fit it.

Two rounds of requests, both through the request cache (the model is opened only when
something is missing):

1. A difficulty judgement of the question: ``simple``, ``moderate`` or ``complex`` in
   ``<difficulty></difficulty>`` tags, greedy (temperature 0).
2. A rewrite of the long trace into a structure sized to that difficulty, given the
   question, the trace and the correct answer, ending with ``<answer></answer>``; its
   sampling is the teacher's, with a seed derived per trace.

A judgement that is unusable (no tag, an unknown word, a failed request) falls back to
``moderate``, the middle structure, and records why in ``difficulty_reason``: a wrong
size costs some length, never correctness, since every rewrite is re-verified by the
caller. A failed rewrite request gives no text and the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from factory.backends.base import Backend, Generation, GenerationRequest, RequestFailed
from factory.models.cached_generation import cached_generate
from factory.models.prompting import styled_request
from factory.models.request_cache import RequestCache
from schemas.config import TeacherConfig
from schemas.ids import derive_seed
from schemas.sampling import SamplingParams

Difficulty = Literal["simple", "moderate", "complex"]
DIFFICULTIES: tuple[Difficulty, ...] = ("simple", "moderate", "complex")
FALLBACK_DIFFICULTY: Difficulty = "moderate"
JUDGE_MAX_TOKENS = 32  # "<difficulty>moderate</difficulty>" and a few stray words
_SEED_RANGE = 2**31

_STRUCTURES: dict[str, str] = {
    "simple": (
        "1. Analysis: what the problem asks and the facts that matter.\n"
        "2. Approach: the direct line of reasoning, step by step.\n"
        "3. Summary: the result in one or two sentences."
    ),
    "moderate": (
        "1. Analysis: what the problem asks and the facts that matter.\n"
        "2. Initial approach: a first plan and where it leads.\n"
        "3. Reflection: what in that first plan is weak, incomplete or wrong.\n"
        "4. Improvement: the corrected reasoning, step by step.\n"
        "5. Summary: the result in one or two sentences."
    ),
    "complex": (
        "1. Analysis: what the problem asks and the facts that matter.\n"
        "2. Decomposition: split the problem into sub-problems. For each sub-problem give\n"
        "   - its approach,\n"
        "   - a reflection on that approach,\n"
        "   - the improved solution.\n"
        "3. Integration: combine the sub-problem solutions into one solution.\n"
        "4. Overall reflection: check the combined solution against the problem.\n"
        "5. Summary: the result in one or two sentences."
    ),
}


class RewriteItem(NamedTuple):
    """One long trace to rewrite; ``key`` (e.g. its sha256) seeds its rewrite request."""

    key: str
    question: str
    trace: str
    answer: str


class TeacherRewrite(NamedTuple):
    text: str | None  # the rewrite; None when its request failed
    difficulty: Difficulty
    difficulty_reason: str | None  # why ``difficulty`` is the fallback; None when judged
    error: str | None  # why ``text`` is None


def difficulty_prompt(question: str) -> str:
    return (
        "Judge how hard the problem below is to solve.\n"
        "- simple: a short, direct line of reasoning is enough.\n"
        "- moderate: it needs a plan that is worth checking and correcting once.\n"
        "- complex: it has to be broken into several sub-problems that are solved separately "
        "and then put together.\n\n"
        f"Problem:\n{question}\n\n"
        "Reply with one word, simple, moderate or complex, inside <difficulty></difficulty> "
        "tags, for example <difficulty>moderate</difficulty>."
    )


def rewrite_prompt(question: str, trace: str, answer: str, difficulty: Difficulty) -> str:
    return (
        "Below are a problem, a long and repetitive solution of it, and its correct answer. "
        f"The problem is {difficulty}. Rewrite the solution so that it is concise and "
        "follows exactly this structure:\n"
        f"{_STRUCTURES[difficulty]}\n\n"
        "Keep every step the answer depends on; drop repeated checks, restarts and "
        "hesitation. The reasoning must arrive at the correct answer given below. End with "
        "the answer alone inside <answer></answer> tags, written exactly as the correct "
        "answer is written.\n\n"
        f"Problem:\n{question}\n\nLong solution:\n{trace}\n\nCorrect answer:\n{answer}"
    )


def difficulty_request(question: str, teacher: TeacherConfig) -> GenerationRequest:
    """Greedy and short: the judgement is a single word."""
    params = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=JUDGE_MAX_TOKENS, n=1)
    return styled_request(teacher, difficulty_prompt(question), params)


def rewrite_request(
    item: RewriteItem, difficulty: Difficulty, teacher: TeacherConfig, seed: int
) -> GenerationRequest:
    """The teacher's sampling, one sample, a seed derived from ``seed`` and ``item.key``."""
    base = seed if teacher.sampling.seed is None else teacher.sampling.seed
    derived = derive_seed(base, f"rewrite:{item.key}", 0) % _SEED_RANGE
    params = teacher.sampling.model_copy(update={"seed": derived, "n": 1})
    prompt = rewrite_prompt(item.question, item.trace, item.answer, difficulty)
    return styled_request(teacher, prompt, params)


_DIFFICULTY_TAG = re.compile(r"<difficulty>(.*?)</difficulty>", re.IGNORECASE | re.DOTALL)


def parse_difficulty(text: str) -> tuple[Difficulty, str | None]:
    """The word in the last ``<difficulty>`` tag; else the fallback and why."""
    tags = _DIFFICULTY_TAG.findall(text)
    if not tags:
        return (
            FALLBACK_DIFFICULTY,
            f"no <difficulty></difficulty> tag; assumed {FALLBACK_DIFFICULTY}",
        )
    word = tags[-1].strip().strip(".*").strip().lower()
    for difficulty in DIFFICULTIES:
        if word == difficulty:
            return difficulty, None
    shown = word if len(word) <= 40 else word[:40] + "…"
    return FALLBACK_DIFFICULTY, f"unknown difficulty {shown!r}; assumed {FALLBACK_DIFFICULTY}"


def _judged(result: Generation | RequestFailed) -> tuple[Difficulty, str | None]:
    if isinstance(result, RequestFailed):
        return FALLBACK_DIFFICULTY, f"request failed: {result.error}; assumed {FALLBACK_DIFFICULTY}"
    return parse_difficulty(result.samples[0].text)


def teacher_rewrites(
    items: Sequence[RewriteItem],
    teacher: TeacherConfig,
    seed: int,
    *,
    identity: str,
    cache: RequestCache,
    open_backend: Callable[[], Backend],
) -> list[TeacherRewrite]:
    """Judge, then rewrite, every item, in order.

    ``open_backend`` is called at most once, and only if some request is not cached;
    the caller owns (and closes) what it returns.
    """
    opened: list[Backend] = []

    def backend() -> Backend:
        if not opened:
            opened.append(open_backend())
        return opened[0]

    def generate(requests: list[GenerationRequest], label: str) -> list:
        return cached_generate(
            requests,
            identity=identity,
            chat_template=teacher.chat_template,
            cache=cache,
            open_backend=backend,
            label=label,
        )

    judgements = generate([difficulty_request(i.question, teacher) for i in items], "difficulty")
    judged = [_judged(result) for result in judgements]
    requests = [
        rewrite_request(item, difficulty, teacher, seed)
        for item, (difficulty, _) in zip(items, judged, strict=True)
    ]
    rewrites = []
    for (difficulty, why), result in zip(judged, generate(requests, "rewrite"), strict=True):
        if isinstance(result, RequestFailed):
            rewrites.append(TeacherRewrite(None, difficulty, why, result.error))
        else:
            rewrites.append(TeacherRewrite(result.samples[0].text, difficulty, why, None))
    return rewrites
