"""Re-verification at publish: every row's oracle answer and reference trace are checked,
a trace that gives the oracle's answer with one verifier call."""

from __future__ import annotations

import pytest

from factory.publish.reverify import reference_failures
from generators.base import make_problem
from generators.registry import get_task
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
