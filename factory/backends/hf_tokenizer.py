"""The ``Tokenizer`` of local models (vLLM engine and transformers), over a HF tokenizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from factory.backends.base import BackendError, GenerationRequest, Message


class HFTokenizer:
    """Wraps a Hugging Face tokenizer; ``chat_template`` overrides the model's own."""

    def __init__(self, tokenizer: Any, model: str, chat_template: str | None = None) -> None:
        self._tokenizer = tokenizer
        self._model = model
        self._chat_template = chat_template

    @property
    def eos_token_id(self) -> int | None:
        return self._tokenizer.eos_token_id

    def encode(self, text: str) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=False))

    def decode(self, ids: Sequence[int]) -> str:
        return self._tokenizer.decode(list(ids), skip_special_tokens=True)

    def vocab(self) -> dict[str, int]:
        """Token string → id, special tokens included."""
        return dict(self._tokenizer.get_vocab())

    def token_text(self, token_id: int) -> str:
        """One token's text with special tokens kept, as vLLM reports it in logprobs."""
        return self._tokenizer.decode([token_id])

    def prompt_ids(self, request: GenerationRequest) -> list[int]:
        """The exact model input of a request: its token ids, or its prompt text or
        rendered chat messages encoded without added special tokens."""
        if request.prompt_token_ids is not None:
            return list(request.prompt_token_ids)
        if request.messages is not None:
            return self.encode(self.apply_chat_template(request.messages))
        return self.encode(request.prompt or "")

    def apply_chat_template(self, messages: Sequence[Message]) -> str:
        template = self._chat_template or getattr(self._tokenizer, "chat_template", None)
        if not template:
            raise BackendError(
                f"model {self._model}: its tokenizer has no chat template; set "
                "`teacher.chat_template` or use `teacher.chat: false` for plain prompts"
            )
        return self._tokenizer.apply_chat_template(
            [m.model_dump() for m in messages],
            chat_template=template,
            tokenize=False,
            add_generation_prompt=True,
        )


def load_hf_tokenizer(
    path: str, model: str, chat_template: str | None = None, revision: str | None = None
) -> HFTokenizer:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, revision=revision)
    except (OSError, ValueError) as error:
        raise BackendError(
            f"model {model}: cannot load its tokenizer from {path}: {error}"
        ) from None
    return HFTokenizer(tokenizer, model, chat_template)
