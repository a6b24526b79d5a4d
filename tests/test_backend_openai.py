"""The OpenAI-compatible HTTP backend against a real `vllm serve` of the tiny model.

Faults are injected by a small threaded HTTP proxy in front of the real server: it fails
the first requests in a chosen way (503, 429, a stall, a malformed or truncated 200),
then forwards, and counts what it saw.
"""

from __future__ import annotations

import http.client
import json
import math
import signal
import socket
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from factory.backends.base import (
    BackendError,
    Generation,
    GenerationRequest,
    Message,
    RequestFailed,
    SamplingParams,
    ScoreRequest,
)
from factory.backends.hf_tokenizer import load_hf_tokenizer
from factory.backends.openai import DOWN_AFTER, OpenAIBackend
from tests.model_fixtures import free_port, start_vllm_server

pytestmark = pytest.mark.models

PROMPT = "Knights always tell the truth. Who is a knave?"
MESSAGES = (Message(role="system", content="Think first."), Message(role="user", content=PROMPT))
SEEDED = SamplingParams(max_tokens=8, temperature=1.0, seed=11)
VLLM_FIELDS = {"return_token_ids", "prompt_logprobs"}
"""Request fields a ``strict`` proxy rejects, as OpenAI does."""
FAST = {"api_key_env": None, "backoff_s": 0.01, "timeout_s": 1.0, "max_retries": 3}


