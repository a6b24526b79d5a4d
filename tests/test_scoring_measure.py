"""Verbosity figures of traces: first correct answer and external redundancy (no model)."""

from factory.rewrite.corpus import long_trace_corpus
from factory.scoring.measure import measure_traces
from factory.scoring.verbosity import WHITESPACE, load_named_tokenizer
from schemas.records import Trace


def as_trace(problem, text, index=0):
    return Trace(
        trace_id=f"{problem.problem_id}-{index}",
        problem_id=problem.problem_id,
        producer="teacher",
        text=text,
    )


def test_first_correct_answer_and_external_redundancy_of_long_traces():
    corpus = long_trace_corpus(12, seed=3)
    problems = [problem for problem, _ in corpus]
    traces = [as_trace(problem, text) for problem, text in corpus]
    figures = measure_traces(problems, traces, load_named_tokenizer(None), WHITESPACE)
    for (problem, text), figure in zip(corpus, figures, strict=True):
        words = len(text.split())
        assert figure.tokens == words and figure.steps > 1
        assert figure.first_correct_token is not None
        assert 0 < figure.first_correct_token < words
        assert 0 < figure.external_redundancy < 1, "the corpus re-checks after the answer"
        assert 0 < figure.overthinking <= 1
        assert problem.answer.split()[0] in text


def test_a_trace_without_a_correct_answer_has_no_redundancy_figure():
    problem, text = long_trace_corpus(1, seed=5)[0]
    wrong = as_trace(problem, "Hmm, wait. I think <answer>nobody</answer>")
    figure = measure_traces([problem], [wrong], load_named_tokenizer(None), WHITESPACE)[0]
    assert figure.first_correct_token is None and figure.external_redundancy is None
    assert figure.overthinking is None
    assert figure.hesitation_share == 1.0
