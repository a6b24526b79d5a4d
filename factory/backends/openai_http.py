"""A backend over OpenAI-compatible HTTP servers (vLLM ``serve``, OpenAI, and the like).

Requests are spread over one or more base URLs (least in flight first, round-robin on
ties), run by a pool of ``concurrency`` threads that each keep one keep-alive
connection per endpoint, and are retried with exponential backoff and full jitter (or
after the server's ``Retry-After``) on 408, 429, 5xx but 501, timeouts and connection
errors, on another endpoint where there is one. Only the standard library speaks HTTP.

Several endpoints (e.g. one ``vllm serve`` per GPU node) are used together: an endpoint
that fails :data:`DOWN_AFTER` requests in a row (connection errors, timeouts, 5xx) is
taken out of the rotation for :data:`DOWN_FOR_S` seconds, then tried again; the requests
that failed on it are re-sent at once, without backoff, to endpoints they have not failed
on. Only when every endpoint has failed a request does its retry wait.

Failures are sorted by who can fix them: a 4xx other than 429 (unknown model, bad
request) raises ``BackendError`` at once; a server that stays down, overloaded or silent
raises ``BackendError`` once the retries are spent, which stops the run (results already
yielded are the caller's); a server that answers 200 with a body we cannot use
(malformed, truncated, wrong number of choices) gives ``RequestFailed`` for that request
only, so the run goes on and a rerun asks again.

vLLM extensions: requests carry ``return_token_ids`` so samples get their token ids. A
server that rejects the unknown field with a 400 naming it (OpenAI does) gets the request
again without it, and that endpoint never sees it afterwards. A sample's ``num_tokens`` is
the length of its token ids or logprobs; without either (n > 1 on such a server) the
response's completion total is shared out (see ``_split_tokens``).

A request given as ``prompt_token_ids`` goes to ``/completions`` with the id list as its
prompt (a chat request cannot carry ids).

Scoring sends prefix + continuation as a token-id prompt to ``/completions`` with
``echo`` and ``logprobs: 0`` (the legacy OpenAI way, which vLLM serves) and keeps the
last len(continuation) prompt-token logprobs. ``score_top`` asks for ``logprobs: k`` and
needs token ids, which only a server that honours vLLM's ``return_tokens_as_token_ids``
gives (token strings ``token_id:123``); any other answer raises ``BackendError`` naming
the endpoint. Its token texts come from the tokenizer (see ``OpenAIBackend.tokenizer``).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import http.client
import json
import math
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from factory.backends.base import (
    Backend,
    BackendError,
    Generation,
    GenerationRequest,
    Message,
    RequestFailed,
    Sample,
    SamplingParams,
    ScoreRequest,
    Tokenizer,
    TokenLogprob,
)

T = TypeVar("T")

# The longest pause between attempts, whatever the backoff or a Retry-After asks.
MAX_DELAY_S = 60.0
DOWN_AFTER = 3
"""Failures in a row after which an endpoint is skipped for :data:`DOWN_FOR_S` seconds."""
DOWN_FOR_S = 30.0
EXTENSIONS = {"return_token_ids": True}
TOKEN_ID = re.compile(r"token_id:(\d+)")


class _Malformed(ValueError):
    """A 200 response whose body does not have the shape the request asked for."""


class _Stopped(Exception):
    """The caller stopped waiting (generator closed, backend closed): give up quietly."""


class _GaveUp(Exception):
    """Retries spent on malformed bodies: the request fails, the run goes on."""


class _Unsupported(Exception):
    """A 200 answer showing that the server lacks a feature the request needs."""


@dataclass(frozen=True)
class _Endpoint:
    url: str
    https: bool
    host: str
    port: int | None
    api_path: str  # e.g. "/v1": completions live under it
    root_path: str  # the server root: vLLM's /tokenize and /detokenize live there


def _parse_endpoint(url: str) -> _Endpoint:
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        raise BackendError(
            "an endpoint URL carries credentials; pass the key through `api_key_env` instead"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise BackendError(f"endpoint {url!r} is not an http(s) base URL like http://host:8000/v1")
    api_path = parts.path.rstrip("/")
    root_path = api_path.removesuffix("/v1")
    return _Endpoint(
        url.strip().rstrip("/"), parts.scheme == "https", parts.hostname, port, api_path, root_path
    )


class _Connections:
    """Keep-alive connections, one per (thread, endpoint); ``close`` interrupts their users."""

    def __init__(self, endpoints: Sequence[_Endpoint], timeout_s: float) -> None:
        self._endpoints = endpoints
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []
        self._closed = False

    def get(self, index: int) -> http.client.HTTPConnection:
        mine = self._mine()
        if index in mine:
            return mine[index]
        endpoint = self._endpoints[index]
        kind = http.client.HTTPSConnection if endpoint.https else http.client.HTTPConnection
        connection = kind(endpoint.host, endpoint.port, timeout=self._timeout_s)
        with self._lock:
            if self._closed:
                raise _Stopped
            self._open.append(connection)
        mine[index] = connection
        return connection

    def _mine(self) -> dict[int, http.client.HTTPConnection]:
        if not hasattr(self._local, "by"):
            self._local.by = {}
        return self._local.by

    def drop(self, index: int) -> None:
        connection = self._mine().pop(index, None)
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._open = self._open, []
        for connection in connections:
            # shutdown() wakes a thread blocked reading this socket; close() alone may not.
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()


def _describe(error: BaseException, timeout_s: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no response within {timeout_s:g}s"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    return f"{type(error).__name__}: {error}"


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_DELAY_S) if math.isfinite(seconds) else None


def _server_message(raw: bytes) -> str:
    """The error text of an error body: OpenAI's ``error.message``, FastAPI's ``detail``."""
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:500] or "(empty body)"
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:500]
        for key in ("error", "detail", "message"):
            if data.get(key):
                return str(data[key])[:500]
    return text.strip()[:500]


def _field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise _Malformed(f"{where}: missing or mistyped `{key}`")
    return obj[key]


def _int_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise _Malformed(f"{where}: expected a list of token ids")
    return value


def _top(pairs: list[tuple[T, Any]], k: int) -> tuple[tuple[T, float], ...]:
    """The k best alternatives (token strings or ids), best first (servers add the sampled
    token, unordered)."""
    for token, logprob in pairs:
        if not isinstance(token, str | int) or not isinstance(logprob, int | float):
            raise _Malformed("top logprobs: expected tokens and numbers")
    return tuple(sorted(pairs, key=lambda pair: -pair[1])[:k])


def _completion_logprobs(choice: dict, k: int) -> list[TokenLogprob]:
    logprobs = _field(choice, "logprobs", dict, "choice")
    tokens = _field(logprobs, "tokens", list, "logprobs")
    values = _field(logprobs, "token_logprobs", list, "logprobs")
    tops = logprobs.get("top_logprobs") or [None] * len(tokens)
    if not len(tokens) == len(values) == len(tops):
        raise _Malformed("logprobs: tokens, token_logprobs and top_logprobs differ in length")
    return [
        TokenLogprob(token=token, logprob=value, top=_top(list((top or {}).items()), k))
        for token, value, top in zip(tokens, values, tops, strict=True)
    ]


def _chat_logprobs(choice: dict, k: int) -> list[TokenLogprob]:
    content = _field(_field(choice, "logprobs", dict, "choice"), "content", list, "logprobs")
    steps = []
    for step in content:
        alternatives = _field(step, "top_logprobs", list, "logprobs")
        top = [(t.get("token"), t.get("logprob")) for t in alternatives if isinstance(t, dict)]
        steps.append(
            TokenLogprob(token=step.get("token"), logprob=step.get("logprob"), top=_top(top, k))
        )
    return steps


def _split_tokens(
    total: int, max_tokens: int, texts: list[str], finishes: list[str], counts: list[int | None]
) -> list[int]:
    """Fill unknown per-sample token counts from the response's total.

    Only for servers that give neither token ids nor logprobs: a sample cut at the
    length limit has ``max_tokens``; the tokens left are shared among the others in
    proportion to their characters (largest remainder), exact when only one is left.
    """
    filled = [
        max_tokens if count is None and finish == "length" else count
        for count, finish in zip(counts, finishes, strict=True)
    ]
    unknown = [i for i, count in enumerate(filled) if count is None]
    rest = max(total - sum(count or 0 for count in filled), 0)
    weights = [len(texts[i]) or 1 for i in unknown]
    shares = [rest * weight / sum(weights) for weight in weights]
    floors = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(unknown)), key=lambda j: floors[j] - shares[j])
    for j in by_remainder[: rest - sum(floors)]:
        floors[j] += 1
    for i, count in zip(unknown, floors, strict=True):
        filled[i] = count
    return [count or 0 for count in filled]


def _parse_generation(data: Any, params: SamplingParams, chat: bool) -> Generation:
    choices = _field(data, "choices", list, "response")
    if len(choices) != params.n:
        raise _Malformed(f"expected {params.n} choices, got {len(choices)}")
    if all(isinstance(c, dict) and isinstance(c.get("index"), int) for c in choices):
        choices = sorted(choices, key=lambda c: c["index"])
    usage = _field(data, "usage", dict, "response")
    prompt_tokens = _field(usage, "prompt_tokens", int, "usage")
    texts, finishes, ids, steps, counts = [], [], [], [], []
    for choice in choices:
        if chat:
            content = _field(choice, "message", dict, "choice").get("content")
            texts.append(content if isinstance(content, str) else "")
        else:
            texts.append(_field(choice, "text", str, "choice"))
        finishes.append(_field(choice, "finish_reason", str, "choice"))
        token_ids = choice.get("token_ids")
        token_ids = None if token_ids is None else _int_list(token_ids, "token_ids")
        step = None
        if params.logprobs is not None:
            step = (_chat_logprobs if chat else _completion_logprobs)(choice, params.logprobs)
            if token_ids is not None and len(token_ids) == len(step):
                pairs = zip(step, token_ids, strict=True)
                step = [s.model_copy(update={"token_id": t}) for s, t in pairs]
        ids.append(token_ids)
        steps.append(step)
        counts.append(len(token_ids) if token_ids is not None else len(step) if step else None)
    if None in counts:
        total = _field(usage, "completion_tokens", int, "usage")
        counts = _split_tokens(total, params.max_tokens, texts, finishes, counts)
    samples = tuple(
        Sample(
            text=text,
            finish_reason=finish,
            num_tokens=count,
            token_ids=None if token_ids is None else tuple(token_ids),
            logprobs=None if step is None else tuple(step),
        )
        for text, finish, token_ids, step, count in zip(
            texts, finishes, ids, steps, counts, strict=True
        )
    )
    return Generation(samples=samples, prompt_tokens=prompt_tokens)


def _parse_score(data: Any, request: ScoreRequest, k: int | None) -> list[TokenLogprob]:
    """The last len(continuation) prompt positions of an echoed completion.

    With ``k`` (score_top), token strings must be ``token_id:N``: the result then carries
    ids (``token``, and the texts in ``top``, are left empty for the caller to fill);
    without it, only ``logprob`` is meant to be read.
    """
    choices = _field(data, "choices", list, "response")
    if len(choices) != 1:
        raise _Malformed(f"expected 1 choice, got {len(choices)}")
    logprobs = _field(choices[0], "logprobs", dict, "choice")
    values = _field(logprobs, "token_logprobs", list, "logprobs")
    # The server's prompt length, not ours, marks where the echo ends: a BOS it added
    # shifts the start, not the end.
    prompt_tokens = _field(_field(data, "usage", dict, "response"), "prompt_tokens", int, "usage")
    wanted = len(request.prefix) + len(request.continuation)
    if not wanted <= prompt_tokens <= len(values):
        raise _Malformed(f"echoed {len(values)} logprobs for a prompt of {wanted} tokens")
    span = slice(prompt_tokens - len(request.continuation), prompt_tokens)
    scores = values[span]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores):
        raise _Malformed("echoed prompt logprobs are not numbers")
    if k is None:
        return [
            TokenLogprob(token="", token_id=token, logprob=float(value))
            for token, value in zip(request.continuation, scores, strict=True)
        ]
    tokens = _field(logprobs, "tokens", list, "logprobs")[span]
    tops = _field(logprobs, "top_logprobs", list, "logprobs")[span]
    if len(tokens) != len(scores) or len(tops) != len(scores):
        raise _Malformed("echoed tokens, token_logprobs and top_logprobs differ in length")
    steps = []
    for token, expected, value, top in zip(tokens, request.continuation, scores, tops, strict=True):
        if _token_id(token) != expected:
            raise _Malformed(f"echoed token {token!r} where the prompt has id {expected}")
        if not isinstance(top, dict):
            raise _Malformed("echoed top_logprobs: expected an object per position")
        pairs = [(_token_id(text), lp) for text, lp in top.items()]
        if len(pairs) > k:  # the prompt's own token, sent besides the k best
            pairs = [pair for pair in pairs if pair[0] != expected]
        best = _top(pairs, k)
        steps.append(
            TokenLogprob(
                token="",
                token_id=expected,
                logprob=float(value),
                top=tuple(("", float(lp)) for _, lp in best),
                top_ids=tuple(token_id for token_id, _ in best),
            )
        )
    return steps


def _token_id(text: Any) -> int:
    """The id in a ``token_id:N`` token string (vLLM's ``return_tokens_as_token_ids``)."""
    match = TOKEN_ID.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _Unsupported(
            f"token {text!r} is not of the form token_id:N; score_top needs a server that "
            "honours vLLM's `return_tokens_as_token_ids`"
        )
    return int(match.group(1))


class OpenAIBackend(Backend):
    """A model served by one or more OpenAI-compatible base URLs (``http://host:8000/v1``)."""

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
    ) -> None:
        if isinstance(endpoints, str) or not endpoints:
            raise BackendError(f"model {model}: give a list of one or more endpoint base URLs")
        if concurrency < 1 or timeout_s <= 0 or max_retries < 0 or backoff_s < 0:
            raise BackendError(
                f"model {model}: concurrency must be >= 1, timeout_s > 0, max_retries and "
                "backoff_s >= 0"
            )
        self.name = model
        self._endpoints = [_parse_endpoint(url) for url in endpoints]
        self._api_key = (os.environ.get(api_key_env) or None) if api_key_env else None
        self._concurrency = concurrency
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._tokenizer = tokenizer
        self._token_texts: dict[int, str] = {}
        self._lock = threading.Lock()
        self._in_flight = [0] * len(self._endpoints)
        self._failures_in_a_row = [0] * len(self._endpoints)
        self._down_until = [0.0] * len(self._endpoints)
        self._next = 0
        self._extensions = [True] * len(self._endpoints)
        self._random = random.Random()
        # Calls made on the caller's thread (tokenizer); generate/score bring their own.
        self._connections = _Connections(self._endpoints, timeout_s)
        self._closed = threading.Event()

    def __repr__(self) -> str:
        urls = [endpoint.url for endpoint in self._endpoints]
        return f"OpenAIBackend(model={self.name!r}, endpoints={urls!r})"

    # -- Backend interface -------------------------------------------------------------

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        return self._run(list(requests), self._generate_one)

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        return [[step.logprob for step in steps] for steps in self._score(requests, None)]

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        """Needs a server that honours vLLM's ``return_tokens_as_token_ids``; token texts
        are the tokenizer's (a local one given to the backend, else the server's)."""
        if k < 0:
            raise BackendError(f"model {self.name}: score_top needs k >= 0, not {k}")
        return [
            [
                self._with_texts(token, step)
                for token, step in zip(r.continuation, steps, strict=True)
            ]
            for r, steps in zip(requests, self._score(requests, k), strict=True)
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
        self, requests: list, one: Callable[[Any, _Connections, threading.Event], T]
    ) -> Iterator[tuple[int, T]]:
        """Yield ``(index, one(request))`` in completion order from a pool of workers.

        At most twice ``concurrency`` requests are queued at a time, so closing the
        generator early has little to cancel; it then stops the workers (their retries
        end, their sockets are shut) and waits for them.
        """
        if self._closed.is_set():
            raise BackendError(f"model {self.name}: the backend is closed")
        stop = threading.Event()
        connections = _Connections(self._endpoints, self._timeout_s)
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
                    except _Stopped:  # close() was called while the requests ran
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
        self, request: GenerationRequest, connections: _Connections, stop: threading.Event
    ) -> Generation | RequestFailed:
        params = request.params
        body: dict[str, Any] = {
            "model": self.name,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "n": params.n,
        }
        if params.stop:
            body["stop"] = list(params.stop)
        if params.seed is not None:
            body["seed"] = params.seed
        chat = request.messages is not None
        if request.prompt_token_ids is not None:
            body["prompt"] = list(request.prompt_token_ids)
            if params.logprobs is not None:
                body["logprobs"] = params.logprobs
        elif chat:
            body["messages"] = [message.model_dump() for message in request.messages or ()]
            if params.logprobs is not None:
                body.update(logprobs=True, top_logprobs=params.logprobs)
        else:
            body["prompt"] = request.prompt
            if params.logprobs is not None:
                body["logprobs"] = params.logprobs
        route = "/chat/completions" if chat else "/completions"
        try:
            return self._call(
                route, body, lambda data: _parse_generation(data, params, chat), connections, stop
            )
        except _GaveUp as error:
            return RequestFailed(error=str(error))

    def _score_one(
        self,
        k: int | None,
        request: ScoreRequest,
        connections: _Connections,
        stop: threading.Event,
    ) -> list[TokenLogprob]:
        body: dict[str, Any] = {
            "model": self.name,
            "prompt": [*request.prefix, *request.continuation],
            "echo": True,
            "logprobs": k or 0,
            "max_tokens": 1,
            "temperature": 0.0,
        }
        if k is not None:
            body["return_tokens_as_token_ids"] = True
        try:
            return self._call(
                "/completions",
                body,
                lambda data: _parse_score(data, request, k),
                connections,
                stop,
            )
        except _GaveUp as error:
            raise BackendError(f"model {self.name}: cannot score: {error}") from None

    def _call(
        self,
        route: str,
        body: dict[str, Any],
        parse: Callable[[Any], T],
        connections: _Connections,
        stop: threading.Event,
        *,
        at_root: bool = False,
    ) -> T:
        """POST one request, with retries.

        Raises ``BackendError`` for a 4xx or once retries on an unreachable, failing or
        silent server are spent, ``_GaveUp`` once they are spent on malformed bodies.
        """
        failed: set[int] = set()
        attempts, delay, last, malformed = 0, 0.0, "", False
        while attempts <= self._max_retries:
            if attempts and (stop.wait(delay) or self._closed.is_set()):
                raise _Stopped
            if stop.is_set():
                raise _Stopped
            attempts += 1
            delay = self._random.uniform(0, min(MAX_DELAY_S, self._backoff_s * 2 ** (attempts - 1)))
            index = self._pick(failed)
            endpoint = self._endpoints[index]
            extensions = not at_root and self._extensions[index]
            payload = {**body, **EXTENSIONS} if extensions else body
            path = (endpoint.root_path if at_root else endpoint.api_path) + route
            try:
                status, retry_after, raw = self._send(connections, index, path, payload)
            except http.client.IncompleteRead as error:
                failed.add(index)
                last, malformed = f"{endpoint.url}: truncated body ({error})", True
                continue
            except (OSError, http.client.HTTPException) as error:
                if stop.is_set() or self._closed.is_set():
                    raise _Stopped from None
                failed.add(index)
                self._health(index, ok=False)
                last, malformed = f"{endpoint.url}: {_describe(error, self._timeout_s)}", False
                delay = self._retry_delay(failed, delay)
                continue
            finally:
                with self._lock:
                    self._in_flight[index] -= 1
            self._health(index, ok=status < 500)
            if status == 200:
                try:
                    return parse(json.loads(raw))
                except _Unsupported as error:
                    raise BackendError(f"model {self.name} at {endpoint.url}: {error}") from None
                except ValueError as error:  # JSON, shape and pydantic errors alike
                    failed.add(index)
                    last, malformed = f"{endpoint.url}: malformed response: {error}", True
                    continue
            message = self._redact(_server_message(raw))
            if status in (408, 429) or (status >= 500 and status != 501):
                failed.add(index)
                last, malformed = f"{endpoint.url}: HTTP {status}: {message}", False
                delay = retry_after if retry_after is not None else delay
                delay = self._retry_delay(failed, delay)
                continue
            if extensions and status in (400, 422) and "return_token_ids" in message:
                self._extensions[index] = False
                attempts, delay = attempts - 1, 0.0
                continue
            raise BackendError(f"model {self.name} at {endpoint.url}: HTTP {status}: {message}")
        if malformed:
            raise _GaveUp(f"gave up after {attempts} attempts; last error: {last}")
        tried = ", ".join(self._endpoints[i].url for i in sorted(failed))
        raise BackendError(
            f"model {self.name}: no usable answer from {tried} after {attempts} attempts; "
            f"last error: {last}"
        )

    def _health(self, index: int, *, ok: bool) -> None:
        """Count failures in a row; take the endpoint out of rotation at DOWN_AFTER."""
        with self._lock:
            if ok:
                self._failures_in_a_row[index] = 0
                return
            self._failures_in_a_row[index] += 1
            if self._failures_in_a_row[index] >= DOWN_AFTER:
                self._down_until[index] = time.monotonic() + DOWN_FOR_S

    def _usable(self, failed: set[int]) -> list[int]:
        """Endpoints this request has not failed on and that are not taken out."""
        now = time.monotonic()
        return [
            i for i in range(len(self._endpoints)) if i not in failed and self._down_until[i] <= now
        ]

    def _retry_delay(self, failed: set[int], delay: float) -> float:
        """No wait when another usable endpoint can take the retry at once."""
        return 0.0 if self._usable(failed) else delay

    def _pick(self, failed: set[int]) -> int:
        """The endpoint with fewest requests in flight: usable ones first (not failed by
        this request, not taken out), then ones not failed, then any."""
        count = len(self._endpoints)
        candidates = (
            self._usable(failed)
            or [i for i in range(count) if i not in failed]
            or list(range(count))
        )
        with self._lock:
            index = min(candidates, key=lambda i: (self._in_flight[i], (i - self._next) % count))
            self._in_flight[index] += 1
            self._next = index + 1
        return index

    def _send(
        self, connections: _Connections, index: int, path: str, body: dict[str, Any]
    ) -> tuple[int, float | None, bytes]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        payload = json.dumps(body).encode()
        for fresh in (False, True):
            connection = connections.get(index)
            reused = connection.sock is not None
            try:
                connection.request("POST", path, payload, headers)
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
            return response.status, _retry_after(response.getheader("Retry-After")), raw
        raise AssertionError("unreachable")

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[api key]") if self._api_key else text

    def _call_here(self, route: str, body: dict[str, Any], parse: Callable[[Any], T]) -> T:
        """A request at the server root on the caller's thread (the tokenizer's)."""
        if self._closed.is_set():
            raise BackendError(f"model {self.name}: the backend is closed")
        try:
            return self._call(route, body, parse, self._connections, self._closed, at_root=True)
        except _GaveUp as error:
            raise BackendError(f"model {self.name}: {route}: {error}") from None
        except _Stopped:
            raise BackendError(f"model {self.name}: the backend is closed") from None


