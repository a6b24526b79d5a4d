"""Every graph task's verifier on hostile answers: only AnswerFormatError, linear time."""

from __future__ import annotations

import time
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators.base import AnswerFormatError, make_problem
from generators.extract import MAX_ANSWER_CHARS
from generators.registry import get_task, task_family, task_names
from schemas.records import Problem

GRAPH_TASKS = [name for name in task_names() if task_family(name) == "graphs"]


@cache
def problem_of(name: str, level: int) -> Problem:
    task = get_task(name)
    return make_problem(task, task.config_for_level(level), 3, 0, level)


def hostile(answer: str) -> list[str]:
    room = MAX_ANSWER_CHARS
    first = answer.split(",")[0].split("=")[0].strip()
    return [
        "9" * room,
        "-" + "9" * (room - 1),
        "1" + "0" * 400 + "/3",
        "١٢٣",
        "２３",
        "²",
        "\ud800\x00\u2028",
        ("," * 5000)[:room],
        (", " + first) * 3000,
        (answer + ", ") * (room // (len(answer) + 2)),
        answer.replace(",", ",,,,;;;;->->"),
        answer + " " * (room - len(answer) - 1) + "x",
        "=" * room,
        f"{first}=" + "9" * 5000,
        f"{first}: " + "9" * 30,
        "yes " * 4000,
        "no",
        "(" * 5000 + answer + ")" * 5000,
        answer.upper(),
        "İ" + answer,
    ]


def outcome(name: str, problem: Problem, text: str) -> float:
    try:
        score, reason = get_task(name).check_answer(problem, text)
    except AnswerFormatError:
        return 0.0
    assert 0.0 <= score <= 1.0 and reason
    return score


@pytest.mark.parametrize("name", GRAPH_TASKS)
def test_hostile_answers_only_format_errors_and_fast(name):
    task = get_task(name)
    for level in (1, 10):
        problem = problem_of(name, level)
        for text in hostile(problem.answer):
            start = time.perf_counter()
            outcome(name, problem, text)
            verdict = task.verify(problem, f"<answer>{text}</answer>")
            assert not verdict.reason.startswith("the verifier failed"), (text[:40], verdict)
            assert time.perf_counter() - start < 0.5, text[:40]


@pytest.mark.parametrize("name", GRAPH_TASKS)
def test_the_reference_answer_survives_harmless_noise(name):
    problem = problem_of(name, 5)
    for text in (problem.answer, f"  {problem.answer}.  ", problem.answer.lower()):
        assert outcome(name, problem, text) == 1.0, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(GRAPH_TASKS),
    level=st.sampled_from([1, 10]),
    noise=st.text(max_size=200),
    cut=st.integers(0, 200),
)
def test_fuzz_never_raises_anything_but_format_errors(name, level, noise, cut):
    problem = problem_of(name, level)
    answer = problem.answer
    for text in (noise, answer[:cut] + noise + answer[cut:], noise.join(answer.split(", "))):
        outcome(name, problem, text)
        assert (
            not get_task(name)
            .verify(problem, f"<answer>{text}</answer>")
            .reason.startswith("the verifier failed")
        )
