"""RSD over one shard: ``n`` samples per problem through the request cache → Traces.

Samples are decoded many at once (``rsd.in_flight``, see ``factory.rsd.chunked``) and
each (problem, sample) is one cached unit, keyed by both models' identities, the
engine (the sampled one with its draft schedule), the rule's parameters, the prompt
style and the sample's seed; a finished sample is committed at once, so a killed run
resumes with only the missing samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from factory.models.request_cache import RequestCache, content_key
from factory.models.usage import UsageMeter
from factory.progress import Progress
from factory.rsd.chunked import DRAFT_GROWTH
from factory.rsd.decoding import RSDSample
from factory.rsd.runner import RSDRunner, local_tokenizer, prompt_ids
from generators.extract import extract_answer
from schemas.config import RSDConfig
from schemas.ids import derive_seed, trace_id
from schemas.records import Problem, Trace

PRODUCER = "rsd"


def sample_seed(rsd: RSDConfig, build_seed: int, problem: Problem, index: int) -> int:
    base = build_seed if rsd.seed is None else rsd.seed
    return derive_seed(base, f"rsd:{problem.problem_id}", index)


def sample_key(rsd: RSDConfig, identity: str, problem: Problem, seed: int) -> str:
    """The cache key of one sample. The sampled engine's tokens also depend on its draft
    schedule (each round reseeds the teacher), so its key names that schedule: samples
    cached under another one are decoded again."""
    engine = f"sampled/growth={DRAFT_GROWTH}/first=grown" if rsd.engine == "sampled" else rsd.engine
    return content_key(
        {
            "kind": "rsd",
            "models": identity,
            "engine": engine,
            "params": rsd.params.model_dump(mode="json"),
            "chat": rsd.chat,
            "system_prompt": rsd.system_prompt,
            "templates": [rsd.teacher.chat_template, rsd.student.chat_template],
            "prompt": problem.prompt,
            "seed": seed,
        }
    )


def rsd_traces(
    problems: Sequence[Problem],
    rsd: RSDConfig,
    build_seed: int,
    *,
    identity: str,
    cache: RequestCache,
    open_runner: Callable[[], RSDRunner],
    label: str = "rsd",
    meter: UsageMeter | None = None,
) -> list[Trace]:
    """``rsd.n`` traces per problem, in problem then sample order. ``open_runner`` is
    called only if some sample is not cached; the caller owns the runner."""
    units = [
        (problem, index, sample_seed(rsd, build_seed, problem, index))
        for problem in problems
        for index in range(rsd.n)
    ]
    keys = [sample_key(rsd, identity, problem, seed) for problem, _, seed in units]
    done = cache.get_many(keys, RSDSample)
    # The student's tokenizer alone turns ids into text and counts prompt tokens: a
    # cached rerun loads no model.
    student_tokenizer = local_tokenizer(rsd.student, "student")
    prompt_tokens = {
        problem.problem_id: len(prompt_ids(student_tokenizer, rsd, problem.prompt))
        for problem in problems
    }
    prompt_of = {
        key: prompt_tokens[problem.problem_id]
        for (problem, _, _), key in zip(units, keys, strict=True)
    }
    if meter is not None:
        for key, sample in done.items():
            meter.add_sample(prompt_of[key], len(sample.token_ids), cached=True)
    progress = Progress(label, total=len(set(keys)), cached=len(done))
    missing = {
        key: (problem.prompt, seed)
        for (problem, _, seed), key in zip(units, keys, strict=True)
        if key not in done
    }
    if missing:
        runner = open_runner()
        order = list(missing)
        if meter is not None:
            meter.waiting()
        try:
            decoded = runner.decode_many([missing[key] for key in order], rsd.in_flight)
            for index, sample in decoded:
                key = order[index]
                done[key] = sample
                cache.put(key, sample)
                if meter is not None:
                    meter.add_sample(prompt_of[key], len(sample.token_ids), cached=False)
                progress.advance(len(sample.token_ids))
        finally:
            if meter is not None:
                meter.done()
    progress.show()
    return [
        make_trace(
            problem,
            index,
            seed,
            done[key],
            student_tokenizer.decode(done[key].token_ids),
            rsd,
            prompt_tokens[problem.problem_id],
        )
        for (problem, index, seed), key in zip(units, keys, strict=True)
    ]


def make_trace(
    problem: Problem,
    index: int,
    seed: int,
    sample: RSDSample,
    text: str,
    rsd: RSDConfig,
    prompt_tokens: int | None = None,
) -> Trace:
    """``prompt_tokens``: the student's prompt, as its chat template renders it."""
    params = {**rsd.params.model_dump(mode="json"), "engine": rsd.engine, "seed": seed}
    params["teacher"] = rsd.teacher.model
    extraction = extract_answer(text)
    return Trace(
        trace_id=trace_id(problem.problem_id, PRODUCER, rsd.student.model, params, index),
        problem_id=problem.problem_id,
        producer=PRODUCER,
        model=rsd.student.model,
        params=params,
        sample_index=index,
        text=text,
        thinking=extraction.thinking,
        answer=extraction.answer,
        finish_reason=sample.finish_reason,
        num_tokens=len(sample.token_ids),
        prompt_tokens=prompt_tokens,
        provenance=sample.provenance,
        stats={
            "acceptance_rate": round(sample.acceptance_rate, 6),
            "fallback_share": round(sample.fallback_share, 6),
            "teacher_calls": sample.teacher_calls,
            "student_calls": sample.student_calls,
        },
    )
