"""The optional sampling fields, checked by their effect on any backend of the tiny model."""

from __future__ import annotations

from factory.backends.base import Backend, Generation, GenerationRequest, SamplingParams

PROMPT = "Alice says that Bob is a knave. Who is the knight?"


def ids(backend: Backend, **params: object) -> tuple[int, ...]:
    defaults = {"temperature": 1.0, "top_p": 1.0, "max_tokens": 12, "seed": 7}
    request = GenerationRequest(prompt=PROMPT, params=SamplingParams(**{**defaults, **params}))
    [(_, result)] = list(backend.generate([request]))
    assert isinstance(result, Generation), result
    return result.samples[0].token_ids or ()


def check_sampling_options(backend: Backend) -> None:
    """top_k, min_p, logit_bias and the penalties act as vLLM defines them."""
    greedy = ids(backend, temperature=0.0)
    assert ids(backend, top_k=1) == greedy, "top_k 1 leaves only the best token"
    assert ids(backend, min_p=1.0) == greedy, "min_p 1 leaves only the best token"
    assert ids(backend, seed=8) != ids(backend, seed=9), "a plain sample is random"
    token = backend.tokenizer().encode(" knave")[0]
    forced = ids(backend, logit_bias={token: 100.0})
    assert forced and set(forced) == {token}, "a +100 bias makes the token certain"
    banned = ids(backend, temperature=0.0, logit_bias={greedy[0]: -100.0})
    assert banned[0] != greedy[0], "a -100 bias removes the token"
    if len(set(greedy)) < len(greedy):  # plain greedy repeats itself
        penalised = ids(backend, temperature=0.0, repetition_penalty=10.0)
        assert penalised != greedy
        fresh = ids(backend, temperature=0.0, presence_penalty=2.0, frequency_penalty=2.0)
        assert fresh != greedy


def check_guided_choice(backend: Backend) -> None:
    choices = ("knight", "knave")
    for seed in (1, 2, 3):
        request = GenerationRequest(
            prompt=PROMPT,
            params=SamplingParams(
                temperature=1.0, max_tokens=8, seed=seed, guided={"choice": choices}
            ),
        )
        [(_, result)] = list(backend.generate([request]))
        assert isinstance(result, Generation), result
        assert result.samples[0].text in choices
