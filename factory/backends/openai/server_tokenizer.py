"""The served model's tokenizer through vLLM's ``/tokenize`` and ``/detokenize``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from factory.backends.base import BackendError, Message
from factory.backends.openai.encoding import field, int_list

if TYPE_CHECKING:
    from factory.backends.openai.backend import OpenAIBackend

T = TypeVar("T")


class ServerTokenizer:
    """Unlike a local tokenizer, ``decode`` keeps special tokens (vLLM's ``/detokenize``
    has no switch for it), and ``eos_token_id`` is None: the server does not say it.
    Pass ``tokenizer=`` to the backend where either matters.
    """

    def __init__(self, backend: OpenAIBackend) -> None:
        self._backend = backend

    @property
    def eos_token_id(self) -> int | None:
        return None

    def encode(self, text: str) -> list[int]:
        return self._tokenize({"prompt": text, "add_special_tokens": False})

    def decode(self, ids: Sequence[int]) -> str:
        body = {"model": self._backend.name, "tokens": list(ids)}
        return self._request("/detokenize", body, lambda d: field(d, "prompt", str, "detokenize"))

    def apply_chat_template(self, messages: Sequence[Message]) -> str:
        # vLLM renders the template only into ids; decoding them back is exact for the
        # byte-level tokenizers chat models use, and keeps the template's special tokens.
        ids = self._tokenize(
            {"messages": [m.model_dump() for m in messages], "add_generation_prompt": True}
        )
        return self.decode(ids)

    def _tokenize(self, body: dict[str, Any]) -> list[int]:
        body = {"model": self._backend.name, **body}
        return self._request(
            "/tokenize",
            body,
            lambda d: int_list(field(d, "tokens", list, "tokenize"), "tokenize"),
        )

    def _request(self, route: str, body: dict[str, Any], parse: Callable[[Any], T]) -> T:
        try:
            return self._backend.call_here(route, body, parse)
        except BackendError as error:
            if "HTTP 404" not in str(error) and "HTTP 405" not in str(error):
                raise
            raise type(error)(
                f"{error} (the server-side tokenizer needs vLLM's {route}; "
                "for other servers pass a local `tokenizer`)"
            ) from None