class FaultProxy:
    """Forwards to ``upstream_port`` after failing the first ``len(faults)`` requests.

    A fault is one of "503", "429" (Retry-After: ``retry_after``), "500", "stall" (no
    answer for ``stall_s``), "malformed" (a 200 that is not JSON), "truncated" (a 200 cut
    short) or "401" (echoes the Authorization header, as careless servers do);
    ``always`` fails every request that way. Forwarded requests can be made to look like
    another server's: ``strict`` rejects vLLM's extra fields (:data:`VLLM_FIELDS`) with a
    400 as OpenAI does,
    ``strip_ids`` removes the token ids from answers, ``ignore`` drops the named request
    fields (as servers that ignore what they do not know do), ``hang_up`` closes each
    connection after answering without saying so (as servers with short keep-alive
    timeouts do). ``kill()`` makes it behave like a crashed node: new connections are
    refused and requests on open ones get the connection dropped without an answer.
    """

    def __init__(
        self,
        upstream_port: int,
        faults: Sequence[str] = (),
        *,
        always: str | None = None,
        retry_after: str = "0",
        stall_s: float = 2.0,
        strict: bool = False,
        strip_ids: bool = False,
        ignore: Sequence[str] = (),
        hang_up: bool = False,
    ) -> None:
        self.hits: list[float] = []
        self.paths: list[str] = []
        self.authorization: list[str | None] = []
        self.bodies: list[dict] = []
        self.clients: set[tuple[str, int]] = set()
        self.dead = False
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy.dead:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                with proxy._lock:
                    proxy.hits.append(time.monotonic())
                    proxy.authorization.append(self.headers.get("Authorization"))
                    proxy.bodies.append(json.loads(body))
                    proxy.paths.append(self.path)
                    proxy.clients.add(self.client_address)
                    hit = len(proxy.hits)
                fault = always or (faults[hit - 1] if hit <= len(faults) else None)
                if fault == "stall":
                    time.sleep(stall_s)
                    fault = "503"
                if fault == "503":
                    self.reply(503, b'{"error": {"message": "overloaded"}}')
                elif fault == "500":
                    self.reply(500, b'{"error": {"message": "internal error"}}')
                elif fault == "429":
                    self.reply(429, b'{"error": {"message": "slow down"}}', retry_after)
                elif fault == "401":
                    message = f"Incorrect API key provided: {self.headers.get('Authorization')}"
                    self.reply(401, json.dumps({"error": {"message": message}}).encode())
                elif fault == "malformed":
                    self.reply(200, b"<html>not json</html>")
                elif fault == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'{"choices": [')
                    self.close_connection = True
                elif strict and (unknown := VLLM_FIELDS & proxy.bodies[-1].keys()):
                    message = f"Unrecognized request argument supplied: {min(unknown)}"
                    self.reply(400, json.dumps({"error": {"message": message}}).encode())
                else:
                    self.forward(body)
                if hang_up:
                    self.close_connection = True

            def forward(self, body: bytes) -> None:
                if ignore:
                    fields = {k: v for k, v in json.loads(body).items() if k not in ignore}
                    body = json.dumps(fields).encode()
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {"Content-Type": "application/json"}
                upstream.request("POST", self.path, body, headers)
                response = upstream.getresponse()
                answer = response.read()
                if strip_ids and response.status == 200:
                    data = json.loads(answer)
                    for choice in data["choices"]:
                        choice.pop("token_ids")
                    answer = json.dumps(data).encode()
                self.reply(response.status, answer)
                upstream.close()

            def reply(self, status: int, body: bytes, retry_after: str | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (stall)
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def kill(self) -> None:
        self.dead = True
        self._server.shutdown()
        self._server.server_close()

    def close(self) -> None:
        if not self.dead:
            self.kill()


@pytest.fixture
def model(vllm_server, tiny_model_dir) -> str:
    return str(tiny_model_dir)


@pytest.fixture
def proxy(vllm_server):
    """Makes fault proxies in front of the shared server; shuts them at teardown."""
    made: list[FaultProxy] = []

    def make(faults: Sequence[str] = (), **options: Any) -> FaultProxy:
        made.append(FaultProxy(vllm_server.port, faults, **options))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def connect(model):
    """Makes backends of the tiny model (fast retries by default); closes them at teardown."""
    made: list[OpenAIBackend] = []

    def make(urls: Sequence[str], name: str = model, **options: Any) -> OpenAIBackend:
        made.append(OpenAIBackend(name, urls, **{**FAST, **options}))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def backend(model, vllm_server):
    with OpenAIBackend(model, [vllm_server.base_url], api_key_env=None, concurrency=4) as backend:
        yield backend


def one(backend: OpenAIBackend, request: GenerationRequest) -> Generation | RequestFailed:
    results = list(backend.generate([request]))
    assert [index for index, _ in results] == [0]
    return results[0][1]


def test_completions_and_chat_return_n_samples_with_counts_and_logprobs(backend):
    params = SamplingParams(max_tokens=8, temperature=1.0, seed=3, n=3, logprobs=2)
    requests = [
        GenerationRequest(prompt=PROMPT, params=params),
        GenerationRequest(messages=MESSAGES, params=params),
        GenerationRequest(prompt=PROMPT, params=params),  # the seed repeats the first
        GenerationRequest(messages=MESSAGES, params=SamplingParams(max_tokens=4, n=2)),
    ]
    results = dict(backend.generate(requests))
    assert sorted(results) == [0, 1, 2, 3]
    tokenizer = backend.tokenizer()
    assert results[0].prompt_tokens == len(tokenizer.encode(PROMPT))
    chat_prompt = tokenizer.encode(tokenizer.apply_chat_template(MESSAGES))
    assert results[1].prompt_tokens == len(chat_prompt)
    for index, generation in results.items():
        assert isinstance(generation, Generation)
        assert len(generation.samples) == requests[index].params.n
        for sample in generation.samples:
            assert sample.finish_reason in ("stop", "length")
            assert 1 <= sample.num_tokens <= requests[index].params.max_tokens
            assert sample.token_ids is not None and len(sample.token_ids) == sample.num_tokens
            if sample.finish_reason == "length":
                assert sample.num_tokens == requests[index].params.max_tokens
            if index == 3:
                assert sample.logprobs is None
                continue
            assert sample.logprobs is not None and len(sample.logprobs) == sample.num_tokens
            for step, token_id in zip(sample.logprobs, sample.token_ids, strict=True):
                assert step.token_id == token_id and math.isfinite(step.logprob)
                assert 1 <= len(step.top) <= 2
                assert [lp for _, lp in step.top] == sorted(
                    (lp for _, lp in step.top), reverse=True
                )
    assert [s.text for s in results[2].samples] == [s.text for s in results[0].samples]
    assert len({s.token_ids for s in results[0].samples}) > 1, "n samples should differ"


def test_server_tokenizer_matches_the_local_tokenizer(backend, model, vllm_server):
    local = load_hf_tokenizer(model, model)
    server = backend.tokenizer()
    assert server.encode(PROMPT) == local.encode(PROMPT)
    assert server.decode(local.encode(PROMPT)) == PROMPT
    assert server.apply_chat_template(MESSAGES) == local.apply_chat_template(MESSAGES)
    assert OpenAIBackend(model, ["http://x/v1"], tokenizer=local).tokenizer() is local

    elsewhere = f"http://127.0.0.1:{vllm_server.port}/elsewhere/v1"  # no /elsewhere/tokenize
    with pytest.raises(BackendError, match="needs vLLM's /tokenize") as caught:
        OpenAIBackend(model, [elsewhere], api_key_env=None).tokenizer().encode(PROMPT)
    assert elsewhere in str(caught.value) and model in str(caught.value)


def test_score_equals_the_logprobs_of_generation(backend):
    params = SamplingParams(max_tokens=10, temperature=0.8, seed=5, logprobs=0)
    sample = one(backend, GenerationRequest(prompt=PROMPT, params=params)).samples[0]
    prefix = tuple(backend.tokenizer().encode(PROMPT))
    [scores] = backend.score([ScoreRequest(prefix=prefix, continuation=sample.token_ids)])
    assert len(scores) == len(sample.token_ids)
    assert all(math.isfinite(score) for score in scores)
    generated = [step.logprob for step in sample.logprobs]
    assert scores == pytest.approx(generated, abs=1e-3)
    # Scores depend on the prefix: a different one gives different numbers.
    [other] = backend.score([ScoreRequest(prefix=prefix[1:], continuation=sample.token_ids)])
    assert other != pytest.approx(scores, abs=1e-3)


def scoring_requests(backend: OpenAIBackend, count: int) -> list[ScoreRequest]:
    """Continuations of different lengths after different prefixes."""
    prefix = tuple(backend.tokenizer().encode(PROMPT))
    return [
        ScoreRequest(prefix=prefix[: len(prefix) - i], continuation=prefix[-3:] + (i + 5,) * i)
        for i in range(count)
    ]


def same_scores(scores: list[list[float]], expected: list[list[float]]) -> bool:
    """The same logprobs per request, up to float32 noise from batching."""
    return len(scores) == len(expected) and all(
        got == pytest.approx(want, abs=1e-5) for got, want in zip(scores, expected, strict=True)
    )


def test_scores_come_from_prompt_logprobs_in_one_request_for_concurrent_calls(
    backend, proxy, connect
):
    requests = scoring_requests(backend, 6)
    echo = connect([proxy(ignore=("prompt_logprobs",)).url])
    expected = echo.score(requests)  # found to lack prompt_logprobs: echoed, a request each
    forward = proxy()
    batched = connect([forward.url])
    assert same_scores(batched.score(requests), expected)
    [body] = forward.bodies
    assert body["prompt_logprobs"] == 0 and "echo" not in body and "logprobs" not in body
    assert body["prompt"] == [[*r.prefix, *r.continuation] for r in requests]

    # Calls from several threads at about the same time share requests, each caller
    # getting its own scores.
    start, answers = threading.Barrier(len(requests)), {}

    def call(index: int) -> None:
        start.wait()
        answers[index] = batched.score([requests[index]])[0]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert same_scores([answers[i] for i in range(len(requests))], expected)
    asked = forward.bodies[1:]
    assert len(asked) < len(requests)
    assert sorted(p for body in asked for p in body["prompt"]) == sorted(body["prompt"])


@pytest.mark.parametrize("server", ["ignores", "rejects"])
def test_scoring_falls_back_to_echo_on_a_server_without_prompt_logprobs(
    backend, proxy, connect, server
):
    requests = scoring_requests(backend, 3)
    expected = backend.score(requests)
    other = proxy(ignore=("prompt_logprobs",)) if server == "ignores" else proxy(strict=True)
    fallback = connect([other.url], max_retries=0)
    assert same_scores(fallback.score(requests), expected)
    assert same_scores(fallback.score(requests[:1]), expected[:1])
    assert "prompt_logprobs" in other.bodies[0]
    assert not any("prompt_logprobs" in body for body in other.bodies[1:]), "found once"
    rejected = server == "rejects"  # the echo's return_token_ids, too
    answered = [b for b in other.bodies[1:] if not (rejected and "return_token_ids" in b)]
    assert all(body["echo"] for body in answered)
    assert len(answered) == len(requests) + 1, "echoed, a request each, from then on"


@pytest.mark.parametrize(
    "faults",
    [["503", "503"], ["429", "429"], ["stall"], ["malformed", "truncated"], ["500", "malformed"]],
)
def test_retries_get_through_injected_faults(backend, proxy, connect, faults):
    expected = one(backend, GenerationRequest(prompt=PROMPT, params=SEEDED))
    faulty = proxy(faults, retry_after="0.3")
    assert one(connect([faulty.url]), GenerationRequest(prompt=PROMPT, params=SEEDED)) == expected
    assert len(faulty.hits) == len(faults) + 1
    if faults[0] == "429":  # Retry-After is honoured, not just the 10 ms backoff
        gaps = [b - a for a, b in zip(faulty.hits, faulty.hits[1:], strict=False)]
        assert min(gaps) >= 0.25


def test_a_server_that_keeps_failing_stops_the_run_after_the_retries(proxy, connect):
    failing = proxy(always="500")
    with pytest.raises(BackendError) as caught:
        one(connect([failing.url]), GenerationRequest(prompt=PROMPT, params=SEEDED))
    assert failing.url in str(caught.value) and "HTTP 500" in str(caught.value)
    assert len(failing.hits) == FAST["max_retries"] + 1


def test_malformed_answers_fail_the_request_not_the_run(proxy, connect):
    requests = [GenerationRequest(prompt=PROMPT, params=SEEDED)] * 2
    garbled = proxy(always="malformed")
    results = dict(connect([garbled.url]).generate(requests))
    assert sorted(results) == [0, 1]
    for result in results.values():
        assert isinstance(result, RequestFailed)
        assert garbled.url in result.error and "malformed" in result.error
    assert len(garbled.hits) == 2 * (FAST["max_retries"] + 1)


def test_unreachable_endpoint_and_unknown_model_name_what_is_wrong(model, proxy, connect):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendError, match="connection refused") as caught:
        one(connect([url]), GenerationRequest(prompt=PROMPT, params=SEEDED))
    assert url in str(caught.value)

    forward = proxy()
    with pytest.raises(BackendError) as caught:
        one(connect([forward.url], "no-such-model"), GenerationRequest(messages=MESSAGES))
    assert "no-such-model" in str(caught.value) and "404" in str(caught.value)
    assert forward.url in str(caught.value)
    assert len(forward.hits) == 1, "a 4xx is not retried"

    with pytest.raises(BackendError, match="ftp://x"):
        OpenAIBackend(model, ["ftp://x"])


