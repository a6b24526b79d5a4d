"""RV/CD judges: score parsing on crafted answers, plumbing and caching on the tiny model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from factory.backends.base import Backend, Generation, GenerationRequest, RequestFailed
from factory.models.request_cache import RequestCache, request_key
from factory.scoring.judge import (
    JudgeItem,
    JudgeResult,
    judge_prompt,
    judge_request,
    judge_traces,
    parse_score,
)
from tests.backend_wrappers import WrappedBackend

IDENTITY = "vllm:local:tiny"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<score>7</score>", (7, None)),
        ("<score> 0 </score>", (0, None)),
        ("<score>\n9\n</score>", (9, None)),
        ("The trace is long. <SCORE>5</Score>", (5, None)),
        ("<score>3</score> on reflection <score>6</score>", (6, None)),  # the last tag
        ("<score>high</score>", (None, "not an integer: 'high'")),
        ("<score>5</score><score>x</score>", (None, "not an integer: 'x'")),
        ("<score></score>", (None, "not an integer: ''")),
        ("<score>7.5</score>", (None, "not an integer: '7.5'")),
        ("<score>4 or 5</score>", (None, "not an integer: '4 or 5'")),
        ("<score>__import__('os')</score>", (None, "not an integer: \"__import__('os')\"")),
        ("<score>١</score>", (None, "not an integer: '١'")),  # a non-ASCII digit
        ("<score>12</score>", (None, "score 12 outside 0..9")),
        ("<score>-1</score>", (None, "score -1 outside 0..9")),
        ("Score: 7", (None, "no <score></score> tag")),
        ("<score>7", (None, "no <score></score> tag")),
        ("", (None, "no <score></score> tag")),
    ],
)
def test_parse_score(text, expected):
    assert parse_score(text) == expected


def test_a_long_garbage_score_is_shortened_in_the_reason():
    score, reason = parse_score(f"<score>{'x' * 500}</score>")
    assert score is None
    assert reason == f"not an integer: '{'x' * 40}…'"


def test_prompts_carry_the_rubric_the_trace_and_the_tag():
    rv = judge_prompt("rv", "What is 2+2?", "2+2=4. Wait, yes, 4.")
    cd = judge_prompt("cd", "What is 2+2?", "2+2=4.")
    assert "REASONING VERBOSITY" in rv and "8-9: exhaustive" in rv
    assert "COGNITIVE DIFFICULTY" in cd and "8-9: graduate-level" in cd
    for prompt in (rv, cd):
        assert "What is 2+2?" in prompt and "<score></score>" in prompt
    assert "Wait, yes, 4." in rv


def test_requests_are_greedy_and_short():
    item = JudgeItem(question="q", trace="t")
    chat = judge_request("rv", item)
    assert chat.params.temperature == 0.0 and chat.params.n == 1
    assert chat.params.max_tokens == 32
    assert chat.messages[0].role == "user"
    plain = judge_request("cd", item, chat=False, max_tokens=8)
    assert plain.prompt == judge_prompt("cd", "q", "t") and plain.params.max_tokens == 8


def test_an_unknown_kind_is_rejected(tmp_path):
    with RequestCache(tmp_path / "cache") as cache, pytest.raises(ValueError, match="'xx'"):
        judge_traces([], "xx", no_model, cache, IDENTITY)


def no_model() -> Backend:
    raise AssertionError("the model was opened although everything is cached")


class Recording(WrappedBackend):
    """The real backend; remembers what it was asked and fails requests naming ``fail``."""

    def __init__(self, backend: Backend, fail: str | None = None) -> None:
        super().__init__(backend)
        self.fail = fail
        self.asked: list[GenerationRequest] = []

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator:
        self.asked += requests
        passed = [i for i, r in enumerate(requests) if not self._fails(r)]
        for i, request in enumerate(requests):
            if self._fails(request):
                yield i, RequestFailed(error="endpoint said 500 three times")
        if passed:
            for index, result in self.backend.generate([requests[i] for i in passed]):
                yield passed[index], result

    def _fails(self, request: GenerationRequest) -> bool:
        return self.fail is not None and self.fail in request.messages[-1].content


ITEMS = [
    JudgeItem(question="Is Alice a knight?", trace="Assume Alice is a knight. Then ..."),
    JudgeItem(question="Reach 24 from 3 3 8 8.", trace="8 / (3 - 8 / 3) = 24. Wait, check."),
    JudgeItem(question="Is Alice a knight?", trace="Assume Alice is a knight. Then ..."),
]


@pytest.fixture
def cache(tmp_path):
    with RequestCache(tmp_path / "cache") as opened:
        yield opened


@pytest.mark.models
@pytest.mark.parametrize("kind", ["rv", "cd"])
def test_garbage_judgements_are_empty_with_a_reason_and_cached(vllm_backend, cache, kind):
    recording = Recording(vllm_backend)
    results = judge_traces(ITEMS, kind, lambda: recording, cache, IDENTITY, max_tokens=12)
    assert len(recording.asked) == 2  # the repeated item is asked once
    assert all(r.params.temperature == 0.0 and r.params.max_tokens == 12 for r in recording.asked)
    assert len(results) == 3 and results[0] == results[2]
    for item, result in zip(ITEMS, results, strict=True):
        request = judge_request(kind, item, max_tokens=12)
        cached = cache.get_many([request_key(IDENTITY, None, request)])
        (generation,) = cached.values()
        assert isinstance(generation, Generation)
        assert result == parse_score(generation.samples[0].text)
        # a random tiny model does not write a valid <score> tag
        assert result.score is None and result.reason

    again = judge_traces(ITEMS, kind, no_model, cache, IDENTITY, max_tokens=12)
    assert again == results


@pytest.mark.models
def test_a_failed_request_is_empty_with_its_error_and_asked_again(vllm_backend, cache):
    failing = Recording(vllm_backend, fail="3 3 8 8")
    results = judge_traces(ITEMS, "rv", lambda: failing, cache, IDENTITY)
    assert results[1] == JudgeResult(None, "request failed: endpoint said 500 three times")
    assert results[0].reason != results[1].reason

    healthy = Recording(vllm_backend)
    rerun = judge_traces(ITEMS, "rv", lambda: healthy, cache, IDENTITY)
    assert [r.messages[-1].content for r in healthy.asked] == [
        judge_request("rv", ITEMS[1]).messages[-1].content
    ]
    assert rerun[0] == results[0] and rerun[1].reason != results[1].reason


@pytest.mark.models
def test_another_judge_model_misses_the_cache(vllm_backend, cache):
    judge_traces(ITEMS[:1], "cd", lambda: vllm_backend, cache, IDENTITY)
    recording = Recording(vllm_backend)
    judge_traces(ITEMS[:1], "cd", lambda: recording, cache, "vllm:local:other")
    assert len(recording.asked) == 1
    judge_traces(ITEMS[:1], "rv", lambda: recording, cache, IDENTITY)  # the other judge too
    assert len(recording.asked) == 2
