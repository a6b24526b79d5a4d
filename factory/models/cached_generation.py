"""Model requests through the request cache: ask the model only for what is missing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from factory.backends.base import Backend, Generation, GenerationRequest, RequestFailed
from factory.models.request_cache import RequestCache, request_key
from factory.models.usage import UsageMeter
from factory.progress import Progress


def cached_generate(
    requests: Sequence[GenerationRequest],
    *,
    identity: str,
    chat_template: str | None,
    cache: RequestCache,
    open_backend: Callable[[], Backend],
    label: str,
    meter: UsageMeter | None = None,
) -> list[Generation | RequestFailed]:
    """Each request's result, from the cache or else the model, in request order.

    Identical requests are asked once; ``open_backend`` is called only if something is
    missing (the caller owns and closes what it returns). Each response is cached as it
    arrives; failures are returned, never cached, so a rerun asks again (and only them).
    ``meter`` counts each distinct request once: cached or asked, tokens, failures.
    """
    keys = [request_key(identity, chat_template, r) for r in requests]
    results: dict[str, Generation | RequestFailed] = dict(cache.get_many(keys))
    missing = [key for key in dict.fromkeys(keys) if key not in results]
    if meter is not None:
        for result in results.values():
            meter.cached(result)  # type: ignore[arg-type]  # the cache holds Generations
    progress = Progress(label, total=len(set(keys)), cached=len(results))
    if missing:
        request_of = dict(zip(keys, requests, strict=True))
        try:
            backend = open_backend()
            if meter is not None:
                meter.waiting()
            for index, result in backend.generate([request_of[key] for key in missing]):
                if isinstance(result, Generation):
                    cache.put(missing[index], result)
                results[missing[index]] = result
                if meter is not None:
                    meter.asked(result)
                progress.advance(_tokens(result), failed=isinstance(result, RequestFailed))
        finally:
            if meter is not None:
                meter.done()
    progress.show()
    return [results[key] for key in keys]


def _tokens(result: Generation | RequestFailed) -> int:
    return sum(s.num_tokens for s in result.samples) if isinstance(result, Generation) else 0
