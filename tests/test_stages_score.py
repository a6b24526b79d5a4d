"""Scoring a shard: one Scores row per problem, joined on ids (never on row order)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factory.stages import SOLVER, reference_steps, score_shard
from schemas.arrow import to_table
from schemas.records import Problem, Scores, Trace, Verdict


def _problem(problem_id: str, level: int | None) -> Problem:
    return Problem(
        problem_id=problem_id,
        task="t",
        generator_version="1",
        seed=0,
        index=0,
        level=level,
        config={},
        prompt="p",
        answer="a",
        payload={},
    )


def _trace(trace_id: str, problem_id: str, text: str, **fields) -> Trace:
    return Trace(trace_id=trace_id, problem_id=problem_id, text=text, **fields)


def test_scores_join_problems_traces_and_verdicts_on_ids():
    problems = [_problem("p1", 3), _problem("p2", None)]
    traces = [
        _trace("t2", "p2", "one line<answer>x</answer>", producer=SOLVER),
        _trace("s1", "p1", "a teacher sample", producer="teacher"),
        _trace(
            "t1",
            "p1",
            "first\n\n  \t\nsecond\r\nthird\n<answer>no</answer> after<answer>x</answer>",
            producer=SOLVER,
            solver_stats={"effort": 7, "search_iterations": 2, "search_nodes": 9},
        ),
    ]
    verdicts = [
        Verdict(problem_id="p1", trace_id="t1", score=1.0, passed=True, reason="ok"),
        Verdict(problem_id="p2", trace_id="t2", score=0.0, passed=False, reason="wrong"),
    ]
    teacher = [
        Verdict(problem_id="p1", trace_id="s1", score=1.0, passed=True, reason="ok"),
        Verdict(problem_id="p1", trace_id="s2", score=0.0, passed=False, reason="wrong"),
    ]
    scores = score_shard(
        to_table(problems, Problem), to_table(traces, Trace), to_table(verdicts, Verdict), teacher
    )
    stats = {"effort": 7, "search_iterations": 2, "search_nodes": 9}
    expected = [
        Scores(
            problem_id="p1",
            task="t",
            level=3,
            solver_effort=7.0,
            solver_stats=stats,
            reference_chars=len(traces[2].text),
            reference_steps=4,  # first, second, third, then the line of the first <answer>
            reference_passed=True,
            samples=2,
            pass_rate=0.5,
            pass_cv=1.0,
            search_iterations=2,
            search_nodes=9,
        ),
        Scores(
            problem_id="p2",
            task="t",
            level=None,
            solver_effort=0.0,
            solver_stats={},
            reference_chars=len(traces[0].text),
            reference_steps=1,
            reference_passed=False,
        ),
    ]
    assert scores == expected
    assert [s.model_fields_set for s in scores] == [set(Scores.model_fields)] * 2
    assert [type(s.solver_effort) for s in scores] == [float, float]


# every line boundary str.splitlines knows, other whitespace, and the answer tag's pieces
_TEXT = st.lists(
    st.sampled_from(
        ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
        + [" ", "\t", "\x1f", "\xa0", "\u3000", "a", "—", "<answer>", "<", "answer>"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_TEXT)
def test_reference_steps_counts_the_non_blank_lines_before_the_last_answer(text):
    reasoning = text.rsplit("<answer>", 1)[0]
    assert reference_steps(text) == sum(1 for line in reasoning.splitlines() if line.strip())
