"""Publishing re-verifies every row it publishes, from the published bytes themselves.

A row is refused when its ``problem_id`` does not match its content (task, subset,
generator version, knobs, seed, index), its oracle answer or reference trace fails the
task's verifier, or a model trace's recorded verdict differs from the verifier's verdict
now. Stages already verified all of this once; this second look is what keeps a fault
between the stages and the publish (a damaged intermediate, a bug in a join) from ever
reaching a user.

A reference trace whose extracted answer is the oracle answer gets the oracle's verdict
without a second check: the verifier scores the extracted answer alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from factory.errors import BuildError
from generators.base import Task
from generators.extract import final_answer
from generators.registry import get_task
from schemas.ids import problem_id
from schemas.records import Problem

SHOWN = 5


class PublishRefused(BuildError):
    """Some row failed re-verification at publish; nothing was published."""


def refuse_if_any(failures: list[str], what: str) -> None:
    """Raise :class:`PublishRefused` naming the failing problems, if there are any."""
    if failures:
        shown = "; ".join(failures[:SHOWN])
        more = f" (and {len(failures) - SHOWN} more)" if len(failures) > SHOWN else ""
        raise PublishRefused(
            f"refusing to publish {what}: {len(failures)} row(s) fail re-verification: "
            f"{shown}{more}"
        )


def reference_failures(
    problems: list[Problem], traces: list[str], scores: list[float], subset: str
) -> list[str]:
    """``problem_id: why`` for each data row of ``subset`` that does not re-verify, the rows
    given as columns: each row's problem, reference trace and recorded verify score (what a
    data file holds, without a record a row)."""
    failures = []
    for problem, trace, score in zip(problems, traces, scores, strict=True):
        why = _row_problem(problem, trace, score, subset)
        if why is not None:
            failures.append(f"{problem.problem_id}: {why}")
    return failures


def _row_problem(problem: Problem, trace: str, verify_score: float, subset: str) -> str | None:
    task = get_task(problem.task)
    expected_id = problem_id(
        task.name, subset, problem.generator_version, problem.config, problem.seed, problem.index
    )
    if expected_id != problem.problem_id:
        return "problem_id does not match the row's task, knobs, seed and index"
    oracle_text = f"<answer>{problem.answer}</answer>"
    oracle = task.verify(problem, oracle_text)
    if not oracle.passed:
        return f"the oracle answer fails its verifier ({oracle.reason})"
    reference = oracle if _same_answer(task, oracle_text, trace) else task.verify(problem, trace)
    if not reference.passed or reference.score != verify_score:
        return (
            f"the reference trace scores {reference.score} ({reference.reason}), the row says "
            f"{verify_score}"
        )
    return None


def _same_answer(task: Task, first: str, second: str) -> bool:
    """Whether ``task.verify`` must give both texts one verdict: the base ``verify`` scores
    only the extracted answer, so two texts with the same answer need one check."""
    if type(task).verify is not Task.verify:
        return False
    answer = final_answer(first)
    return answer is not None and answer == final_answer(second)


def trace_failures(traces: pa.Table, problems: Iterable[Problem]) -> list[str]:
    """``problem_id/trace_id: why`` for each model trace whose recorded verdict (score,
    passed) is not what the task's verifier says of its text now."""
    problem_of = {p.problem_id: p for p in problems}
    columns = ["problem_id", "trace_id", "text", "verify_score", "passed"]
    errors = traces["error"].to_pylist() if "error" in traces.column_names else None
    failures = []
    for i, row in enumerate(traces.select(columns).to_pylist()):
        problem = problem_of.get(row["problem_id"])
        if problem is None:
            failures.append(f"{row['problem_id']}/{row['trace_id']}: no such problem")
            continue
        failed_request = errors is not None and errors[i] is not None
        task = get_task(problem.task)
        score = 0.0 if failed_request else task.verify(problem, row["text"]).score
        if score != row["verify_score"] or (score >= 1.0) != row["passed"]:
            failures.append(
                f"{row['problem_id']}/{row['trace_id']}: the verifier scores it {score}, the "
                f"row says {row['verify_score']}"
            )
    return failures