def test_requests_spread_over_endpoints_and_retry_on_another(proxy, connect):
    requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=SEEDED) for i in range(8)]
    first, second = proxy(), proxy()
    both = connect([first.url, second.url], concurrency=4)
    assert all(isinstance(result, Generation) for _, result in both.generate(requests))
    assert len(first.hits) > 0 and len(second.hits) > 0
    assert len(first.hits) + len(second.hits) == len(requests)

    down, up = proxy(always="503"), proxy()
    both = connect([down.url, up.url], concurrency=4)
    assert all(isinstance(result, Generation) for _, result in both.generate(requests))
    # Each request tried the failing endpoint at most once, then went to the other.
    assert 1 <= len(down.hits) <= len(requests)
    assert len(up.hits) == len(requests)


def test_a_failing_endpoint_is_taken_out_of_rotation(proxy, connect):
    requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=SEEDED) for i in range(30)]
    down, up = proxy(always="503"), proxy()
    both = connect([down.url, up.url], concurrency=4, max_retries=1)
    assert all(isinstance(result, Generation) for _, result in both.generate(requests))
    # Skipped after DOWN_AFTER failures in a row (plus what was in flight by then).
    assert len(down.hits) <= DOWN_AFTER + 4
    assert len(up.hits) == len(requests)


