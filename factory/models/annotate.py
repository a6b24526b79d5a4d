"""Teacher annotation of one shard: problems → requests → (cache | model) → traces.

Each problem is one request for ``n`` samples. Its seed is derived from the base seed
(``teacher.sampling.seed``, else the build seed) and the problem id, so samples do not
depend on which shard or batch a problem is in.
Cached responses are used as they are; the model is opened only if something is
missing, and every response is cached the moment it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from factory.backends.base import (
    Backend,
    Generation,
    GenerationRequest,
    RequestFailed,
)
from factory.models.cached_generation import cached_generate
from factory.models.prompting import styled_request
from factory.models.request_cache import RequestCache
from factory.models.usage import UsageMeter
from generators.extract import extract_answer
from schemas.config import TeacherConfig
from schemas.ids import derive_seed, trace_id
from schemas.records import Problem, Trace

PRODUCER = "teacher"
_SEED_RANGE = 2**31  # what every backend accepts as a sampling seed


def base_seed(teacher: TeacherConfig, build_seed: int) -> int:
    """``teacher.sampling.seed`` if set, else the build's seed."""
    return build_seed if teacher.sampling.seed is None else teacher.sampling.seed


def teacher_request(problem: Problem, teacher: TeacherConfig, build_seed: int) -> GenerationRequest:
    base = base_seed(teacher, build_seed)
    seed = derive_seed(base, f"teacher:{problem.problem_id}", 0) % _SEED_RANGE
    params = teacher.sampling.model_copy(update={"seed": seed})
    return styled_request(teacher, problem.prompt, params)


def annotate(
    problems: Sequence[Problem],
    teacher: TeacherConfig,
    build_seed: int,
    *,
    identity: str,
    cache: RequestCache,
    open_backend: Callable[[], Backend],
    label: str = "annotate",
    meter: UsageMeter | None = None,
) -> list[Trace]:
    """Traces for every problem, ``teacher.sampling.n`` each, in problem order.

    ``open_backend`` is called only when some request is not cached; the caller owns
    (and closes) the backend it returns.
    """
    requests = [teacher_request(p, teacher, build_seed) for p in problems]
    results = cached_generate(
        requests,
        identity=identity,
        chat_template=teacher.chat_template,
        cache=cache,
        open_backend=open_backend,
        label=label,
        meter=meter,
    )
    return [
        trace
        for problem, request, result in zip(problems, requests, results, strict=True)
        for trace in teacher_traces(problem, request, result, teacher.model, identity)
    ]


def teacher_traces(
    problem: Problem,
    request: GenerationRequest,
    result: Generation | RequestFailed,
    model: str,
    identity: str,
) -> list[Trace]:
    """One Trace per sample; a failed request gives ``n`` traces that record the error."""
    params = request.params.model_dump(mode="json")

    def trace(index: int, **fields: object) -> Trace:
        return Trace(
            trace_id=trace_id(problem.problem_id, PRODUCER, identity, params, index),
            problem_id=problem.problem_id,
            producer=PRODUCER,
            model=model,
            params=params,
            sample_index=index,
            **fields,
        )

    if isinstance(result, RequestFailed):
        return [
            trace(i, text="", finish_reason="error", error=result.error)
            for i in range(request.params.n)
        ]
    traces = []
    for i, sample in enumerate(result.samples):
        extraction = extract_answer(sample.text)
        traces.append(
            trace(
                i,
                text=sample.text,
                thinking=extraction.thinking,
                answer=extraction.answer,
                finish_reason=sample.finish_reason,
                num_tokens=sample.num_tokens,
                prompt_tokens=result.prompt_tokens,
            )
        )
    return traces
