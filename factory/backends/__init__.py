"""Model backends behind one interface (``base.Backend``), opened from a teacher config.

Heavy packages (vllm, torch, transformers) are imported only when a backend of that
kind is opened, so the base install and cached reruns never need them.
"""

from __future__ import annotations

from pathlib import Path

from factory.backends.base import Backend
from factory.backends.identity import model_identity
from factory.backends.loaded import load_once
from factory.backends.local_model import require_model_dir
from schemas.config import ModelSpec


def open_backend(teacher: ModelSpec, seed: int) -> Backend:
    """Load the model (or connect to its endpoints)."""
    if teacher.backend == "openai":
        from factory.backends.hf_tokenizer import load_hf_tokenizer
        from factory.backends.openai import OpenAIBackend

        tokenizer = None
        if teacher.tokenizer is not None:
            tokenizer = load_hf_tokenizer(teacher.tokenizer, teacher.model, teacher.chat_template)
        return OpenAIBackend(
            teacher.model,
            teacher.endpoints,
            api_key_env=teacher.api_key_env,
            concurrency=teacher.concurrency,
            timeout_s=teacher.timeout_s,
            max_retries=teacher.max_retries,
            tokenizer=tokenizer,
            requests_per_minute=teacher.requests_per_minute,
            tokens_per_minute=teacher.tokens_per_minute,
        )
    require_model_dir(teacher.model)
    if teacher.backend == "vllm":
        from factory.backends.vllm_engine import VLLMBackend

        return VLLMBackend(
            teacher.model,
            chat_template=teacher.chat_template,
            revision=teacher.revision,
            seed=seed,
            engine_args=teacher.engine_args,
        )
    from factory.backends.transformers_backend import TransformersBackend

    return TransformersBackend(
        teacher.model,
        chat_template=teacher.chat_template,
        batch_size=teacher.batch_size,
        revision=teacher.revision,
        **teacher.engine_args,
    )


def shared_backend(teacher: ModelSpec, seed: int) -> Backend:
    """One backend per model config per process (``factory.backends.loaded``)."""
    key = f"backend:{seed}:{teacher.model_dump_json()}"
    return load_once(key, lambda: open_backend(teacher, seed))


def teacher_identity(teacher: ModelSpec, memo_dir: Path) -> str:
    return model_identity(teacher.backend, teacher.model, teacher.revision, memo_dir)
