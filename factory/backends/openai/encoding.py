"""Request bodies and response parsing for OpenAI-compatible servers.

vLLM extensions: requests carry ``return_token_ids`` so samples get their token ids (a
server that rejects the field is asked again without it, see ``backend``). A sample's
``num_tokens`` is the length of its token ids or logprobs; without either (n > 1 on such
a server) the response's completion total is shared out (see ``split_tokens``).

A request given as ``prompt_token_ids`` goes to ``/completions`` with the id list as its
prompt (a chat request cannot carry ids).

Scoring sends prefix + continuation as a token-id prompt to ``/completions`` and keeps
the last len(continuation) prompt-token logprobs: by vLLM's ``prompt_logprobs: 0``, one
prompt per request and several requests in one body (``prompt_logprobs_body``), or, on a
server without it, with ``echo`` and ``logprobs: 0`` (the legacy OpenAI way), a body
per request (``score_body``). ``score_top`` needs the top-k at the
continuation's positions only: an echo with ``logprobs: k`` would return the top-k of
every prompt position (for RSD, hundreds of positions a round where 8 are wanted: the
server spent ~90% of its time building that JSON), so it sends one request whose
``prompt`` is a list, prefix + continuation[:i] for each position i, each asking one
greedy token with ``logprobs: k`` (see ``positions_body``). Top-k ids need a server that
honours vLLM's ``return_tokens_as_token_ids`` (token strings ``token_id:123``); any other
answer is ``Unsupported``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from factory.backends.base import (
    Generation,
    GenerationRequest,
    Sample,
    SamplingParams,
    ScoreRequest,
    TokenLogprob,
)

T = TypeVar("T")

EXTENSIONS = {"return_token_ids": True}
TOKEN_ID = re.compile(r"token_id:(\d+)")


class Malformed(ValueError):
    """A 200 response whose body does not have the shape the request asked for."""


class Unsupported(Exception):
    """A 200 answer showing that the server lacks a feature the request needs."""


class NoPromptLogprobs(Exception):
    """The server does not serve vLLM's ``prompt_logprobs`` (a 400 naming it, or an
    answer without it): scoring falls back to echoed logprobs."""


def generation_body(model: str, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
    """The route and JSON body of a generation request."""
    params = request.params
    body: dict[str, Any] = {
        "model": model,
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
        if params.logprobs is not None:  # ids in, ids out: the top-k as token ids
            body.update(logprobs=params.logprobs, return_tokens_as_token_ids=True)
    elif chat:
        body["messages"] = [message.model_dump() for message in request.messages or ()]
        if params.logprobs is not None:
            body.update(logprobs=True, top_logprobs=params.logprobs)
    else:
        body["prompt"] = request.prompt
        if params.logprobs is not None:
            body["logprobs"] = params.logprobs
    body.update(_options(params))
    return ("/chat/completions" if chat else "/completions"), body


def _options(params: SamplingParams) -> dict[str, Any]:
    """The optional sampling and output fields; ``extra_body`` last, as given."""
    names = ("top_k", "min_p", "repetition_penalty", "presence_penalty", "frequency_penalty")
    fields: dict[str, Any] = {
        n: getattr(params, n) for n in names if getattr(params, n) is not None
    }
    if params.logit_bias:
        fields["logit_bias"] = {str(token): bias for token, bias in params.logit_bias}
    guided = params.guided
    if guided is not None and guided.json_schema is not None:
        schema = {"name": "output", "schema": guided.json_schema}
        fields["response_format"] = {"type": "json_schema", "json_schema": schema}
    elif guided is not None:  # vLLM's extension; OpenAI has no regex or choice
        fields["structured_outputs"] = {guided.kind: getattr(guided, guided.kind)}
    if guided is not None and guided.choice is not None:
        fields["structured_outputs"] = {"choice": list(guided.choice)}
    fields.update(params.extra_body or {})
    return fields


def score_body(model: str, request: ScoreRequest, k: int | None) -> dict[str, Any]:
    """An echoed completion whose prompt logprobs score ``request.continuation``."""
    body: dict[str, Any] = {
        "model": model,
        "prompt": [*request.prefix, *request.continuation],
        "echo": True,
        "logprobs": k or 0,
        "max_tokens": 1,
        "temperature": 0.0,
    }
    if k is not None:
        body["return_tokens_as_token_ids"] = True
    return body


def prompt_logprobs_body(model: str, requests: Sequence[ScoreRequest]) -> dict[str, Any]:
    """One completion scoring every request's continuation by vLLM's ``prompt_logprobs``:
    a prompt per request, whose choice carries each prompt token's logprob keyed by id
    (no echoed tokens to build, and several requests share one HTTP round trip)."""
    return {
        "model": model,
        "prompt": [[*request.prefix, *request.continuation] for request in requests],
        "prompt_logprobs": 0,
        "max_tokens": 1,
        "temperature": 0.0,
    }


def parse_prompt_logprobs(data: Any, requests: Sequence[ScoreRequest]) -> list[list[float]]:
    """Each request's continuation logprobs from the last prompt positions of its choice.

    Raises ``NoPromptLogprobs`` when the choices carry none (a server that ignores the
    field)."""
    choices = field(data, "choices", list, "response")
    if len(choices) != len(requests):
        raise Malformed(f"expected {len(requests)} choices, got {len(choices)}")
    if all(isinstance(c, dict) and isinstance(c.get("index"), int) for c in choices):
        choices = sorted(choices, key=lambda c: c["index"])
    return [
        _prompt_logprobs(choice, request) for choice, request in zip(choices, requests, strict=True)
    ]


def _prompt_logprobs(choice: Any, request: ScoreRequest) -> list[float]:
    if not isinstance(choice, dict) or choice.get("prompt_logprobs") is None:
        raise NoPromptLogprobs("the answer carries no prompt_logprobs")
    positions = field(choice, "prompt_logprobs", list, "choice")
    if len(positions) < len(request.prefix) + len(request.continuation):
        raise Malformed(f"{len(positions)} prompt logprobs for a longer prompt")
    scores = []
    for position, token in zip(
        positions[-len(request.continuation) :], request.continuation, strict=True
    ):
        entry = position.get(str(token)) if isinstance(position, dict) else None
        value = entry.get("logprob") if isinstance(entry, dict) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Malformed(f"prompt_logprobs: no logprob for prompt token {token}")
        scores.append(float(value))
    return scores


def positions_body(model: str, request: ScoreRequest, k: int) -> dict[str, Any]:
    """One prompt per continuation position (the prefix and the continuation before
    it), each asked for one greedy token with its top-k: the model's top-k at exactly
    the continuation's positions. Consecutive prompts share their prefix, which a
    server with prefix caching computes once."""
    continuation = request.continuation
    prompts = [[*request.prefix, *continuation[:i]] for i in range(len(continuation))]
    return {
        "model": model,
        "prompt": prompts,
        "max_tokens": 1,
        "temperature": 0.0,
        "logprobs": k,
        "return_tokens_as_token_ids": True,
    }


def parse_positions(
    data: Any, request: ScoreRequest, k: int
) -> list[tuple[tuple[tuple[int, float], ...], float | None]]:
    """Per continuation position: the k best (id, logprob), best first, and the
    continuation token's logprob where the answer holds it (None: outside the top-k)."""
    choices = field(data, "choices", list, "response")
    if len(choices) != len(request.continuation):
        raise Malformed(f"expected {len(request.continuation)} choices, got {len(choices)}")
    if all(isinstance(c, dict) and isinstance(c.get("index"), int) for c in choices):
        choices = sorted(choices, key=lambda c: c["index"])
    steps = []
    for choice, token in zip(choices, request.continuation, strict=True):
        tops = field(field(choice, "logprobs", dict, "choice"), "top_logprobs", list, "logprobs")
        if len(tops) != 1 or not isinstance(tops[0], dict):
            raise Malformed("top_logprobs: expected one object for the one token asked")
        pairs = [(_token_id(text), logprob) for text, logprob in tops[0].items()]
        best = _top(pairs, k)
        known = dict(pairs).get(token)
        steps.append(
            (tuple((i, float(v)) for i, v in best), None if known is None else float(known))
        )
    return steps


