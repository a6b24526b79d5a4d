"""Re-verification at publish: every row's oracle answer and reference trace are checked,
a trace that gives the oracle's answer with one verifier call."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factory.publish.reverify import (
    _ExpectedIds,
    problem_failures,
    reference_failures,
    rows_to_recheck,
)
from generators.base import make_problem
from generators.registry import get_task
from schemas.arrow import canonical_json
from schemas.ids import problem_id
from schemas.records import Problem

SUBSET = "knights_knaves"


@pytest.fixture
def problem() -> Problem:
    task = get_task("knights_knaves")
    return make_problem(task, task.config_for_level(3), 7, 0, 3, SUBSET)


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The answers the task's ``check_answer`` is asked about, in order."""
    task = get_task("knights_knaves")
    asked: list[str] = []
    check = type(task).check_answer

    def counted(self, problem: Problem, answer: str) -> tuple[float, str]:
        asked.append(answer)
        return check(self, problem, answer)

    monkeypatch.setattr(type(task), "check_answer", counted)
    return asked


def test_a_trace_with_the_oracle_answer_is_checked_once(problem, checks):
    trace = f"<think>reasoning</think>\n<answer>\n{problem.answer}\n</answer>"
    assert reference_failures([problem], [trace], [1.0], SUBSET) == []
    assert checks == [problem.answer]


def test_a_trace_with_another_answer_is_checked_on_its_own(problem, checks):
    first, *rest = problem.answer.splitlines()
    swapped = "\n".join([*rest, first])  # the same roles, lines in another order
    assert reference_failures([problem], [f"<answer>{swapped}</answer>"], [1.0], SUBSET) == []
    assert checks == [problem.answer, swapped]


def test_a_wrong_recorded_score_is_refused_even_for_the_oracle_answer(problem, checks):
    failures = reference_failures([problem], [f"<answer>{problem.answer}</answer>"], [0.5], SUBSET)
    assert len(failures) == 1 and "the row says 0.5" in failures[0]


def test_a_trace_without_the_oracle_answer_is_refused(problem, checks):
    wrong = problem.answer.replace("knight", "knave") if "knight" in problem.answer else "x"
    failures = reference_failures([problem], [f"<answer>{wrong}</answer>"], [1.0], SUBSET)
    assert len(failures) == 1 and "reference trace scores 0.0" in failures[0]


def _stored(problem: Problem) -> str:
    """The config as a data file holds it."""
    return canonical_json(problem.config)


@pytest.mark.parametrize("stored", [False, True])
def test_a_row_whose_id_does_not_match_its_content_is_refused(problem, stored):
    other = problem.model_copy(update={"index": problem.index + 1})
    configs = [_stored(other)] if stored else None
    failures = reference_failures(
        [other], [f"<answer>{other.answer}</answer>"], [1.0], SUBSET, configs
    )
    assert failures == [
        f"{problem.problem_id}: problem_id does not match the row's task, knobs, seed and index"
    ]


def test_the_stored_config_is_what_the_id_is_checked_against(problem):
    """Rows of one level share a config; another level's stored text fails the id check."""
    task = get_task("knights_knaves")
    other = make_problem(task, task.config_for_level(4), 7, 1, 4, SUBSET)
    rows = [problem, other, problem]
    traces = [f"<answer>{p.answer}</answer>" for p in rows]
    right = [_stored(p) for p in rows]
    assert reference_failures(rows, traces, [1.0] * 3, SUBSET, right) == []
    swapped = [right[1], right[0], right[0]]
    failures = reference_failures(rows, traces, [1.0] * 3, SUBSET, swapped)
    assert [failure.split(":")[0] for failure in failures] == [problem.problem_id, other.problem_id]


def test_problem_failures_are_the_rows_whose_id_or_oracle_answer_fails(problem):
    """The checks of a row without its trace (made ahead of the publish by a helper)."""
    moved = problem.model_copy(update={"index": problem.index + 1})
    wrong = problem.model_copy(update={"answer": "nobody"})
    rows = [problem, moved, problem, wrong]
    assert problem_failures(rows, SUBSET) == [1, 3]
    failures = reference_failures(
        rows, [f"<answer>{p.answer}</answer>" for p in rows], [1.0] * 4, SUBSET
    )
    assert [f.split(":")[0] for f in failures] == [problem.problem_id] * 2


def test_only_rows_without_their_oracles_verdict_are_rechecked(problem, checks):
    """A trace with the oracle's answer and a recorded 1.0 passes; any other row is looked
    at in full: another answer, another score, or a problem that failed its own checks."""
    first, *rest = problem.answer.splitlines()
    swapped = "\n".join([*rest, first])
    traces = [f"<think>x</think><answer>\n{problem.answer}\n</answer>"] * 3
    traces += [f"<answer>{swapped}</answer>", f"<answer>{problem.answer}</answer>"]
    scores = [1.0, 1.0, 0.5, 1.0, 1.0]
    tasks, answers = [problem.task] * 5, [problem.answer] * 5
    assert rows_to_recheck(tasks, answers, traces, scores, failing={1}) == [1, 2, 3]
    assert checks == []  # no verifier call: the answers are compared as text


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
_CONFIGS = st.dictionaries(st.text(max_size=4), _JSON, max_size=4)
_NAMES = st.sampled_from(["t", 'süd"oku', "nlsat"])


@settings(max_examples=300, deadline=None)
@given(
    subset=_NAMES,
    configs=st.lists(_CONFIGS, min_size=1, max_size=3),
    rows=st.lists(
        st.tuples(
            _NAMES,
            st.sampled_from(["1", "1.2"]),
            st.integers(min_value=0, max_value=2),
            st.integers(min_value=-(2**70), max_value=2**70),
            st.integers(min_value=0, max_value=10**9),
            st.booleans(),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_expected_ids_are_problem_id_of_each_row(subset, configs, rows):
    """Shared per config (stored texts, canonical or not) or not, every row's id is what
    :func:`problem_id` gives it alone."""
    ids = _ExpectedIds(subset)
    for task, version, which, seed, index, canonical in rows:
        config = configs[which % len(configs)]
        row = Problem(
            problem_id="0" * 32,
            task=task,
            generator_version=version,
            seed=seed,
            index=index,
            config=config,
            prompt="p",
            answer="a",
            payload={},
        )
        stored = canonical_json(config) if canonical else json.dumps(config)
        expected = problem_id(task, subset, version, config, seed, index)
        assert ids.of(task, row, stored) == ids.of(task, row, None) == expected
