"""The long-trace corpus built from our solvers: deterministic, correct, redundant."""

from __future__ import annotations

import pytest

from factory.rewrite.corpus import CORPUS_TASKS, long_trace_corpus
from factory.scoring.answers import (
    external_redundancy,
    first_correct_answer,
    task_checker,
    whitespace_tokens,
)
from factory.stages import reference_trace
from generators.registry import get_task

MARKERS = ("Wait, ", "Hold on, ", "Hmm, alternatively", "Let me verify", "re-check")


@pytest.fixture(scope="module")
def corpus():
    return long_trace_corpus(200, 3)


def test_deterministic_for_a_seed():
    first = long_trace_corpus(30, 5)
    assert first == long_trace_corpus(30, 5)
    assert long_trace_corpus(10, 5) == first[:10]
    assert [text for _, text in long_trace_corpus(30, 6)] != [text for _, text in first]


def test_every_trace_verifies(corpus):
    for problem, text in corpus:
        verdict = get_task(problem.task).verify(problem, text)
        assert verdict.passed, (problem.task, verdict.reason)


def test_mix_of_tasks_and_forms(corpus):
    assert {problem.task for problem, _ in corpus} == set(CORPUS_TASKS)
    wrapped = sum(text.startswith("<think>\n") for _, text in corpus)
    assert 0.2 * len(corpus) < wrapped < 0.6 * len(corpus)


def test_traces_are_long_with_redundancy_after_the_answer(corpus):
    erds = []
    for problem, text in corpus:
        assert any(marker in text for marker in MARKERS)
        assert len(text) > len(reference_trace(problem).text)
        span = first_correct_answer(text, task_checker(problem))
        assert span is not None
        erds.append(external_redundancy(text, span, whitespace_tokens))
    assert min(erds) > 0.1
    assert sum(erds) / len(erds) > 0.4