def test_work_of_an_endpoint_that_dies_mid_run_is_resent_elsewhere(proxy, connect):
    params = SamplingParams(max_tokens=16, temperature=1.0, seed=3)
    requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=params) for i in range(40)]
    doomed, survivor = proxy(), proxy()
    both = connect([doomed.url, survivor.url], concurrency=4, max_retries=2)
    received: dict[int, Generation | RequestFailed] = {}
    for index, result in both.generate(requests):
        received[index] = result
        if len(received) == 6:
            doomed.kill()
    assert sorted(received) == list(range(len(requests)))
    assert all(isinstance(result, Generation) for result in received.values())
    assert len(survivor.hits) >= len(requests) - 6
    alone = connect([survivor.url])
    again = dict(alone.generate(requests[30:]))
    assert [again[i].samples[0].text for i in range(10)] == [
        received[30 + i].samples[0].text for i in range(10)
    ]


def test_closing_the_generator_early_cancels_the_rest(proxy, connect):
    requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=SEEDED) for i in range(20)]
    forward = proxy()
    results = connect([forward.url], concurrency=2).generate(requests)
    _, first = next(results)
    results.close()
    assert isinstance(first, Generation)
    assert not [t for t in threading.enumerate() if t.name.startswith("openai-http")]
    done = len(forward.hits)
    time.sleep(0.3)
    assert len(forward.hits) == done < len(requests)


