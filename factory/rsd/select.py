"""Which RSD traces are kept, as published: per problem, the shortest sample that has one
end-of-thinking marker, ends properly, is at most half student fallback, and whose
answer the verifier accepts."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.config import RSDFilter
from schemas.records import Trace, Verdict

KEPT = "kept: shortest passing sample"


def rejection(trace: Trace, verdict: Verdict, rules: RSDFilter) -> str | None:
    """Why ``trace`` cannot be kept, or None."""
    if rules.require_think_marker and trace.text.count("</think>") != 1:
        return "not exactly one </think>"
    if trace.finish_reason != "stop":
        return f"did not end properly ({trace.finish_reason})"
    fallback = trace.stats.get("fallback_share", 1.0)
    if fallback > rules.max_fallback_share:
        return f"fallback share {fallback:.0%} > {rules.max_fallback_share:.0%}"
    if not verdict.passed:
        return f"answer not verified: {verdict.reason}"
    return None


def select(
    traces: Sequence[Trace], verdicts: Sequence[Verdict], rules: RSDFilter
) -> dict[str, str]:
    """trace_id → the filter's word: KEPT, or why not."""
    verdict_of = {v.trace_id: v for v in verdicts}
    words: dict[str, str] = {}
    best: dict[str, Trace] = {}
    for trace in traces:
        reason = rejection(trace, verdict_of[trace.trace_id], rules)
        words[trace.trace_id] = reason or "passed; a shorter sample was kept"
        shortest = best.get(trace.problem_id)
        if reason is None and (shortest is None or _length(trace) < _length(shortest)):
            best[trace.problem_id] = trace
    for trace in best.values():
        words[trace.trace_id] = KEPT
    return words


def _length(trace: Trace) -> tuple[int, int]:
    return (trace.num_tokens or 0, trace.sample_index)
