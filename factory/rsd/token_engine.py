"""Token-by-token RSD: teacher and student in this process, each with its own KV cache.

Every emitted token costs one teacher and one student forward pass (of one token, on
the cache). This is the reference the chunked engine must reproduce exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from transformers import AutoModelForCausalLM

from factory.backends.base import BackendError
from factory.backends.local_model import require_model_dir
from factory.rsd.decoding import Emitted, RSDSample
from factory.rsd.rule import draw, pick, rsd_step, sampling_distribution
from factory.rsd.vocab import SharedVocab
from schemas.config import RSDParams

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


class StepModel:
    """A causal LM advanced one token at a time on its KV cache (batch of one)."""

    def __init__(self, path: str, dtype: str = "float32", device: str = "cpu") -> None:
        require_model_dir(path, always=True)
        try:
            model = AutoModelForCausalLM.from_pretrained(path, dtype=DTYPES[dtype])
        except (OSError, ValueError, KeyError) as error:
            raise BackendError(f"model {path}: cannot load a causal LM: {error}") from None
        self.path = path
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.calls = 0
        self._past: Any = None

    @torch.inference_mode()
    def start(self, prompt_ids: Sequence[int]) -> torch.Tensor:
        """Log-probabilities of the next token after the prompt (a fresh cache)."""
        self._past = None
        return self._forward(list(prompt_ids))

    @torch.inference_mode()
    def append(self, token_id: int) -> torch.Tensor:
        return self._forward([token_id])

    def _forward(self, ids: list[int]) -> torch.Tensor:
        self.calls += 1
        inputs = torch.tensor([ids], device=self.device)
        output = self.model(input_ids=inputs, past_key_values=self._past, use_cache=True)
        self._past = output.past_key_values
        return torch.log_softmax(output.logits[0, -1].double(), dim=-1)


def top_k(logprobs: torch.Tensor, k: int) -> list[tuple[int, float]]:
    values, ids = torch.topk(logprobs, k)
    return list(zip(ids.tolist(), values.tolist(), strict=True))


def decode_token_by_token(
    teacher: StepModel,
    student: StepModel,
    vocab: SharedVocab,
    params: RSDParams,
    teacher_prompt: Sequence[int],
    student_prompt: Sequence[int],
    student_eos: int | None,
    seed: int,
) -> RSDSample:
    if teacher is student:
        raise ValueError("teacher and student need a StepModel each: one KV cache per context")
    teacher_calls, student_calls = teacher.calls, student.calls
    emitted = Emitted(student_eos, params.max_tokens)
    teacher_logprobs = teacher.start(teacher_prompt)
    student_logprobs = student.start(student_prompt)
    while True:
        step = rsd_step(
            params,
            seed,
            emitted.position,
            lambda now=teacher_logprobs: top_k(now, params.k),
            lambda now=student_logprobs: top_k(now, params.k),
            lambda token, now=student_logprobs: float(now[token]),
            vocab.teacher_to_student,
            vocab.student_to_teacher,
        )
        emitted.add(step)
        if emitted.done:
            break
        teacher_logprobs = teacher.append(step.teacher_id)
        student_logprobs = student.append(step.student_id)
    return emitted.sample(teacher.calls - teacher_calls, student.calls - student_calls)


def decode_plain(
    model: StepModel,
    params: RSDParams,
    prompt: Sequence[int],
    eos: int | None,
    seed: int,
    trial: int,
) -> list[int]:
    """Plain sampling of one model with RSD's distribution and draws ``draw(seed, t, trial)``:
    the baseline RSD must reduce to (teacher with trial 0 when every candidate is
    accepted; student with trial ``trials`` when none is)."""
    tokens: list[int] = []
    logprobs = model.start(prompt)
    while len(tokens) < params.max_tokens:
        distribution = sampling_distribution(
            top_k(logprobs, params.k), params.temperature, params.top_p
        )
        token = pick(distribution, draw(seed, len(tokens), trial))
        if token == eos:
            break
        tokens.append(token)
        logprobs = model.append(token)
    return tokens