def test_a_server_killed_mid_run_raises_after_the_finished_results(model, connect, tmp_path):
    server = start_vllm_server(model, tmp_path / "vllm.log")
    try:
        params = SamplingParams(max_tokens=64, temperature=1.0, seed=1)
        requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=params) for i in range(40)]
        backend = connect([server.base_url], concurrency=2, timeout_s=5.0, max_retries=2)
        received, killed = [], None
        with pytest.raises(BackendError) as caught:
            for index, result in backend.generate(requests):
                received.append((index, result))
                if len(received) == 3:
                    server.stop(signal.SIGKILL)
                    killed = time.monotonic()
        assert killed is not None and time.monotonic() - killed < 30
    finally:
        server.stop(signal.SIGKILL)
    assert server.base_url in str(caught.value)
    assert 3 <= len(received) < len(requests)
    assert len({index for index, _ in received}) == len(received)
    for _, result in received:
        assert isinstance(result, Generation) and result.samples[0].num_tokens >= 1


def test_api_key_is_sent_but_never_shown(proxy, connect, monkeypatch):
    key = "sk-test-5ecret-k3y"
    monkeypatch.setenv("FACTORY_TEST_OPENAI_KEY", key)
    flaky = proxy(["500"])
    backend = connect([flaky.url], api_key_env="FACTORY_TEST_OPENAI_KEY")
    assert isinstance(one(backend, GenerationRequest(prompt=PROMPT, params=SEEDED)), Generation)
    assert flaky.authorization == [f"Bearer {key}"] * 2
    assert key not in repr(backend)

    for always in ("401", "500"):
        failing = proxy(always=always)
        backend = connect([failing.url], api_key_env="FACTORY_TEST_OPENAI_KEY")
        with pytest.raises(BackendError) as caught:
            one(backend, GenerationRequest(prompt=PROMPT, params=SEEDED))
        message = str(caught.value)
        assert failing.url in message and key not in message
        if always == "401":  # the server's own words, with the key blanked out
            assert "Incorrect API key provided: Bearer [api key]" in message
            assert len(failing.hits) == 1


def test_keep_alive_and_servers_without_vllm_extensions(backend, proxy, connect):
    requests = [GenerationRequest(prompt=f"{PROMPT} {i}", params=SEEDED) for i in range(6)]
    forward = proxy()
    two_threads = connect([forward.url], concurrency=2)
    assert all(isinstance(r, Generation) for _, r in two_threads.generate(requests))
    assert len(forward.clients) <= 2, "one keep-alive connection per thread"

    # A server that drops idle connections: the stale one is replaced, not counted as a try.
    hanging = proxy(hang_up=True)
    sequential = connect([hanging.url], concurrency=1, max_retries=0)
    assert all(isinstance(r, Generation) for _, r in sequential.generate(requests))
    assert len(hanging.hits) == len(requests)

    # A server that rejects `return_token_ids` gets each request without it from then on.
    strict = proxy(strict=True)
    plain = connect([strict.url], max_retries=0)
    results = [result for _, result in plain.generate(requests[:1])]
    results += [result for _, result in plain.generate(requests[1:2])]
    assert all(isinstance(r, Generation) and r.samples[0].token_ids is None for r in results)
    assert ["return_token_ids" in body for body in strict.bodies] == [True, False, False]
    assert [s.text for s in results[0].samples] == [
        s.text for s in one(backend, requests[0]).samples
    ]


