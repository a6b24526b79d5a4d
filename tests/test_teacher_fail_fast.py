"""Errors no retry can fix stop a teacher build at once, with one line (no model needed)."""

from __future__ import annotations

import time

import pytest

import pipelines.tasks
from factory.backends.base import Backend, FatalBackendError
from factory.config import parse_build_config
from factory.errors import BuildError, ConfigError
from factory.models.prompting import styled_request
from factory.models.request_cache import request_key
from pipelines.build import run_build
from schemas.sampling import SamplingParams
from tests.model_fixtures import free_port


def config(root, teacher, count=6, **overrides):
    data = {
        "name": "fast",
        "output_root": str(root),
        "shard_size": 1,
        "tasks": [{"task": "knights_knaves", "count": count, "levels": [1]}],
        "teacher": {"sampling": {"max_tokens": 8}, **teacher},
        **overrides,
    }
    return parse_build_config(data)


def test_dead_endpoints_stop_a_1000_shard_build_before_any_shard_runs(tmp_path):
    urls = [f"http://127.0.0.1:{free_port()}/v1" for _ in range(2)]
    teacher = {"backend": "openai", "model": "m", "endpoints": urls, "api_key_env": None}
    start = time.monotonic()
    with pytest.raises(BuildError) as caught:
        run_build(config(tmp_path / "out", teacher, count=1000))
    elapsed = time.monotonic() - start
    line = str(caught.value)
    assert "\n" not in line and line.startswith("build stopped: teacher: model m")
    assert all(f"{url}: connection refused" in line for url in urls)
    assert elapsed < 30, f"took {elapsed:.1f}s"
    assert not list((tmp_path / "out").rglob("*.parquet")), "no shard ran"


class Refusing(Backend):
    """Answers every request with an error no retry fixes (as a 401 mid-run would)."""

    name = "refusing"
    calls = 0

    def generate(self, requests):
        Refusing.calls += 1
        raise FatalBackendError("model m at http://h/v1: HTTP 401: key revoked")
        yield  # pragma: no cover

    def score(self, requests):
        raise NotImplementedError

    def score_top(self, requests, k):
        raise NotImplementedError

    def tokenizer(self):
        raise NotImplementedError


def test_a_fatal_error_mid_build_stops_every_other_shard_with_one_line(tmp_path, monkeypatch):
    model_dir = tmp_path / "weights"
    model_dir.mkdir()
    monkeypatch.setattr(pipelines.tasks, "shared_backend", lambda spec, seed: Refusing())
    Refusing.calls = 0
    teacher = {"backend": "vllm", "model": str(model_dir)}
    with pytest.raises(BuildError) as caught:
        run_build(config(tmp_path / "out", teacher, count=8))
    line = str(caught.value)
    assert line.startswith("build stopped: model m at http://h/v1: HTTP 401: key revoked")
    assert "other failed tasks" not in line
    assert Refusing.calls == 1, "the other shards never asked the model"


def test_sampling_options_are_validated_by_name_per_backend(tmp_path):
    top = {"backend": "vllm", "model": "m", "sampling": {"top_k": 20, "min_p": 0.0}}
    assert config(tmp_path, top).teacher.sampling.top_k == 20
    extra = {"backend": "vllm", "model": "m", "sampling": {"extra_body": {"x": 1}}}
    with pytest.raises(ConfigError, match=r"sampling\.extra_body: the vllm backend"):
        config(tmp_path, extra)
    guided = {"backend": "transformers", "model": "m", "sampling": {"guided": {"regex": "a"}}}
    with pytest.raises(ConfigError, match=r"sampling\.guided: the transformers backend"):
        config(tmp_path, guided)
    with pytest.raises(ConfigError, match="exactly one"):
        config(
            tmp_path,
            {
                "backend": "openai",
                "model": "m",
                "endpoints": ["http://h/v1"],
                "sampling": {"guided": {"regex": "a", "choice": ["b"]}},
            },
        )


@pytest.mark.parametrize(
    "option",
    [
        {"top_k": 20},
        {"min_p": 0.05},
        {"repetition_penalty": 1.1},
        {"presence_penalty": 0.5},
        {"frequency_penalty": 0.5},
        {"logit_bias": {5: -100}},
        {"guided": {"choice": ["a", "b"]}},
        {"guided": {"json_schema": {"type": "object"}}},
        {"extra_body": {"chat_template_kwargs": {"enable_thinking": False}}},
    ],
)
def test_every_option_is_part_of_the_cache_key(option):
    def key(**params):
        return request_key("m", None, styled_request(_STYLE, "prompt", SamplingParams(**params)))

    assert key(**option) == key(**option), "identical requests hit the cache"
    assert key(**option) != key(), "setting an option asks again"
    changed = {name: _other(value) for name, value in option.items()}
    assert key(**changed) != key(**option), "changing it asks again"


def test_requests_without_options_keep_their_old_cache_keys():
    """Keys of requests that set no option are what they were before the options existed."""
    from factory.models.request_cache import content_key

    request = styled_request(_STYLE, "prompt", SamplingParams(seed=3))
    old_params = {
        "temperature": 0.7,
        "top_p": 0.95,
        "max_tokens": 1024,
        "stop": [],
        "seed": 3,
        "n": 1,
        "logprobs": None,
    }
    old = {
        "prompt": None,
        "messages": [{"role": "user", "content": "prompt"}],
        "prompt_token_ids": None,
        "params": old_params,
    }
    assert request_key("m", None, request) == content_key(
        {"model": "m", "chat_template": None, "request": old}
    )


class _Style:
    chat = True
    system_prompt = None


_STYLE = _Style()


def _other(value):
    if isinstance(value, dict) and "choice" in value:
        return {"choice": ["a", "c"]}
    if isinstance(value, dict) and "json_schema" in value:
        return {"json_schema": {"type": "array"}}
    if isinstance(value, dict) and all(isinstance(k, int) for k in value):
        return {k: v + 1 for k, v in value.items()}
    if isinstance(value, dict):
        return {"other": True}
    return value * 0.5 if isinstance(value, float) else value + 1


def test_rate_limit_spaces_requests_and_tokens():
    import threading

    from factory.backends.openai.limits import RateLimit, estimated_tokens

    stop = threading.Event()
    limit = RateLimit(requests_per_minute=600, tokens_per_minute=None)  # 10 a second
    start = time.monotonic()
    for _ in range(615):  # a minute's allowance at once, then 15 more at 10 a second
        assert limit.acquire(1, stop)
    assert 1.2 < time.monotonic() - start < 3.0
    tokens = RateLimit(requests_per_minute=None, tokens_per_minute=6000)  # 100 a second
    start = time.monotonic()
    assert tokens.acquire(6000, stop) and tokens.acquire(50, stop)
    assert 0.4 < time.monotonic() - start < 1.5
    stop.set()
    assert not tokens.acquire(6000, stop), "a stopped wait gives up"
    assert estimated_tokens({"prompt": [1, 2, 3], "max_tokens": 10, "n": 2}) == 23
    assert estimated_tokens({"messages": [{"content": "x" * 40}], "max_tokens": 5}) > 5
