"""The content-addressed request cache and model identities (no model needed)."""

import multiprocessing

import pytest

from factory.backends import identity as identity_module
from factory.backends.base import Generation, GenerationRequest, Message, Sample, SamplingParams
from factory.backends.identity import model_identity
from factory.models.request_cache import RequestCache, request_key

BASE = GenerationRequest(
    messages=(Message(role="system", content="Be brief."), Message(role="user", content="Q?")),
    params=SamplingParams(seed=1),
)


def generation(text: str) -> Generation:
    return Generation(
        samples=(Sample(text=text, finish_reason="stop", num_tokens=3),), prompt_tokens=7
    )


def variants():
    """The base request with exactly one key component changed, each."""
    params = BASE.params
    changed_params = {
        "temperature": 0.5,
        "top_p": 0.5,
        "max_tokens": 17,
        "stop": ("\n",),
        "seed": 2,
        "n": 4,
        "logprobs": 3,
    }
    for field, value in changed_params.items():
        yield field, BASE.model_copy(update={"params": params.model_copy(update={field: value})})
    yield (
        "system prompt",
        BASE.model_copy(
            update={"messages": (Message(role="system", content="Be long."), BASE.messages[1])}
        ),
    )
    yield (
        "user prompt",
        BASE.model_copy(
            update={"messages": (BASE.messages[0], Message(role="user", content="Q!"))}
        ),
    )
    yield "no system prompt", BASE.model_copy(update={"messages": BASE.messages[1:]})
    yield "plain prompt", GenerationRequest(prompt="Q?", params=params)


def test_every_key_component_changes_the_key():
    base = request_key("vllm:local:abc", None, BASE)
    assert request_key("vllm:local:abc", None, BASE.model_copy()) == base
    keys = {name: request_key("vllm:local:abc", None, r) for name, r in variants()}
    keys["model"] = request_key("vllm:local:abd", None, BASE)
    keys["backend"] = request_key("transformers:local:abc", None, BASE)
    keys["chat template"] = request_key("vllm:local:abc", "{{ messages }}", BASE)
    assert base not in keys.values()
    assert len(set(keys.values())) == len(keys), keys


def test_responses_persist_across_connections(tmp_path):
    with RequestCache(tmp_path) as cache:
        cache.put("k1", generation("one"))
    with RequestCache(tmp_path) as cache:
        found = cache.get_many(["k1", "k2", "k1"])
    assert found == {"k1": generation("one")}


def test_many_keys_are_looked_up_in_chunks(tmp_path):
    with RequestCache(tmp_path) as cache:
        for i in range(1200):
            cache.put(f"k{i}", generation(str(i)))
        found = cache.get_many(f"k{i}" for i in range(0, 2400, 2))
    assert len(found) == 600
    assert found["k1198"].samples[0].text == "1198"


def test_an_unreadable_entry_is_a_miss(tmp_path):
    with RequestCache(tmp_path) as cache:
        cache.put("good", generation("ok"))
        cache._db.execute("INSERT INTO responses VALUES ('bad', '{not json')")
        assert set(cache.get_many(["good", "bad"])) == {"good"}


def _write_keys(directory, start):
    with RequestCache(directory) as cache:
        for i in range(start, start + 200):
            cache.put(f"k{i}", generation(str(i)))


def test_processes_write_one_cache_concurrently(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_keys, args=(tmp_path, s)) for s in (0, 200, 400)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with RequestCache(tmp_path) as cache:
        assert len(cache) == 600


def test_local_model_identity_follows_the_files(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "weights.bin").write_bytes(b"\x00" * 1000)
    memo = tmp_path / "cache"
    first = model_identity("vllm", str(model), None, memo)
    assert first.startswith("vllm:local:")

    hashed = []
    real = identity_module.sha256_file
    monkeypatch.setattr(identity_module, "sha256_file", lambda p: hashed.append(p) or real(p))
    assert model_identity("vllm", str(model), None, memo) == first
    assert hashed == [], "an unchanged directory is not hashed again"

    (model / "weights.bin").write_bytes(b"\x01" * 1000)
    changed = model_identity("vllm", str(model), None, memo)
    assert changed != first
    assert model_identity("transformers", str(model), None, memo) != changed


@pytest.mark.parametrize(
    ("revision", "expected"), [(None, "openai:org/m@default"), ("v2", "openai:org/m@v2")]
)
def test_remote_model_identity_is_name_and_revision(tmp_path, revision, expected):
    assert model_identity("openai", "org/m", revision, tmp_path) == expected