def test_token_counts_without_token_ids_are_shared_out_from_the_total(backend, proxy, connect):
    params = SamplingParams(max_tokens=12, temperature=1.0, seed=7, n=4, stop=("a",))
    request = GenerationRequest(prompt=PROMPT, params=params)
    exact = one(backend, request)
    assert {s.finish_reason for s in exact.samples} == {"stop", "length"}, "want both kinds"
    stripped = one(connect([proxy(strip_ids=True).url]), request)
    assert [s.text for s in stripped.samples] == [s.text for s in exact.samples]
    counts = [s.num_tokens for s in stripped.samples]
    assert sum(counts) == sum(s.num_tokens for s in exact.samples)
    for got, want in zip(stripped.samples, exact.samples, strict=True):
        if want.finish_reason == "length":
            assert got.num_tokens == want.num_tokens == params.max_tokens


def test_prompt_token_ids_go_to_completions_as_an_id_list(backend, proxy, connect):
    tokenizer = backend.tokenizer()
    chat_ids = tuple(tokenizer.encode(tokenizer.apply_chat_template(MESSAGES)))
    greedy = SamplingParams(max_tokens=8, temperature=0.0, logprobs=2)
    requests = [
        GenerationRequest(messages=MESSAGES, params=greedy),
        GenerationRequest(prompt_token_ids=chat_ids, params=greedy),
        GenerationRequest(prompt=PROMPT, params=greedy),
        GenerationRequest(prompt_token_ids=tuple(tokenizer.encode(PROMPT)), params=greedy),
    ]
    forward = proxy()
    results = dict(connect([forward.url], concurrency=1, timeout_s=60).generate(requests))
    assert results[1].samples[0].token_ids == results[0].samples[0].token_ids
    assert results[3].samples[0].token_ids == results[2].samples[0].token_ids
    assert results[1].prompt_tokens == len(chat_ids)
    steps = results[1].samples[0].logprobs
    assert [step.token_id for step in steps] == list(results[1].samples[0].token_ids)
    # an id prompt gets its top-k as ids too (what an HTTP teacher's RSD drafts need)
    assert all(len(step.top_ids) == 2 and step.top_ids[0] == step.token_id for step in steps)
    assert [step.logprob for step in steps] == pytest.approx(
        [step.logprob for step in results[0].samples[0].logprobs], abs=1e-5
    )
    assert forward.paths == ["/v1/chat/completions"] + ["/v1/completions"] * 3
    assert forward.bodies[1]["prompt"] == list(chat_ids)
    assert forward.bodies[3]["prompt"] == tokenizer.encode(PROMPT)


def test_score_top_gives_token_ids_and_the_tokenizers_texts(backend, model, proxy, connect):
    params = SamplingParams(max_tokens=10, temperature=1.0, seed=8)
    sample = one(backend, GenerationRequest(prompt=PROMPT, params=params)).samples[0]
    greedy = SamplingParams(max_tokens=6, temperature=0.0, logprobs=3)
    best = one(backend, GenerationRequest(prompt=PROMPT, params=greedy)).samples[0]
    prefix = tuple(backend.tokenizer().encode(PROMPT))
    requests = [
        ScoreRequest(prefix=prefix, continuation=sample.token_ids),
        ScoreRequest(prefix=prefix, continuation=best.token_ids),
    ]
    forward = proxy()
    scored = connect([forward.url]).score_top(requests, 3)
    asked = [b for b, path in zip(forward.bodies, forward.paths, strict=True) if "/v1/" in path]
    # one request per ScoreRequest, a prompt per continuation position, not an echo with
    # the top-k of every prompt position; an echo only for a token outside its top-k
    positions = [body for body in asked if isinstance(body["prompt"][0], list)]
    assert sorted(
        (body["return_tokens_as_token_ids"], body["logprobs"], len(body["prompt"]))
        for body in positions
    ) == sorted((True, 3, len(request.continuation)) for request in requests)
    for body in positions:
        assert body["prompt"] == [
            body["prompt"][-1][: len(prefix) + i] for i in range(len(body["prompt"]))
        ]
    fills = [body for body in asked if body not in positions]
    assert all(body["echo"] and body["logprobs"] == 0 for body in fills)
    assert len(fills) == 1, "the sampled continuation strays from the top-3, the greedy one not"
    # Texts come from the server's /detokenize, once per distinct token.
    distinct = {i for steps in scored for step in steps for i in (step.token_id, *step.top_ids)}
    assert forward.paths.count("/detokenize") == len(distinct)
    local = load_hf_tokenizer(model, model)
    plain = backend.score(requests)
    for request, steps, scores in zip(requests, scored, plain, strict=True):
        assert [step.token_id for step in steps] == list(request.continuation)
        assert [step.logprob for step in steps] == pytest.approx(scores, abs=1e-5)
        for step in steps:
            assert len(step.top_ids) == len(set(step.top_ids)) == len(step.top) == 3
            values = [value for _, value in step.top]
            assert values == sorted(values, reverse=True)
            assert step.token == local.token_text(step.token_id)
            assert [text for text, _ in step.top] == [local.token_text(i) for i in step.top_ids]
            if step.token_id not in step.top_ids:
                assert step.logprob <= values[-1] + 1e-6
    # The greedy continuation is the best token everywhere; generating it reported the same
    # top-3 values (texts may differ: vLLM shows a partial UTF-8 byte as "", decode as "�").
    for step, generated in zip(scored[1], best.logprobs, strict=True):
        assert step.top_ids[0] == step.token_id
        assert [v for _, v in step.top] == pytest.approx([v for _, v in generated.top], abs=1e-4)
    assert any(step.top_ids[0] != step.token_id for step in scored[0]), "sampling never strayed"
    # A local tokenizer gives the same texts without asking the server.
    with_local = connect([forward.url], tokenizer=local)
    assert with_local.score_top(requests, 3) == scored
    assert all(s.top == () and s.top_ids == () for s in with_local.score_top(requests, 0)[0])