class ServerTokenizer:
    """The served model's tokenizer through vLLM's ``/tokenize`` and ``/detokenize``.

    Unlike a local tokenizer, ``decode`` keeps special tokens (vLLM's ``/detokenize``
    has no switch for it), and ``eos_token_id`` is None: the server does not say it.
    Pass ``tokenizer=`` to the backend where either matters.
    """

    def __init__(self, backend: OpenAIBackend) -> None:
        self._backend = backend

    @property
    def eos_token_id(self) -> int | None:
        return None

    def encode(self, text: str) -> list[int]:
        return self._tokenize({"prompt": text, "add_special_tokens": False})

    def decode(self, ids: Sequence[int]) -> str:
        body = {"model": self._backend.name, "tokens": list(ids)}
        return self._request("/detokenize", body, lambda d: _field(d, "prompt", str, "detokenize"))

    def apply_chat_template(self, messages: Sequence[Message]) -> str:
        # vLLM renders the template only into ids; decoding them back is exact for the
        # byte-level tokenizers chat models use, and keeps the template's special tokens.
        ids = self._tokenize(
            {"messages": [m.model_dump() for m in messages], "add_generation_prompt": True}
        )
        return self.decode(ids)

    def _tokenize(self, body: dict[str, Any]) -> list[int]:
        body = {"model": self._backend.name, **body}
        return self._request(
            "/tokenize",
            body,
            lambda d: _int_list(_field(d, "tokens", list, "tokenize"), "tokenize"),
        )

    def _request(self, route: str, body: dict[str, Any], parse: Callable[[Any], T]) -> T:
        try:
            return self._backend._call_here(route, body, parse)
        except BackendError as error:
            if "HTTP 404" not in str(error) and "HTTP 405" not in str(error):
                raise
            raise BackendError(
                f"{error} (the server-side tokenizer needs vLLM's {route}; "
                "for other servers pass a local `tokenizer`)"
            ) from None