def served_models(data: Any) -> list[str]:
    """The model ids of a ``/v1/models`` answer."""
    entries = field(data, "data", list, "models")
    return [entry["id"] for entry in entries if isinstance(entry, dict) and "id" in entry]


def server_message(raw: bytes) -> str:
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


def field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise Malformed(f"{where}: missing or mistyped `{key}`")
    return obj[key]


def int_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise Malformed(f"{where}: expected a list of token ids")
    return value


def _top(pairs: list[tuple[T, Any]], k: int) -> tuple[tuple[T, float], ...]:
    """The k best alternatives (token strings or ids), best first (servers add the sampled
    token, unordered)."""
    for token, logprob in pairs:
        if not isinstance(token, str | int) or not isinstance(logprob, int | float):
            raise Malformed("top logprobs: expected tokens and numbers")
    return tuple(sorted(pairs, key=lambda pair: -pair[1])[:k])


def _completion_logprobs(choice: dict, k: int) -> list[TokenLogprob]:
    logprobs = field(choice, "logprobs", dict, "choice")
    tokens = field(logprobs, "tokens", list, "logprobs")
    values = field(logprobs, "token_logprobs", list, "logprobs")
    tops = logprobs.get("top_logprobs") or [None] * len(tokens)
    if not len(tokens) == len(values) == len(tops):
        raise Malformed("logprobs: tokens, token_logprobs and top_logprobs differ in length")
    steps = [
        TokenLogprob(token=token, logprob=value, top=_top(list((top or {}).items()), k))
        for token, value, top in zip(tokens, values, tops, strict=True)
    ]
    return [_with_ids(step) for step in steps]


