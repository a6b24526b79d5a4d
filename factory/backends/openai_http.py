"""A backend over OpenAI-compatible HTTP servers (vLLM ``serve``, OpenAI, and the like).

Requests are spread over one or more base URLs (least in flight first, round-robin on
ties), run by a pool of ``concurrency`` threads that each keep one keep-alive
connection per endpoint, and are retried with exponential backoff and full jitter (or
after the server's ``Retry-After``) on 408, 429, 5xx but 501, timeouts and connection
errors, on another endpoint where there is one. Only the standard library speaks HTTP.

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

Scoring sends prefix + continuation as a token-id prompt to ``/completions`` with
``echo`` and ``logprobs: 0`` (the legacy OpenAI way, which vLLM serves) and keeps the
last len(continuation) prompt-token logprobs.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import math
import os
import random
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
EXTENSIONS = {"return_token_ids": True}


class _Malformed(ValueError):
    """A 200 response whose body does not have the shape the request asked for."""


class _Stopped(Exception):
    """The caller stopped waiting (generator closed, backend closed): give up quietly."""


class _GaveUp(Exception):
    """Retries spent on malformed bodies: the request fails, the run goes on."""


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


def _top(pairs: list[tuple[Any, Any]], k: int) -> tuple[tuple[str, float], ...]:
    """The k best alternatives, best first (servers add the sampled token, unordered)."""
    for token, logprob in pairs:
        if not isinstance(token, str) or not isinstance(logprob, int | float):
            raise _Malformed("top logprobs: expected token strings and numbers")
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


def _parse_score(data: Any, request: ScoreRequest) -> list[float]:
    """The last len(continuation) prompt-token logprobs of an echoed completion."""
    choices = _field(data, "choices", list, "response")
    if len(choices) != 1:
        raise _Malformed(f"expected 1 choice, got {len(choices)}")
    values = _field(
        _field(choices[0], "logprobs", dict, "choice"), "token_logprobs", list, "logprobs"
    )
    # The server's prompt length, not ours, marks where the echo ends: a BOS it added
    # shifts the start, not the end.
    prompt_tokens = _field(_field(data, "usage", dict, "response"), "prompt_tokens", int, "usage")
    wanted = len(request.prefix) + len(request.continuation)
    if not wanted <= prompt_tokens <= len(values):
        raise _Malformed(f"echoed {len(values)} logprobs for a prompt of {wanted} tokens")
    scores = values[prompt_tokens - len(request.continuation) : prompt_tokens]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores):
        raise _Malformed("echoed prompt logprobs are not numbers")
    return [float(v) for v in scores]


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
        self._lock = threading.Lock()
        self._in_flight = [0] * len(self._endpoints)
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
        results: list[list[float]] = [[] for _ in requests]
        for index, scores in self._run(list(requests), self._score_one):
            results[index] = scores
        return results

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
        if chat:
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
        self, request: ScoreRequest, connections: _Connections, stop: threading.Event
    ) -> list[float]:
        body = {
            "model": self.name,
            "prompt": [*request.prefix, *request.continuation],
            "echo": True,
            "logprobs": 0,
            "max_tokens": 1,
            "temperature": 0.0,
        }
        try:
            return self._call(
                "/completions", body, lambda data: _parse_score(data, request), connections, stop
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
                last, malformed = f"{endpoint.url}: {_describe(error, self._timeout_s)}", False
                continue
            finally:
                with self._lock:
                    self._in_flight[index] -= 1
            if status == 200:
                try:
                    return parse(json.loads(raw))
                except ValueError as error:  # JSON, shape and pydantic errors alike
                    failed.add(index)
                    last, malformed = f"{endpoint.url}: malformed response: {error}", True
                    continue
            message = self._redact(_server_message(raw))
            if status in (408, 429) or (status >= 500 and status != 501):
                failed.add(index)
                last, malformed = f"{endpoint.url}: HTTP {status}: {message}", False
                delay = retry_after if retry_after is not None else delay
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

    def _pick(self, failed: set[int]) -> int:
        """The endpoint with fewest requests in flight, preferring ones not yet failed."""
        count = len(self._endpoints)
        candidates = [i for i in range(count) if i not in failed] or list(range(count))
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
