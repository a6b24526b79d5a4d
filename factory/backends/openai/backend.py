"""``OpenAIBackend``: requests run by a pool of ``concurrency`` threads over the endpoints.

Each thread keeps one keep-alive connection per endpoint; failed attempts are retried
as ``retries`` says, on another endpoint where there is one (see ``endpoints``). Only
the standard library speaks HTTP.

Failures are sorted by who can fix them: a 4xx other than 408/429 (unknown model, bad
credentials, bad request) raises ``FatalBackendError`` at once; a server that stays
down, overloaded or silent raises ``BackendError`` once the retries are spent, which
stops the run (results already yielded are the caller's); a server that answers 200
with a body we cannot use (malformed, truncated, wrong number of choices) gives
``RequestFailed`` for that request only, so the run goes on and a rerun asks again.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from factory.backends.base import (
    Backend,
    BackendError,
    FatalBackendError,
    Generation,
    GenerationRequest,
    RequestFailed,
    ScoreRequest,
    Tokenizer,
    TokenLogprob,
)
from factory.backends.openai.coalesce import Coalescer
from factory.backends.openai.encoding import (
    EXTENSIONS,
    NoPromptLogprobs,
    Unsupported,
    generation_body,
    parse_generation,
    parse_positions,
    parse_prompt_logprobs,
    parse_score,
    positions_body,
    prompt_logprobs_body,
    score_body,
    served_models,
    server_message,
)
from factory.backends.openai.endpoints import Connections, Rotation, Stopped, parse_endpoint
from factory.backends.openai.limits import RateLimit, estimated_tokens
from factory.backends.openai.retries import GaveUp, backoff, describe, retry_after, retryable
from factory.backends.openai.server_tokenizer import ServerTokenizer

T = TypeVar("T")

PREFLIGHT_TIMEOUT_S = 10.0
SCORE_WINDOW_S = 0.01
"""How long a ``score`` call waits for calls from other threads to share its request
(with one endpoint, a batch also waits while the previous one runs: see ``Coalescer``)."""
SCORE_PROMPTS = 64
"""Prompts per scoring request at most."""


class OpenAIBackend(Backend):
    """A model served by one or more OpenAI-compatible base URLs (``http://host:8000/v1``)."""

    score_top_per_position = True
    thread_safe = True

    def __init__(
        self,
        model: str,
        endpoints: Sequence[str],
        *,
        api_key_env: str | None = "OPENAI_API_KEY",
        concurrency: int = 16,
        timeout_s: float = 600.0,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        tokenizer: Tokenizer | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
    ) -> None:
        if isinstance(endpoints, str) or not endpoints:
            raise BackendError(f"model {model}: give a list of one or more endpoint base URLs")
        if concurrency < 1 or timeout_s <= 0 or max_retries < 0 or backoff_s < 0:
            raise BackendError(
                f"model {model}: concurrency must be >= 1, timeout_s > 0, max_retries and "
                "backoff_s >= 0"
            )
        self.name = model
        self._endpoints = [parse_endpoint(url) for url in endpoints]
        self._api_key = (os.environ.get(api_key_env) or None) if api_key_env else None
        self._concurrency = concurrency
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._tokenizer = tokenizer
        self._token_texts: dict[int, str] = {}
        self._rotation = Rotation(len(self._endpoints))
        self._extensions = [True] * len(self._endpoints)
        self._prompt_logprobs = True  # until a server shows it has none: then echo
        self._coalesced_score = Coalescer(
            self._score_by_prompt_logprobs, SCORE_WINDOW_S, len(self._endpoints)
        )
        self._random = random.Random()
        # Calls made on the caller's thread (tokenizer); generate/score bring their own.
        self._connections = Connections(self._endpoints, timeout_s)
        self._closed = threading.Event()
        self._limit = RateLimit(requests_per_minute, tokens_per_minute)

    def __repr__(self) -> str:
        urls = [endpoint.url for endpoint in self._endpoints]
        return f"OpenAIBackend(model={self.name!r}, endpoints={urls!r})"

    # -- Backend interface -------------------------------------------------------------

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        return self._run(list(requests), self._generate_one)

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        """vLLM's ``prompt_logprobs``, with the requests of calls made at about the same
        time from other threads in the same HTTP request; on a server without it (found
        once, then remembered), echoed prompt logprobs, a request each."""
        if not requests:
            return []
        if self._prompt_logprobs:
            try:
                return self._coalesced_score(list(requests))
            except NoPromptLogprobs:
                self._prompt_logprobs = False
        return [[step.logprob for step in steps] for steps in self._score(requests, None)]

    def _score_by_prompt_logprobs(self, requests: list[ScoreRequest]) -> list[list[float]]:
        chunks = [requests[i : i + SCORE_PROMPTS] for i in range(0, len(requests), SCORE_PROMPTS)]
        scored: list[list[list[float]]] = [[] for _ in chunks]
        for index, scores in self._run(chunks, self._prompt_logprobs_one):
            scored[index] = scores
        return [scores for chunk in scored for scores in chunk]

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        """Needs a server that honours vLLM's ``return_tokens_as_token_ids``; token texts
        are the tokenizer's (a local one given to the backend, else the server's).

        The top-k come from one request per ``ScoreRequest`` asking a greedy token at
        each continuation position (``positions_body``); a continuation token outside
        its top-k gets its logprob from an echoed scoring of that request."""
        if k < 0:
            raise BackendError(f"model {self.name}: score_top needs k >= 0, not {k}")
        scored = self._score(requests, k) if k == 0 else self._score_positions(requests, k)
        return [
            [
                self._with_texts(token, step)
                for token, step in zip(r.continuation, steps, strict=True)
            ]
            for r, steps in zip(requests, scored, strict=True)
        ]

    def _score_positions(
        self, requests: Sequence[ScoreRequest], k: int
    ) -> list[list[TokenLogprob]]:
        tops: list[list[tuple[tuple[tuple[int, float], ...], float | None]]] = [
            [] for _ in requests
        ]
        one = functools.partial(self._positions_one, k)
        for index, steps in self._run(list(requests), one):
            tops[index] = steps
        unknown = [i for i, steps in enumerate(tops) if any(lp is None for _, lp in steps)]
        exact = dict(zip(unknown, self._score([requests[i] for i in unknown], None), strict=True))
        return [
            [
                TokenLogprob(
                    token="",
                    token_id=token,
                    logprob=exact[i][position].logprob if logprob is None else logprob,
                    top=tuple(("", value) for _, value in best),
                    top_ids=tuple(token_id for token_id, _ in best),
                )
                for position, (token, (best, logprob)) in enumerate(
                    zip(request.continuation, tops[i], strict=True)
                )
            ]
            for i, request in enumerate(requests)
        ]

    def _with_texts(self, token: int, step: TokenLogprob) -> TokenLogprob:
        """A step parsed from token ids, with the texts of its tokens filled in."""
        ids = step.top_ids or ()
        top = tuple((self._token_text(i), lp) for i, (_, lp) in zip(ids, step.top, strict=True))
        return step.model_copy(update={"token": self._token_text(token), "top": top})

    def _score(self, requests: Sequence[ScoreRequest], k: int | None) -> list[list[TokenLogprob]]:
        results: list[list[TokenLogprob]] = [[] for _ in requests]
        one = functools.partial(self._score_one, k)
        for index, steps in self._run(list(requests), one):
            results[index] = steps
        return results

    def _token_text(self, token_id: int) -> str:
        """One token's text, special tokens kept; looked up once per id."""
        text = self._token_texts.get(token_id)
        if text is None:
            tokenizer = self.tokenizer()
            own = getattr(tokenizer, "token_text", None)
            text = own(token_id) if own is not None else tokenizer.decode([token_id])
            self._token_texts[token_id] = text
        return text

    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = ServerTokenizer(self)
        return self._tokenizer

    def close(self) -> None:
        self._closed.set()
        self._connections.close()

    # -- running requests --------------------------------------------------------------

    def _run(
        self, requests: list, one: Callable[[Any, Connections, threading.Event], T]
    ) -> Iterator[tuple[int, T]]:
        """Yield ``(index, one(request))`` in completion order from a pool of workers.

        At most twice ``concurrency`` requests are queued at a time, so closing the
        generator early has little to cancel; it then stops the workers (their retries
        end, their sockets are shut) and waits for them.
        """
        if self._closed.is_set():
            raise BackendError(f"model {self.name}: the backend is closed")
        stop = threading.Event()
        connections = Connections(self._endpoints, self._timeout_s)
        pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="openai-http")
        pending: dict[Future, int] = {}
        queue = iter(enumerate(requests))

        def refill() -> None:
            while len(pending) < 2 * self._concurrency:
                item = next(queue, None)
                if item is None:
                    return
                pending[pool.submit(one, item[1], connections, stop)] = item[0]

        try:
            refill()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    try:
                        result = future.result()
                    except Stopped:  # close() was called while the requests ran
                        raise BackendError(f"model {self.name}: the backend was closed") from None
                    yield index, result
                refill()
        finally:
            stop.set()
            for future in pending:
                future.cancel()
            connections.close()
            pool.shutdown(wait=True, cancel_futures=True)

    def _generate_one(
        self, request: GenerationRequest, connections: Connections, stop: threading.Event
    ) -> Generation | RequestFailed:
        route, body = generation_body(self.name, request)
        chat = request.messages is not None

        def parse(data: Any) -> Generation:
            return parse_generation(data, request.params, chat)

        try:
            return self._call(route, body, parse, connections, stop)
        except GaveUp as error:
            return RequestFailed(error=str(error))

    def _score_one(
        self,
        k: int | None,
        request: ScoreRequest,
        connections: Connections,
        stop: threading.Event,
    ) -> list[TokenLogprob]:
        body = score_body(self.name, request, k)
        try:
            return self._call(
                "/completions", body, lambda data: parse_score(data, request, k), connections, stop
            )
        except GaveUp as error:
            raise BackendError(f"model {self.name}: cannot score: {error}") from None

    def _prompt_logprobs_one(
        self, requests: list[ScoreRequest], connections: Connections, stop: threading.Event
    ) -> list[list[float]]:
        body = prompt_logprobs_body(self.name, requests)
        try:
            return self._call(
                "/completions",
                body,
                lambda data: parse_prompt_logprobs(data, requests),
                connections,
                stop,
            )
        except GaveUp as error:
            raise BackendError(f"model {self.name}: cannot score: {error}") from None

    def _positions_one(
        self,
        k: int,
        request: ScoreRequest,
        connections: Connections,
        stop: threading.Event,
    ) -> list[tuple[tuple[tuple[int, float], ...], float | None]]:
        if not request.continuation:
            return []
        body = positions_body(self.name, request, k)
        try:
            return self._call(
                "/completions",
                body,
                lambda data: parse_positions(data, request, k),
                connections,
                stop,
            )
        except GaveUp as error:
            raise BackendError(f"model {self.name}: cannot score: {error}") from None

    def _call(
        self,
        route: str,
        body: dict[str, Any],
        parse: Callable[[Any], T],
        connections: Connections,
        stop: threading.Event,
        *,
        at_root: bool = False,
        method: str = "POST",
    ) -> T:
        """Send one request, with retries.

        Raises ``FatalBackendError`` for a 4xx no retry fixes, ``BackendError`` once
        retries on an unreachable, failing or silent server are spent, ``GaveUp`` once
        they are spent on malformed bodies.
        """
        failed: set[int] = set()
        attempts, delay, last, malformed = 0, 0.0, "", False
        while attempts <= self._max_retries:
            if attempts and (stop.wait(delay) or self._closed.is_set()):
                raise Stopped
            if stop.is_set():
                raise Stopped
            if not at_root and not self._limit.acquire(estimated_tokens(body), stop):
                raise Stopped
            attempts += 1
            delay = backoff(attempts, self._backoff_s, self._random)
            index = self._rotation.pick(failed)
            endpoint = self._endpoints[index]
            extensions = not at_root and method == "POST" and self._extensions[index]
            payload = {**body, **EXTENSIONS} if extensions else body
            path = (endpoint.root_path if at_root else endpoint.api_path) + route
            try:
                status, wait_s, raw = self._send(connections, index, method, path, payload)
            except http.client.IncompleteRead as error:
                failed.add(index)
                last, malformed = f"{endpoint.url}: truncated body ({error})", True
                continue
            except (OSError, http.client.HTTPException) as error:
                if stop.is_set() or self._closed.is_set():
                    raise Stopped from None
                failed.add(index)
                self._rotation.health(index, ok=False)
                last, malformed = f"{endpoint.url}: {describe(error, self._timeout_s)}", False
                delay = self._rotation.retry_delay(failed, delay)
                continue
            finally:
                self._rotation.release(index)
            self._rotation.health(index, ok=status < 500)
            if status == 200:
                try:
                    return parse(json.loads(raw))
                except Unsupported as error:
                    raise BackendError(f"model {self.name} at {endpoint.url}: {error}") from None
                except ValueError as error:  # JSON, shape and pydantic errors alike
                    failed.add(index)
                    last, malformed = f"{endpoint.url}: malformed response: {error}", True
                    continue
            message = self._redact(server_message(raw))
            if retryable(status):
                failed.add(index)
                last, malformed = f"{endpoint.url}: HTTP {status}: {message}", False
                delay = wait_s if wait_s is not None else delay
                delay = self._rotation.retry_delay(failed, delay)
                continue
            if extensions and status in (400, 422) and "return_token_ids" in message:
                self._extensions[index] = False
                attempts, delay = attempts - 1, 0.0
                continue
            if status in (400, 422) and "prompt_logprobs" in body and "prompt_logprobs" in message:
                raise NoPromptLogprobs(message)
            raise FatalBackendError(
                f"model {self.name} at {endpoint.url}: HTTP {status}: {message}"
            )
        if malformed:
            raise GaveUp(f"gave up after {attempts} attempts; last error: {last}")
        tried = ", ".join(self._endpoints[i].url for i in sorted(failed))
        raise BackendError(
            f"model {self.name}: no usable answer from {tried} after {attempts} attempts; "
            f"last error: {last}"
        )

    def _send(
        self,
        connections: Connections,
        index: int,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> tuple[int, float | None, bytes]:
        headers = {"Accept": "application/json"}
        payload = None
        if method == "POST":
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        for fresh in (False, True):
            connection = connections.get(index)
            reused = connection.sock is not None
            try:
                connection.request(method, path, payload, headers)
                response = connection.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connections.drop(index)
                if fresh or not reused:
                    raise
                # A kept-alive connection the server closed while idle: not a failure.
                continue
            except BaseException:
                connections.drop(index)
                raise
            if response.will_close:
                connections.drop(index)
            return response.status, retry_after(response.getheader("Retry-After")), raw
        raise AssertionError("unreachable")

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[api key]") if self._api_key else text

    def check_served(self, timeout_s: float = PREFLIGHT_TIMEOUT_S) -> list[str]:
        """Ask every endpoint's ``/models`` once: raise ``FatalBackendError`` when none
        answers, or one answers without serving this model, or refuses the credentials;
        return a warning per endpoint that did not answer while others did."""
        connections = Connections(self._endpoints, min(timeout_s, self._timeout_s))
        down: list[str] = []
        try:
            for index, endpoint in enumerate(self._endpoints):
                path = endpoint.api_path + "/models"
                try:
                    status, _, raw = self._send(connections, index, "GET", path, None)
                except (OSError, http.client.HTTPException) as error:
                    down.append(f"{endpoint.url}: {describe(error, timeout_s)}")
                    continue
                if status != 200 and retryable(status):
                    down.append(f"{endpoint.url}: HTTP {status}: {server_message(raw)[:200]}")
                    continue
                self._check_models(endpoint.url, status, raw)
        finally:
            connections.close()
        if len(down) == len(self._endpoints):
            raise FatalBackendError(f"model {self.name}: no endpoint answers: {'; '.join(down)}")
        return [f"model {self.name}: endpoint down at start, {line}" for line in down]

    def _check_models(self, url: str, status: int, raw: bytes) -> None:
        where = f"model {self.name} at {url}"
        if status in (401, 403):
            message = self._redact(server_message(raw))
            raise FatalBackendError(f"{where}: HTTP {status} (credentials refused): {message}")
        if status != 200:
            message = self._redact(server_message(raw))
            raise FatalBackendError(f"{where}: GET /models answered HTTP {status}: {message}")
        try:
            served = served_models(json.loads(raw))
        except ValueError as error:
            raise FatalBackendError(f"{where}: unreadable /models answer: {error}") from None
        if self.name not in served:
            names = ", ".join(served[:10]) or "none"
            raise FatalBackendError(f"{where}: the server does not serve it (it serves: {names})")

    def call_here(self, route: str, body: dict[str, Any], parse: Callable[[Any], T]) -> T:
        """A request at the server root on the caller's thread (the tokenizer's)."""
        if self._closed.is_set():
            raise BackendError(f"model {self.name}: the backend is closed")
        try:
            return self._call(route, body, parse, self._connections, self._closed, at_root=True)
        except GaveUp as error:
            raise BackendError(f"model {self.name}: {route}: {error}") from None
        except Stopped:
            raise BackendError(f"model {self.name}: the backend is closed") from None