def _with_ids(step: TokenLogprob) -> TokenLogprob:
    """Where the server wrote tokens as ``token_id:N`` (vLLM's
    ``return_tokens_as_token_ids``, asked for token-id prompts), the ids they carry."""
    texts = [step.token, *(text for text, _ in step.top)]
    matches = [TOKEN_ID.fullmatch(text) for text in texts]
    if not all(matches):
        return step
    ids = [int(match.group(1)) for match in matches if match]
    return step.model_copy(update={"token_id": ids[0], "top_ids": tuple(ids[1:])})


def _chat_logprobs(choice: dict, k: int) -> list[TokenLogprob]:
    content = field(field(choice, "logprobs", dict, "choice"), "content", list, "logprobs")
    steps = []
    for step in content:
        alternatives = field(step, "top_logprobs", list, "logprobs")
        top = [(t.get("token"), t.get("logprob")) for t in alternatives if isinstance(t, dict)]
        steps.append(
            TokenLogprob(token=step.get("token"), logprob=step.get("logprob"), top=_top(top, k))
        )
    return steps


def split_tokens(
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


def parse_generation(data: Any, params: SamplingParams, chat: bool) -> Generation:
    choices = field(data, "choices", list, "response")
    if len(choices) != params.n:
        raise Malformed(f"expected {params.n} choices, got {len(choices)}")
    if all(isinstance(c, dict) and isinstance(c.get("index"), int) for c in choices):
        choices = sorted(choices, key=lambda c: c["index"])
    usage = field(data, "usage", dict, "response")
    prompt_tokens = field(usage, "prompt_tokens", int, "usage")
    texts, finishes, ids, steps, counts = [], [], [], [], []
    for choice in choices:
        if chat:
            content = field(choice, "message", dict, "choice").get("content")
            texts.append(content if isinstance(content, str) else "")
        else:
            texts.append(field(choice, "text", str, "choice"))
        finishes.append(field(choice, "finish_reason", str, "choice"))
        token_ids = choice.get("token_ids")
        token_ids = None if token_ids is None else int_list(token_ids, "token_ids")
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
        total = field(usage, "completion_tokens", int, "usage")
        counts = split_tokens(total, params.max_tokens, texts, finishes, counts)
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


def parse_score(data: Any, request: ScoreRequest, k: int | None) -> list[TokenLogprob]:
    """The last len(continuation) prompt positions of an echoed completion.

    With ``k`` (score_top), token strings must be ``token_id:N``: the result then carries
    ids (``token``, and the texts in ``top``, are left empty for the caller to fill);
    without it, only ``logprob`` is meant to be read.
    """
    choices = field(data, "choices", list, "response")
    if len(choices) != 1:
        raise Malformed(f"expected 1 choice, got {len(choices)}")
    logprobs = field(choices[0], "logprobs", dict, "choice")
    values = field(logprobs, "token_logprobs", list, "logprobs")
    # The server's prompt length, not ours, marks where the echo ends: a BOS it added
    # shifts the start, not the end.
    prompt_tokens = field(field(data, "usage", dict, "response"), "prompt_tokens", int, "usage")
    wanted = len(request.prefix) + len(request.continuation)
    if not wanted <= prompt_tokens <= len(values):
        raise Malformed(f"echoed {len(values)} logprobs for a prompt of {wanted} tokens")
    span = slice(prompt_tokens - len(request.continuation), prompt_tokens)
    scores = values[span]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores):
        raise Malformed("echoed prompt logprobs are not numbers")
    if k is None:
        return [
            TokenLogprob(token="", token_id=token, logprob=float(value))
            for token, value in zip(request.continuation, scores, strict=True)
        ]
    tokens = field(logprobs, "tokens", list, "logprobs")[span]
    tops = field(logprobs, "top_logprobs", list, "logprobs")[span]
    if len(tokens) != len(scores) or len(tops) != len(scores):
        raise Malformed("echoed tokens, token_logprobs and top_logprobs differ in length")
    steps = []
    for token, expected, value, top in zip(tokens, request.continuation, scores, tops, strict=True):
        if _token_id(token) != expected:
            raise Malformed(f"echoed token {token!r} where the prompt has id {expected}")
        if not isinstance(top, dict):
            raise Malformed("echoed top_logprobs: expected an object per position")
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
        raise Unsupported(
            f"token {text!r} is not of the form token_id:N; score_top needs a server that "
            "honours vLLM's `return_tokens_as_token_ids`"
        )
    return int(match.group(1))
