"""Publishing re-verifies every row it publishes, from the published bytes themselves.

A row is refused when its ``problem_id`` does not match its content (task, subset,
generator version, knobs, seed, index), its oracle answer or reference trace fails the
task's verifier, or a model trace's recorded verdict differs from the verifier's verdict
now. Stages already verified all of this once; this second look is what keeps a fault
between the stages and the publish (a damaged intermediate, a bug in a join) from ever
reaching a user.

A reference trace whose extracted answer is the oracle answer gets the oracle's verdict
without a second check: the verifier scores the extracted answer alone.

The checks of a row's problem alone (:func:`problem_failures`) may have been made ahead, on
the same bytes, by ``factory.publish.checks_ahead``; the publish then checks only what the
traces add (:func:`rows_to_recheck`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

import pyarrow as pa

from factory.errors import BuildError
from generators.base import Task
from generators.extract import final_answer
from generators.registry import get_task
from schemas.arrow import canonical_json
from schemas.ids import Encoded, ProblemKeys, id_of_digest
from schemas.records import Problem, Verdict

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
    problems: list[Problem],
    traces: list[str],
    scores: list[float],
    subset: str,
    configs: list[str] | None = None,
) -> list[str]:
    """``problem_id: why`` for each data row of ``subset`` that does not re-verify, the rows
    given as columns: each row's problem, reference trace and recorded verify score (what a
    data file holds, without a record a row), and optionally its config as stored (the JSON
    text ``problem.config`` was read from; given, each distinct text is encoded once)."""
    failures = []
    checked = _problem_checks(problems, subset, configs)
    for problem, trace, score, (task, why, oracle) in zip(
        problems, traces, scores, checked, strict=True
    ):
        if why is None:
            why = _trace_failure(task, problem, oracle, trace, score)
        if why is not None:
            failures.append(f"{problem.problem_id}: {why}")
    return failures


def problem_failures(
    problems: list[Problem], subset: str, configs: list[str] | None = None
) -> list[int]:
    """The positions of the rows whose problem itself does not re-verify (its id does not
    match its content, or its oracle answer fails its verifier): what
    :func:`reference_failures` checks of a row without its trace."""
    checked = _problem_checks(problems, subset, configs)
    return [i for i, (_, why, _) in enumerate(checked) if why is not None]


def rows_to_recheck(
    tasks: list[str], answers: list[str], traces: list[str], scores: list[float], failing: set[int]
) -> list[int]:
    """The positions of the rows :func:`reference_failures` must look at, where each row's
    problem was re-verified already (``failing``: the rows whose problem did not): all but
    those whose reference trace has its oracle answer and a recorded score of 1.0, which
    pass (the oracle's verdict is the trace's, and a passing verdict scores 1.0)."""
    task_of = cache(get_task)  # get_task makes a new task each call
    recheck = []
    for i, (name, answer, trace, score) in enumerate(
        zip(tasks, answers, traces, scores, strict=True)
    ):
        oracle_text = f"<answer>{answer}</answer>"
        if i in failing or score != 1.0 or not _same_answer(task_of(name), oracle_text, trace):
            recheck.append(i)
    return recheck


def _problem_checks(
    problems: list[Problem], subset: str, configs: list[str] | None
) -> list[tuple[Task, str | None, Verdict | None]]:
    """Per row: its task, why its problem does not re-verify (None where it does) and its
    oracle answer's verdict (None where its id does not match)."""
    ids = _ExpectedIds(subset)
    task_of = cache(get_task)  # get_task makes a new task each call
    stored = [None] * len(problems) if configs is None else configs
    checked: list[tuple[Task, str | None, Verdict | None]] = []
    for problem, config in zip(problems, stored, strict=True):
        task = task_of(problem.task)
        if ids.of(task.name, problem, config) != problem.problem_id:
            why = "problem_id does not match the row's task, knobs, seed and index"
            checked.append((task, why, None))
            continue
        oracle = task.verify(problem, f"<answer>{problem.answer}</answer>")
        why = None if oracle.passed else f"the oracle answer fails its verifier ({oracle.reason})"
        checked.append((task, why, oracle))
    return checked


class _ExpectedIds:
    """The :func:`problem_id` of rows of one subset, recomputed from their content: the
    rows of one (task, version, config), a level's, share the config's canonical JSON and
    the hash state of the id's text before the seed and index (the same bytes hashed)."""

    __slots__ = ("_subset", "_canonical", "_keys")

    def __init__(self, subset: str) -> None:
        self._subset = subset
        self._canonical: dict[str, str] = {}  # stored config text → its canonical JSON
        self._keys: dict[tuple[str, str, str], ProblemKeys] = {}

    def of(self, task: str, problem: Problem, stored_config: str | None) -> str:
        """The id of ``problem`` as task ``task``, its config ``stored_config`` (JSON text)
        where given, else ``problem.config``."""
        if stored_config is None:
            config = canonical_json(problem.config)
        else:
            config = self._canonical_of(stored_config)
        key = (task, problem.generator_version, config)
        keys = self._keys.get(key)
        if keys is None:
            keys = ProblemKeys(task, self._subset, problem.generator_version, Encoded(config))
            self._keys[key] = keys
        return id_of_digest(keys.digest(problem.seed, problem.index))

    def _canonical_of(self, stored: str) -> str:
        config = self._canonical.get(stored)
        if config is None:
            config = self._canonical[stored] = canonical_json(json.loads(stored))
        return config


def _trace_failure(
    task: Task, problem: Problem, oracle: Verdict | None, trace: str, verify_score: float
) -> str | None:
    """Why the row's reference trace does not re-verify, its oracle answer having passed
    with verdict ``oracle``."""
    oracle_text = f"<answer>{problem.answer}</answer>"
    same = oracle is not None and _same_answer(task, oracle_text, trace)
    reference = oracle if same else task.verify(problem, trace)
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
