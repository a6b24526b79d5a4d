"""One interface for every model backend: generate samples, score continuations, tokenize.

A backend is created lazily (see ``factory.backends.open_backend``): a build whose
requests are all cached never loads a model. ``generate`` yields results in
completion order, so callers persist each one as soon as it exists and a crash loses
at most the requests in flight.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from factory.errors import FactoryError
from schemas.sampling import SamplingParams

__all__ = ["SamplingParams"]  # re-exported: backends take it with their requests


class BackendError(FactoryError):
    """A model or endpoint cannot serve: the message names the model or endpoint."""


class FatalBackendError(BackendError):
    """No retry can fix it (endpoint unreachable from the start, unknown model, refused
    credentials, a request the server rejects): the whole build stops at once."""


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(Frozen):
    role: Literal["system", "user", "assistant"]
    content: str


class GenerationRequest(Frozen):
    """Exactly one of: a plain prompt, chat messages, or prompt token ids (used as is)."""

    prompt: str | None = None
    messages: tuple[Message, ...] | None = None
    prompt_token_ids: tuple[int, ...] | None = None
    params: SamplingParams = SamplingParams()

    def model_post_init(self, _context: Any) -> None:
        given = [self.prompt, self.messages, self.prompt_token_ids]
        if sum(part is not None for part in given) != 1:
            raise ValueError(
                "a GenerationRequest has exactly one of `prompt`, `messages`, `prompt_token_ids`"
            )


class TokenLogprob(Frozen):
    """One generated token: its logprob under the model (before temperature/top_p)."""

    token: str
    token_id: int | None = None
    logprob: float
    top: tuple[tuple[str, float], ...] = Field(
        default=(), description="the k most likely tokens at this step, best first"
    )
    top_ids: tuple[int, ...] | None = Field(
        default=None, description="token ids of `top`, same order, where the backend knows them"
    )


class Sample(Frozen):
    text: str
    finish_reason: str = Field(description="'stop', 'length', or the backend's word")
    num_tokens: int
    token_ids: tuple[int, ...] | None = None
    logprobs: tuple[TokenLogprob, ...] | None = None


class Generation(Frozen):
    """All ``n`` samples of one request."""

    samples: tuple[Sample, ...]
    prompt_tokens: int


class RequestFailed(Frozen):
    """A request the backend gave up on (malformed or truncated responses after retries).

    It is reported, never cached: a rerun asks again.
    """

    error: str


class ScoreRequest(Frozen):
    """Log-probabilities of ``continuation`` token by token, after ``prefix``."""

    prefix: tuple[int, ...] = Field(min_length=1)
    continuation: tuple[int, ...] = Field(min_length=1)


class Tokenizer(Protocol):
    @property
    def eos_token_id(self) -> int | None: ...

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` with no special tokens added."""

    def decode(self, ids: Sequence[int]) -> str: ...

    def apply_chat_template(self, messages: Sequence[Message]) -> str:
        """The prompt text for ``messages``, ending where the assistant's turn starts.

        Raises ``BackendError`` naming the model when it has no chat template.
        """


class Backend(ABC):
    """A loaded model (or a set of endpoints serving one)."""

    name: str
    score_top_per_position: bool = False
    """True where ``score_top`` costs a request per continuation position (HTTP servers),
    so that callers ask it only at the positions they need."""
    thread_safe: bool = False
    """True where several threads may call the backend at once (HTTP servers); in-process
    engines take one caller at a time."""

    @abstractmethod
    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        """Yield ``(index into requests, result)`` as each request completes."""

    @abstractmethod
    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        """For each request, one logprob per continuation token (prompt logprobs)."""

    @abstractmethod
    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        """Like ``score``, with more at each continuation position: ``token_id`` (the
        continuation token), and the model's ``k`` most likely tokens given everything
        before that position in ``top`` (text, logprob; best first) and ``top_ids``
        (their ids, same order). RSD needs ids: token texts are ambiguous."""

    @abstractmethod
    def tokenizer(self) -> Tokenizer: ...

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release engines, connections and worker threads."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
