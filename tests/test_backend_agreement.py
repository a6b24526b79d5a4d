"""The three backends agree on the same tiny model: greedy tokens, logprobs, scoring,
top-k scoring with token ids, prompts given as token ids."""

import pytest

from factory.backends.base import GenerationRequest, Message, SamplingParams, ScoreRequest

pytestmark = pytest.mark.models

PROMPT = "Alice says that Bob is a knave. Bob says that"
TOLERANCE = 2e-3  # float32 everywhere; kernels differ (vLLM CPU attention vs eager torch)
TIE = 1e-4  # top-k entries closer than this may come in either order


@pytest.fixture(scope="module")
def transformers_backend(tiny_model_dir):
    from factory.backends.transformers_backend import TransformersBackend

    with TransformersBackend(str(tiny_model_dir), batch_size=4) as backend:
        yield backend


@pytest.fixture(scope="module")
def http_backend(vllm_server, tiny_model_dir):
    from factory.backends.openai import OpenAIBackend

    with OpenAIBackend(str(tiny_model_dir), [vllm_server.base_url], api_key_env=None) as backend:
        yield backend


def one(backend, params):
    return next(iter(backend.generate([GenerationRequest(prompt=PROMPT, params=params)])))[1]


def close(a, b):
    return len(a) == len(b) and all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True))


def test_greedy_tokens_agree(vllm_backend, transformers_backend, http_backend):
    greedy = SamplingParams(temperature=0.0, max_tokens=12)
    tokens = [one(b, greedy).samples[0].token_ids for b in (vllm_backend, transformers_backend)]
    assert tokens[0] == tokens[1]
    assert one(http_backend, greedy).samples[0].token_ids == tokens[0]


def test_sampled_logprobs_agree_with_every_backends_scoring(
    vllm_backend, transformers_backend, http_backend
):
    prompt_ids = tuple(vllm_backend.tokenizer().encode(PROMPT))
    assert tuple(transformers_backend.tokenizer().encode(PROMPT)) == prompt_ids
    for producer in (vllm_backend, transformers_backend):
        params = SamplingParams(temperature=1.0, max_tokens=16, seed=4, logprobs=2)
        sample = one(producer, params).samples[0]
        reported = [step.logprob for step in sample.logprobs]
        request = ScoreRequest(prefix=prompt_ids, continuation=sample.token_ids)
        for scorer in (vllm_backend, transformers_backend, http_backend):
            scored = scorer.score([request])[0]
            assert close(reported, scored), (producer.name, scorer.name, reported, scored)


def test_scores_discriminate_between_continuations(vllm_backend, transformers_backend):
    """Agreement is not vacuous: another continuation gets clearly different logprobs."""
    tokenizer = vllm_backend.tokenizer()
    prefix = tuple(tokenizer.encode(PROMPT))
    likely = one(vllm_backend, SamplingParams(temperature=0.0, max_tokens=6)).samples[0]
    unlikely = tuple(tokenizer.encode(" zebra zebra zebra"))
    for backend in (vllm_backend, transformers_backend):
        good, bad = backend.score(
            [
                ScoreRequest(prefix=prefix, continuation=likely.token_ids),
                ScoreRequest(prefix=prefix, continuation=unlikely),
            ]
        )
        assert sum(good) / len(good) > sum(bad) / len(bad) + 1.0


def same_top(a, b):
    """Same top ids at a position, in the same order but for swaps of near-ties."""
    if set(a.top_ids) != set(b.top_ids) or not close([v for _, v in a.top], [v for _, v in b.top]):
        return False
    values = dict(zip(a.top_ids, (v for _, v in a.top), strict=True))
    return all(
        x == y or abs(values[x] - values[y]) < TIE
        for x, y in zip(a.top_ids, b.top_ids, strict=True)
    )


def test_score_top_agrees(vllm_backend, transformers_backend, http_backend):
    tokenizer = vllm_backend.tokenizer()
    prefix = tuple(tokenizer.encode(PROMPT))
    sampled = one(vllm_backend, SamplingParams(temperature=1.0, max_tokens=16, seed=2))
    requests = [
        ScoreRequest(prefix=prefix, continuation=sampled.samples[0].token_ids),
        ScoreRequest(prefix=prefix[:3], continuation=tuple(tokenizer.encode(" zebra knave"))),
    ]
    backends = (vllm_backend, transformers_backend, http_backend)
    results = [backend.score_top(requests, 20) for backend in backends]
    reference = results[0]
    for other in results[1:]:
        for request, steps, expected in zip(requests, other, reference, strict=True):
            assert [s.token_id for s in steps] == list(request.continuation)
            assert close([s.logprob for s in steps], [s.logprob for s in expected])
            for step, want in zip(steps, expected, strict=True):
                assert len(step.top_ids) == 20
                assert same_top(step, want), (step.top_ids, want.top_ids)
    # Not vacuous: the top tokens change from position to position.
    assert len({step.top_ids for steps in reference for step in steps}) > 10


def test_prompt_token_ids_give_the_text_prompts_greedy_tokens(
    vllm_backend, transformers_backend, http_backend
):
    tokenizer = vllm_backend.tokenizer()
    chat = (Message(role="user", content=PROMPT),)
    greedy = SamplingParams(temperature=0.0, max_tokens=12)
    for text in (PROMPT, tokenizer.apply_chat_template(chat)):
        ids = tuple(tokenizer.encode(text))
        for backend in (vllm_backend, transformers_backend, http_backend):
            results = dict(
                backend.generate(
                    [
                        GenerationRequest(prompt=text, params=greedy),
                        GenerationRequest(prompt_token_ids=ids, params=greedy),
                    ]
                )
            )
            assert results[1].samples[0].token_ids == results[0].samples[0].token_ids
            assert results[1].prompt_tokens == results[0].prompt_tokens == len(ids)
