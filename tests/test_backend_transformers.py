"""The transformers backend on the tiny random Llama: seeding, greedy, logprobs, stops, chat."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from factory.backends.base import (
    BackendError,
    GenerationRequest,
    Message,
    SamplingParams,
    ScoreRequest,
)

pytestmark = pytest.mark.models

PROMPT = "Solve the puzzle"
OTHERS = [
    "A",
    "Each knight always tells the truth and each knave always lies.",
    "Use the numbers 3 4 6 8 to make 24",
]


@pytest.fixture(scope="module")
def backend(tiny_model_dir):
    from factory.backends.transformers_backend import TransformersBackend

    with TransformersBackend(str(tiny_model_dir), batch_size=4) as loaded:
        yield loaded


def run(backend, requests):
    """All results by request index, checking every request completes exactly once."""
    results = list(backend.generate(requests))
    assert sorted(i for i, _ in results) == list(range(len(requests)))
    return dict(results)


def sampled(seed, prompt=PROMPT, **params):
    settings = {"temperature": 1.0, "top_p": 1.0, "max_tokens": 32, "seed": seed} | params
    return GenerationRequest(prompt=prompt, params=SamplingParams(**settings))


def test_seeded_sampling_is_reproducible_and_independent_of_the_batch(backend):
    first = run(backend, [sampled(7)])[0].samples[0]
    again = run(backend, [sampled(7)])[0].samples[0]
    other = run(backend, [sampled(8)])[0].samples[0]
    assert first.num_tokens == 32 and first.finish_reason == "length"
    assert (again.text, again.token_ids) == (first.text, first.token_ids)
    assert other.token_ids != first.token_ids

    # Longer prompts around it: the request is left-padded in a batch of mixed lengths.
    batch = [sampled(3, prompt) for prompt in OTHERS]
    batch.insert(2, sampled(7))
    batch.append(sampled(7, top_p=0.9))
    results = run(backend, batch)
    assert results[2].samples[0].token_ids == first.token_ids
    nucleus_alone = run(backend, [sampled(7, top_p=0.9)])[0].samples[0]
    assert results[4].samples[0].token_ids == nucleus_alone.token_ids


def test_greedy_matches_step_by_step_argmax_without_cache(backend, tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    greedy = SamplingParams(temperature=0.0, max_tokens=6)
    prompts = [PROMPT, OTHERS[1]]
    results = run(backend, [GenerationRequest(prompt=p, params=greedy) for p in prompts])
    for i, prompt in enumerate(prompts):
        ids = backend.tokenizer().encode(prompt)
        expected = []
        with torch.inference_mode():
            for _ in range(6):
                logits = model(input_ids=torch.tensor([ids + expected])).logits[0, -1]
                expected.append(int(logits.argmax()))
        sample = results[i].samples[0]
        assert list(sample.token_ids) == expected
        assert results[i].prompt_tokens == len(ids)
        assert sample.text == backend.tokenizer().decode(expected)


def test_logprobs_agree_with_scoring_and_top_k_is_sorted(backend):
    request = sampled(11, max_tokens=16, logprobs=3)
    generation = run(backend, [request, sampled(4, OTHERS[1], logprobs=0)])
    sample = generation[0].samples[0]
    assert len(sample.logprobs) == sample.num_tokens == len(sample.token_ids) == 16
    prefix = tuple(backend.tokenizer().encode(PROMPT))
    [scores] = backend.score([ScoreRequest(prefix=prefix, continuation=sample.token_ids)])
    assert scores == pytest.approx([entry.logprob for entry in sample.logprobs], abs=1e-4)
    for token_id, entry in zip(sample.token_ids, sample.logprobs, strict=True):
        assert entry.token_id == token_id
        values = [value for _, value in entry.top]
        assert len(values) == 3 and values == sorted(values, reverse=True)
        assert entry.logprob <= values[0] + 1e-6
        if entry.logprob > values[-1] + 1e-4:
            assert (entry.token, pytest.approx(entry.logprob, abs=1e-5)) in entry.top
    assert all(entry.top == () for entry in generation[1].samples[0].logprobs)

    # Scoring in a padded batch gives the same numbers as scoring alone.
    short = ScoreRequest(prefix=(prefix[0],), continuation=sample.token_ids[:2])
    batched = backend.score([short, ScoreRequest(prefix=prefix, continuation=sample.token_ids)])
    assert batched[1] == pytest.approx(scores, abs=1e-4)
    assert batched[0] == pytest.approx(backend.score([short])[0], abs=1e-4)
    assert run(backend, [sampled(11, max_tokens=16)])[0].samples[0].logprobs is None


def test_stop_strings_max_tokens_and_n(backend):
    greedy = {"temperature": 0.0, "max_tokens": 20}
    full = run(backend, [GenerationRequest(prompt=PROMPT, params=SamplingParams(**greedy))])
    full = full[0].samples[0]
    assert (full.finish_reason, full.num_tokens) == ("length", 20)
    match = re.search(r"[A-Za-z]{3}", full.text[2:])
    assert match, f"greedy text has no word to stop at: {full.text!r}"
    stop = match.group()
    cut = full.text.find(stop)
    params = SamplingParams(**greedy, stop=("never-there", stop))
    stopped = run(backend, [GenerationRequest(prompt=PROMPT, params=params)])[0].samples[0]
    assert (stopped.finish_reason, stopped.text) == ("stop", full.text[:cut])
    assert stopped.num_tokens < 20
    assert stopped.token_ids == full.token_ids[: stopped.num_tokens]

    three = run(backend, [sampled(5, n=3, max_tokens=8)])[0]
    assert len(three.samples) == 3
    assert all(s.num_tokens == 8 and s.finish_reason == "length" for s in three.samples)
    assert len({s.token_ids for s in three.samples}) > 1


def test_eos_token_ends_a_sample(backend, tiny_model_dir, tmp_path):
    from transformers import AutoTokenizer

    from factory.backends.transformers_backend import TransformersBackend

    greedy = SamplingParams(temperature=0.0, max_tokens=10)
    tokens = run(backend, [GenerationRequest(prompt=PROMPT, params=greedy)])[0].samples[0]
    eos = tokens.token_ids[3]
    # The same model whose tokenizer declares the fourth greedy token as its eos.
    copy = tmp_path / "eos-model"
    shutil.copytree(tiny_model_dir, copy)
    tokenizer = AutoTokenizer.from_pretrained(copy)
    config_path = copy / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["eos_token"] = tokenizer.convert_ids_to_tokens(eos)
    config_path.write_text(json.dumps(config))
    with TransformersBackend(str(copy)) as other:
        assert other.tokenizer().eos_token_id == eos
        result = run(other, [GenerationRequest(prompt=PROMPT, params=greedy)])[0].samples[0]
    first = tokens.token_ids.index(eos)
    assert result.finish_reason == "stop"
    assert result.token_ids == tokens.token_ids[: first + 1]


def test_chat_messages_use_the_template(backend):
    messages = (Message(role="system", content="Be brief."), Message(role="user", content="Hi"))
    rendered = backend.tokenizer().apply_chat_template(messages)
    assert rendered == "<|system|>Be brief.<|end|><|user|>Hi<|end|><|assistant|>"
    greedy = SamplingParams(temperature=0.0, max_tokens=5)
    chat = GenerationRequest(messages=messages, params=greedy)
    plain = GenerationRequest(prompt=rendered, params=greedy)
    results = run(backend, [chat, plain])
    assert results[0].samples[0].token_ids == results[1].samples[0].token_ids
    assert results[0].prompt_tokens == len(backend.tokenizer().encode(rendered))


def test_bad_models_raise_backend_errors_naming_them(tmp_path):
    from factory.backends.transformers_backend import TransformersBackend
    from tests.tiny_model import build_tiny_model

    no_template = build_tiny_model(tmp_path / "no-template", chat_template=None)
    loaded = TransformersBackend(str(no_template), name="plain-model")
    prompt = GenerationRequest(prompt=PROMPT, params=SamplingParams(max_tokens=2, seed=1))
    assert run(loaded, [prompt])[0].samples[0].num_tokens == 2
    chat = GenerationRequest(messages=(Message(role="user", content="Hi"),))
    with pytest.raises(BackendError, match="plain-model.*chat template"):
        list(loaded.generate([chat]))
    loaded.close()
    with pytest.raises(BackendError, match="plain-model.*closed"):
        list(loaded.generate([prompt]))

    missing = tmp_path / "missing-model"
    with pytest.raises(BackendError, match=re.escape(str(missing))):
        TransformersBackend(str(missing))
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(BackendError, match=re.escape(str(empty))):
        TransformersBackend(str(empty))


def test_prompt_token_ids_are_the_model_input_as_is(backend):
    tokenizer = backend.tokenizer()
    greedy = SamplingParams(temperature=0.0, max_tokens=8)
    ids = tuple(tokenizer.encode(PROMPT))
    spelled = tuple(i for character in PROMPT for i in tokenizer.encode(character))
    assert len(spelled) > len(ids)
    results = run(
        backend,
        [
            GenerationRequest(prompt=PROMPT, params=greedy),
            GenerationRequest(prompt_token_ids=ids, params=greedy),
            GenerationRequest(prompt_token_ids=spelled, params=greedy),
            GenerationRequest(prompt_token_ids=(ids[0], 10**6), params=greedy),
            GenerationRequest(prompt_token_ids=(), params=greedy),
        ],
    )
    assert results[1].samples[0].token_ids == results[0].samples[0].token_ids
    assert results[1].prompt_tokens == results[0].prompt_tokens == len(ids)
    assert results[2].prompt_tokens == len(spelled)
    # The spelled-out prompt is scored as given: the greedy token is its argmax.
    [steps] = backend.score_top(
        [ScoreRequest(prefix=spelled, continuation=results[2].samples[0].token_ids[:1])], 1
    )
    assert steps[0].top_ids == (results[2].samples[0].token_ids[0],)
    assert "token id 1000000 is outside the vocabulary" in results[3].error
    assert backend.name in results[3].error
    assert "no tokens" in results[4].error


def test_score_top_matches_a_plain_forward_pass(backend, tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    tokenizer = backend.tokenizer()
    sample = run(backend, [sampled(2, max_tokens=12, logprobs=4)])[0].samples[0]
    prefix = tuple(tokenizer.encode(PROMPT))
    short = tuple(tokenizer.encode(OTHERS[0]))
    requests = [
        ScoreRequest(prefix=prefix, continuation=sample.token_ids),
        ScoreRequest(prefix=short, continuation=sample.token_ids[:3]),  # padded in the batch
    ]
    top = backend.score_top(requests, 4)
    assert backend.score(requests) == [[s.logprob for s in steps] for steps in top]
    for request, steps in zip(requests, top, strict=True):
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([request.prefix + request.continuation])).logits
        raw = torch.log_softmax(logits[0, len(request.prefix) - 1 : -1], dim=-1)
        values, ids = raw.topk(4, dim=-1)
        for position, step in enumerate(steps):
            assert step.token_id == request.continuation[position]
            assert step.logprob == pytest.approx(float(raw[position, step.token_id]), abs=1e-4)
            assert step.top_ids == tuple(ids[position].tolist())
            assert [v for _, v in step.top] == pytest.approx(values[position].tolist(), abs=1e-4)
            assert [t for t, _ in step.top] == [tokenizer.token_text(i) for i in step.top_ids]
            assert step.token == tokenizer.token_text(step.token_id)
    # Generating the sample reported the same top-k (ids included) as scoring it.
    for step, generated in zip(top[0], sample.logprobs, strict=True):
        assert generated.top_ids == step.top_ids
        assert [v for _, v in generated.top] == pytest.approx([v for _, v in step.top], abs=1e-4)

    empty = backend.score_top(requests, 0)
    assert all(s.top == () and s.top_ids == () for steps in empty for s in steps)
    with pytest.raises(BackendError, match=f"{re.escape(backend.name)}.*k >= 0"):
        backend.score_top(requests, -1)
    bad = ScoreRequest(prefix=prefix, continuation=(10**6,))
    with pytest.raises(BackendError, match="token id 1000000 is outside the vocabulary"):
        backend.score_top([bad], 2)


def test_sampling_options_act_and_unsupported_ones_are_refused_by_name(backend):
    from factory.backends.base import FatalBackendError
    from tests.sampling_options import check_sampling_options

    check_sampling_options(backend)
    guided = SamplingParams(max_tokens=4, guided={"regex": "[ab]+"})
    with pytest.raises(FatalBackendError, match=r"sampling\.guided: the transformers backend"):
        list(backend.generate([GenerationRequest(prompt=PROMPT, params=guided)]))
