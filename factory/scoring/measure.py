"""Verbosity figures of a shard's model traces: counts, first correct answer, judges.

Model-free figures come from ``verbosity.measure``; the first correct answer is the
first candidate answer the task's verifier accepts (``rewrite.answers``), the external
redundancy is the share of tokens after it, and the SBT overthinking score follows
from the step that holds it. RV and CD judge scores are added
when a judge backend is given (cached like every request; garbage → no score, reason).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from factory.backends.base import Backend, Tokenizer
from factory.models.request_cache import RequestCache
from factory.models.usage import UsageMeter
from factory.scoring.answers import external_redundancy, first_correct_answer, task_checker
from factory.scoring.judge import JudgeItem, judge_traces
from factory.scoring.verbosity import (
    TraceVerbosity,
    count_tokens,
    measure,
    overthinking_score,
    step_at,
)
from schemas.records import Problem, Trace


def measure_traces(
    problems: Sequence[Problem],
    traces: Sequence[Trace],
    tokenizer: Tokenizer,
    tokenizer_name: str,
) -> list[TraceVerbosity]:
    problem_of = {p.problem_id: p for p in problems}
    figures = []
    for trace in traces:
        figure = measure(trace.trace_id, trace.text, tokenizer, tokenizer_name)
        span = first_correct_answer(trace.text, task_checker(problem_of[trace.problem_id]))
        if span is not None:
            first_step = step_at(trace.text, span.start) or figure.steps
            figure = figure.model_copy(
                update={
                    "overthinking": round(
                        overthinking_score(first_step, figure.steps, figure.hesitation_share), 6
                    ),
                    "first_correct_token": count_tokens(trace.text[: span.start], tokenizer),
                    "external_redundancy": round(
                        external_redundancy(
                            trace.text, span, lambda text: count_tokens(text, tokenizer)
                        ),
                        6,
                    ),
                }
            )
        figures.append(figure)
    return figures


def add_judge_scores(
    figures: list[TraceVerbosity],
    problems: Sequence[Problem],
    traces: Sequence[Trace],
    *,
    open_backend: Callable[[], Backend],
    cache: RequestCache,
    identity: str,
    chat_template: str | None,
    meter: UsageMeter | None = None,
) -> list[TraceVerbosity]:
    """``figures`` with RV and CD filled in (or a reason where a judge gave no score)."""
    problem_of = {p.problem_id: p for p in problems}
    items = [JudgeItem(question=problem_of[t.problem_id].prompt, trace=t.text) for t in traces]
    scores = {
        kind: judge_traces(
            items, kind, open_backend, cache, identity, chat_template=chat_template, meter=meter
        )
        for kind in ("rv", "cd")
    }
    judged = []
    for index, figure in enumerate(figures):
        rv, cd = scores["rv"][index], scores["cd"][index]
        reasons = [f"{kind}: {r.reason}" for kind, r in (("rv", rv), ("cd", cd)) if r.reason]
        judged.append(
            figure.model_copy(
                update={"rv": rv.score, "cd": cd.score, "judge_reason": "; ".join(reasons) or None}
            )
        )
    return judged
