"""The ``transformers`` backend: a local causal LM decoded by our own batched KV-cache loop.

``model.generate`` is not used because it samples a whole batch from one random stream:
a seeded request's output would then depend on what else shares its batch. Here every
sample owns a ``torch.Generator`` seeded from the request's seed and the sample's index,
so a seeded request gives the same tokens alone or batched (up to float noise from
padding). Prompts are encoded without special tokens: the prompt text (or the rendered
chat template) is exactly the model input, as in the vLLM backends of this package.
Logprobs are ``log_softmax`` of the raw logits, before temperature and top_p, which is
what vLLM reports by default, so backends agree on the same model.

``torch`` and ``transformers`` are optional extras: only this module imports them.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import AutoModelForCausalLM

from factory.backends.base import (
    Backend,
    BackendError,
    FatalBackendError,
    Generation,
    GenerationRequest,
    RequestFailed,
    Sample,
    SamplingParams,
    ScoreRequest,
    TokenLogprob,
)
from factory.backends.hf_tokenizer import HFTokenizer, load_hf_tokenizer
from factory.backends.local_model import require_model_dir
from schemas.sampling import unsupported_option

DTYPES: dict[str, Any] = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "auto": "auto",
}

# One scored position: the continuation token's raw logprob and the k best (id, logprob).
_Scored = tuple[float, list[tuple[int, float]]]


def sample_seed(seed: int | None, index: int) -> int:
    """The generator seed of sample ``index``: fixed by the request seed, fresh without one."""
    if seed is None:
        return secrets.randbits(63)
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass
class _Slot:
    """One sample being decoded, with what it has produced so far."""

    request: int
    index: int
    params: SamplingParams
    prompt: list[int]
    limit: int
    generator: torch.Generator
    ids: list[int] = field(default_factory=list)
    logprobs: list[TokenLogprob] = field(default_factory=list)
    text: str | None = None
    finish: str | None = None

    def sample(self, tokenizer: HFTokenizer) -> Sample:
        text = self.text if self.text is not None else tokenizer.decode(self.ids)
        return Sample(
            text=text,
            finish_reason=self.finish or "length",
            num_tokens=len(self.ids),
            token_ids=tuple(self.ids),
            logprobs=tuple(self.logprobs) if self.params.logprobs is not None else None,
        )


@dataclass
class _Cache:
    """The decoding state of a batch: KV cache, attention mask, next position per row."""

    past: Any
    mask: torch.Tensor
    next_position: torch.Tensor


class TransformersBackend(Backend):
    """A Hugging Face causal LM on one device, decoding up to ``batch_size`` samples at once."""

    def __init__(
        self,
        model_path: str,
        *,
        name: str | None = None,
        chat_template: str | None = None,
        batch_size: int = 8,
        dtype: str = "float32",
        device: str = "cpu",
        revision: str | None = None,
    ) -> None:
        self.name = name or model_path
        if batch_size < 1:
            raise BackendError(f"model {self.name}: batch_size must be >= 1, not {batch_size}")
        if dtype not in DTYPES:
            raise BackendError(
                f"model {self.name}: unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}"
            )
        try:
            self._device = torch.device(device)
        except RuntimeError:
            raise BackendError(f"model {self.name}: unknown device {device!r}") from None
        if self._device.type == "cuda" and not torch.cuda.is_available():
            raise BackendError(f"model {self.name}: device {device!r} but CUDA is not available")
        require_model_dir(model_path)
        self._batch_size = batch_size
        self._tokenizer = load_hf_tokenizer(model_path, self.name, chat_template, revision)
        try:
            model = AutoModelForCausalLM.from_pretrained(
                model_path, revision=revision, dtype=DTYPES[dtype]
            )
        except (OSError, ValueError) as error:
            raise BackendError(
                f"model {self.name}: cannot load a causal LM from {model_path}: {error}"
            ) from None
        self._model: Any = model.to(self._device).eval()
        if self._device.type == "cpu":
            _limit_cpu_threads()
        config = self._model.config
        self._max_positions: int | None = getattr(config, "max_position_embeddings", None)
        self._eos = _eos_ids(self._tokenizer.eos_token_id, self._model.generation_config)
        # Padding is masked out, so any valid id will do.
        self._pad = self._tokenizer.eos_token_id or 0
        forward_args = inspect.signature(self._model.forward).parameters
        self._keeps_logits = "logits_to_keep" in forward_args
        self._token_texts: dict[int, str] = {}
        self._vocab_size: int = self._model.get_input_embeddings().num_embeddings

    def tokenizer(self) -> HFTokenizer:
        return self._tokenizer

    def close(self) -> None:
        if self._model is None:
            return
        self._model = None
        gc.collect()
        if self._device.type == "cuda":
            torch.cuda.empty_cache()

    def _loaded(self) -> Any:
        if self._model is None:
            raise BackendError(f"model {self.name}: the backend is closed")
        return self._model

    def _unfit(self, prompt: list[int]) -> str | None:
        """Why the model cannot take ``prompt``, if it cannot."""
        if not prompt:
            return f"model {self.name}: the prompt has no tokens"
        if self._max_positions is not None and len(prompt) >= self._max_positions:
            return (
                f"model {self.name}: the prompt has {len(prompt)} tokens; the model's context "
                f"holds {self._max_positions}"
            )
        return self._outside_vocabulary(prompt)

    def _outside_vocabulary(self, ids: Sequence[int]) -> str | None:
        """Token ids given by the caller are checked: a bad one would fail deep in torch."""
        bad = [i for i in ids if not 0 <= i < self._vocab_size]
        if bad:
            return (
                f"model {self.name}: token id {bad[0]} is outside the vocabulary "
                f"(0..{self._vocab_size - 1})"
            )
        return None

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        self._loaded()
        for request in requests:
            why = unsupported_option(request.params, "transformers")
            if why is not None:
                raise FatalBackendError(f"model {self.name}: {why}")
        prompts = [self._tokenizer.prompt_ids(request) for request in requests]
        slots: list[_Slot] = []
        # Similar lengths share a batch (less padding); a request's samples stay together.
        for i in sorted(range(len(requests)), key=lambda i: len(prompts[i])):
            problem = self._unfit(prompts[i])
            if problem is not None:
                yield i, RequestFailed(error=problem)
                continue
            params = requests[i].params
            limit = params.max_tokens
            if self._max_positions is not None:
                limit = min(limit, self._max_positions - len(prompts[i]))
            for j in range(params.n):
                generator = torch.Generator().manual_seed(sample_seed(params.seed, j))
                slots.append(_Slot(i, j, params, prompts[i], limit, generator))
        finished: dict[int, list[_Slot]] = {}
        for start in range(0, len(slots), self._batch_size):
            for slot in self._decode(slots[start : start + self._batch_size]):
                done = finished.setdefault(slot.request, [])
                done.append(slot)
                if len(done) == slot.params.n:
                    del finished[slot.request]
                    done.sort(key=lambda s: s.index)
                    samples = tuple(s.sample(self._tokenizer) for s in done)
                    yield slot.request, Generation(samples=samples, prompt_tokens=len(slot.prompt))

    def _decode(self, slots: list[_Slot]) -> Iterator[_Slot]:
        """Decode one batch, yielding each sample as it finishes."""
        cache, logits = self._prefill([slot.prompt for slot in slots])
        active = slots
        while True:
            tokens, chosen, top_logprobs, top_ids = self._pick(logits, active)
            keep = []
            for row, slot in enumerate(active):
                top = (
                    []
                    if top_ids is None
                    else list(zip(top_ids[row], top_logprobs[row], strict=True))
                )
                if self._push(slot, tokens[row], chosen[row], top):
                    yield slot
                else:
                    keep.append(row)
            if not keep:
                return
            if len(keep) < len(active):
                self._select(cache, keep)
                active = [active[row] for row in keep]
                tokens = [tokens[row] for row in keep]
            logits = self._advance(cache, tokens)

    def _push(
        self, slot: _Slot, token: int, logprob: float | None, top: list[tuple[int, float]]
    ) -> bool:
        """Append ``token`` to ``slot``; True when the sample is finished."""
        slot.ids.append(token)
        k = slot.params.logprobs
        if k is not None and logprob is not None:
            slot.logprobs.append(self._token_logprob(token, logprob, top[:k]))
        if token in self._eos:
            slot.finish = "stop"
            return True
        if slot.params.stop:
            text = self._tokenizer.decode(slot.ids)
            cuts = [cut for cut in (text.find(stop) for stop in slot.params.stop) if cut >= 0]
            if cuts:
                slot.text = text[: min(cuts)]
                slot.finish = "stop"
                return True
        if len(slot.ids) >= slot.limit:
            slot.finish = "length"
            return True
        return False

    def _token_logprob(
        self, token: int, logprob: float, top: Sequence[tuple[int, float]]
    ) -> TokenLogprob:
        return TokenLogprob(
            token=self._token_text(token),
            token_id=token,
            logprob=logprob,
            top=tuple((self._token_text(i), value) for i, value in top),
            top_ids=tuple(i for i, _ in top),
        )

    def _token_text(self, token: int) -> str:
        """A token's own text, special tokens included (as vLLM reports it in logprobs)."""
        text = self._token_texts.get(token)
        if text is None:
            text = self._tokenizer.token_text(token)
            self._token_texts[token] = text
        return text

    def _padded(self, sequences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Left-padded ids and their attention mask: every row ends in the last column."""
        width = max(len(sequence) for sequence in sequences)
        ids = torch.full((len(sequences), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(sequences), width), dtype=torch.long)
        for row, sequence in enumerate(sequences):
            if sequence:
                ids[row, width - len(sequence) :] = torch.tensor(sequence, dtype=torch.long)
                mask[row, width - len(sequence) :] = 1
        return ids.to(self._device), mask.to(self._device)

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor, keep: int, **kwargs: Any) -> Any:
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        if self._keeps_logits:
            kwargs["logits_to_keep"] = keep
        output = self._loaded()(
            input_ids=ids, attention_mask=mask, position_ids=positions, **kwargs
        )
        return output, positions

    @torch.inference_mode()
    def _prefill(self, prompts: list[list[int]]) -> tuple[_Cache, torch.Tensor]:
        ids, mask = self._padded(prompts)
        output, positions = self._forward(ids, mask, 1, use_cache=True)
        cache = _Cache(output.past_key_values, mask, positions[:, -1] + 1)
        return cache, output.logits[:, -1]

    @torch.inference_mode()
    def _advance(self, cache: _Cache, tokens: list[int]) -> torch.Tensor:
        ids = torch.tensor(tokens, dtype=torch.long, device=self._device)[:, None]
        cache.mask = torch.cat([cache.mask, torch.ones_like(ids)], dim=1)
        model = self._loaded()
        output = model(
            input_ids=ids,
            attention_mask=cache.mask,
            position_ids=cache.next_position[:, None],
            past_key_values=cache.past,
            use_cache=True,
        )
        cache.past = output.past_key_values
        cache.next_position = cache.next_position + 1
        return output.logits[:, -1]

    @torch.inference_mode()
    def _select(self, cache: _Cache, rows: list[int]) -> None:
        """Drop finished rows from the batch so that they cost nothing more."""
        index = torch.tensor(rows, dtype=torch.long, device=self._device)
        cache.past.reorder_cache(index)
        cache.mask = cache.mask[index]
        cache.next_position = cache.next_position[index]

    @torch.inference_mode()
    def _pick(
        self, logits: torch.Tensor, slots: list[_Slot]
    ) -> tuple[list[int], list[float | None], list[list[float]] | None, list[list[int]] | None]:
        """Next token per row; its raw logprob and the top-k raw logprobs where asked for."""
        logits = _full_precision(logits)
        shaped = _shaped_logits(logits, slots)
        tokens = shaped.argmax(-1)
        rows = [row for row, slot in enumerate(slots) if slot.params.temperature > 0]
        if rows:
            tokens[rows] = self._sample(shaped[rows], [slots[row] for row in rows])
        if all(slot.params.logprobs is None for slot in slots):
            return tokens.tolist(), [None] * len(slots), None, None
        k = max((slot.params.logprobs or 0) for slot in slots)
        raw = torch.log_softmax(logits, dim=-1)
        chosen = raw.gather(1, tokens[:, None])[:, 0].tolist()
        if k == 0:
            return tokens.tolist(), chosen, None, None
        values, ids = raw.topk(k, dim=-1)
        return tokens.tolist(), chosen, values.tolist(), ids.tolist()

    def _sample(self, logits: torch.Tensor, slots: list[_Slot]) -> torch.Tensor:
        """Temperature and top_p sampling, one uniform draw from each sample's own generator.

        Every row is sorted, top_p or not: the inverse-CDF pick must not depend on what else
        shares the batch.
        """
        temperature = torch.tensor([s.params.temperature for s in slots], device=logits.device)
        probs = torch.softmax(logits / temperature[:, None], dim=-1)
        probs, order = probs.sort(dim=-1, descending=True, stable=True)
        probs = _top_k_min_p(probs, slots)
        # top_p = 1 keeps everything; 2.0 keeps float rounding of the cumsum from cutting.
        top_p = [s.params.top_p if s.params.top_p < 1.0 else 2.0 for s in slots]
        threshold = torch.tensor(top_p, device=logits.device)[:, None]
        # Keep the smallest prefix whose mass reaches top_p (the best token always stays).
        probs = probs.masked_fill(probs.cumsum(-1) - probs >= threshold, 0.0)
        cdf = probs.double().cumsum(-1)
        draws = torch.cat(
            [torch.rand(1, generator=s.generator, dtype=torch.float64) for s in slots]
        )
        target = draws.to(logits.device)[:, None] * cdf[:, -1:]
        picked = torch.searchsorted(cdf, target, right=True).clamp(max=cdf.shape[-1] - 1)
        return order.gather(1, picked)[:, 0]

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        return [[logprob for logprob, _ in steps] for steps in self._score(requests, 0)]

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        return [
            [
                self._token_logprob(token, logprob, top)
                for token, (logprob, top) in zip(request.continuation, steps, strict=True)
            ]
            for request, steps in zip(requests, self._score(requests, k), strict=True)
        ]

    def _score(self, requests: Sequence[ScoreRequest], k: int) -> list[list[_Scored]]:
        """Per request and continuation token: its raw logprob and the k best (id, logprob)."""
        self._loaded()
        if k < 0:
            raise BackendError(f"model {self.name}: score_top needs k >= 0, not {k}")
        for i, request in enumerate(requests):
            length = len(request.prefix) + len(request.continuation)
            if self._max_positions is not None and length > self._max_positions:
                raise BackendError(
                    f"model {self.name}: score request {i} has {length} tokens; the model's "
                    f"context holds {self._max_positions}"
                )
            problem = self._outside_vocabulary(request.prefix + request.continuation)
            if problem is not None:
                raise BackendError(f"{problem} (score request {i})")
        results: list[list[_Scored]] = [[] for _ in requests]
        order = sorted(range(len(requests)), key=lambda i: len(requests[i].prefix))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            scored = self._score_batch([requests[i] for i in chunk], k)
            for i, values in zip(chunk, scored, strict=True):
                results[i] = values
        return results

    @torch.inference_mode()
    def _score_batch(self, requests: list[ScoreRequest], k: int) -> list[list[_Scored]]:
        """With left padding every continuation ends in the last column: keep only those logits."""
        ids, mask = self._padded([r.prefix + r.continuation for r in requests])
        keep = max(len(r.continuation) for r in requests) + 1
        output, _ = self._forward(ids, mask, keep, use_cache=False)
        raw = torch.log_softmax(_full_precision(output.logits[:, -keep:-1]), dim=-1)
        targets = ids[:, -keep + 1 :]
        chosen = raw.gather(2, targets[:, :, None])[:, :, 0].tolist()
        width = keep - 1
        if k > 0:
            values, top_ids = raw.topk(min(k, raw.shape[-1]), dim=-1)
            tops = [
                [list(zip(i_row, v_row, strict=True)) for i_row, v_row in zip(i, v, strict=True)]
                for i, v in zip(top_ids.tolist(), values.tolist(), strict=True)
            ]
        else:
            tops = [[[] for _ in range(width)] for _ in requests]
        return [
            list(zip(row, top, strict=True))[width - len(r.continuation) :]
            for row, top, r in zip(chosen, tops, requests, strict=True)
        ]


def _shaped_logits(logits: torch.Tensor, slots: list[_Slot]) -> torch.Tensor:
    """Logits after logit_bias and the repetition, frequency and presence penalties (in
    vLLM's order and sense); the raw ones stay for the reported logprobs."""
    shaped = None
    for row, slot in enumerate(slots):
        params = slot.params
        if not (
            params.logit_bias
            or params.repetition_penalty
            or params.presence_penalty
            or params.frequency_penalty
        ):
            continue
        shaped = logits.clone() if shaped is None else shaped
        values = shaped[row]
        for token, bias in params.logit_bias or ():
            if token < values.shape[0]:
                values[token] += bias
        if params.repetition_penalty and params.repetition_penalty != 1.0:
            seen = torch.tensor(sorted({*slot.prompt, *slot.ids}), device=values.device)
            picked = values[seen]
            penalty = params.repetition_penalty
            values[seen] = torch.where(picked > 0, picked / penalty, picked * penalty)
        if (params.presence_penalty or params.frequency_penalty) and slot.ids:
            ids = torch.tensor(slot.ids, device=values.device)
            counts = torch.bincount(ids, minlength=values.shape[0])[: values.shape[0]]
            values -= (params.frequency_penalty or 0.0) * counts
            values -= (params.presence_penalty or 0.0) * (counts > 0)
    return logits if shaped is None else shaped


def _top_k_min_p(probs: torch.Tensor, slots: list[_Slot]) -> torch.Tensor:
    """Zero what top_k and min_p cut from probabilities sorted best first, renormalised."""
    cut = False
    for row, slot in enumerate(slots):
        top_k, min_p = slot.params.top_k, slot.params.min_p
        if top_k is not None and top_k < probs.shape[-1]:
            probs[row, top_k:] = 0.0
            cut = True
        if min_p:
            probs[row] = probs[row].masked_fill(probs[row] < min_p * probs[row, 0], 0.0)
            cut = True
    return probs / probs.sum(-1, keepdim=True) if cut else probs


def _eos_ids(tokenizer_eos: int | None, generation_config: Any) -> frozenset[int]:
    """The tokenizer's eos plus the model's generation-config eos ids (vLLM stops at both)."""
    ids = set() if tokenizer_eos is None else {tokenizer_eos}
    extra = getattr(generation_config, "eos_token_id", None)
    if isinstance(extra, int):
        ids.add(extra)
    elif extra is not None:
        ids.update(extra)
    return frozenset(ids)


def _limit_cpu_threads() -> None:
    """Use at most the CPUs this process may run on: torch counts the whole machine's cores."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    if torch.get_num_threads() > usable:
        torch.set_num_threads(usable)


def _full_precision(logits: torch.Tensor) -> torch.Tensor:
    """Half-precision logits go to float32 before softmax; float64 ones stay float64."""
    return logits if logits.dtype == torch.float64 else logits.float()