def test_score_top_needs_a_server_that_returns_token_ids(proxy, connect):
    prefix = (5, 6, 7)
    requests = [ScoreRequest(prefix=prefix, continuation=(8, 9))]
    ignoring = proxy(ignore=("return_tokens_as_token_ids",))
    backend = connect([ignoring.url])
    assert len(backend.score(requests)[0]) == 2
    with pytest.raises(BackendError, match="return_tokens_as_token_ids") as caught:
        backend.score_top(requests, 2)
    assert ignoring.url in str(caught.value)
    assert len(ignoring.hits) == 2, "not retried: the server will not change its answer"
    with pytest.raises(BackendError, match="k >= 0"):
        backend.score_top(requests, -1)


def test_preflight_names_a_dead_endpoint_and_a_model_the_server_does_not_serve(model, vllm_server):
    from factory.backends.base import FatalBackendError

    dead = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(FatalBackendError, match="no endpoint answers") as caught:
        OpenAIBackend(model, [dead], api_key_env=None).check_served()
    assert f"{dead}: connection refused" in str(caught.value)
    # One endpoint down among live ones: a warning naming it, the run may go on.
    both = OpenAIBackend(model, [dead, vllm_server.base_url], api_key_env=None)
    [warning] = both.check_served()
    assert dead in warning and "connection refused" in warning
    wrong = OpenAIBackend("no-such-model", [vllm_server.base_url], api_key_env=None)
    with pytest.raises(FatalBackendError, match="does not serve it") as caught:
        wrong.check_served()
    assert vllm_server.base_url in str(caught.value) and model in str(caught.value)


def test_sampling_options_reach_the_server_and_act(backend, proxy, connect):
    from tests.sampling_options import check_guided_choice, check_sampling_options

    check_sampling_options(backend)
    check_guided_choice(backend)
    seen = proxy()
    params = SamplingParams(
        max_tokens=4,
        top_k=20,
        min_p=0.0,
        presence_penalty=0.5,
        logit_bias={7: -1.5},
        guided={"json_schema": {"type": "object"}},
        extra_body={"ignore_eos": True},
    )
    result = one(connect([seen.url]), GenerationRequest(prompt=PROMPT, params=params))
    assert isinstance(result, Generation)
    body = seen.bodies[-1]
    assert body["top_k"] == 20 and body["min_p"] == 0.0 and body["presence_penalty"] == 0.5
    assert body["logit_bias"] == {"7": -1.5} and body["ignore_eos"] is True
    assert body["response_format"]["json_schema"]["schema"] == {"type": "object"}
    assert result.samples[0].num_tokens == 4, "ignore_eos reached the server"
