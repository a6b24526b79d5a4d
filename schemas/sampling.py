"""Decoding parameters of a model request (the teacher config and backends share them)."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

# Options added after the first release: left out of the serialised form while unset, so
# cache keys and trace ids of requests that do not use them stay what they were.
OPTIONAL_FIELDS = (
    "top_k",
    "min_p",
    "repetition_penalty",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "guided",
    "extra_body",
)


class Guided(BaseModel):
    """Constrained output: exactly one of a JSON schema, a regular expression, or a
    choice among strings (HTTP: ``response_format`` or vLLM's ``structured_outputs``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    json_schema: dict[str, Any] | None = None
    regex: str | None = Field(default=None, min_length=1)
    choice: tuple[str, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Guided:
        given = [name for name in ("json_schema", "regex", "choice") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("guided: give exactly one of `json_schema`, `regex`, `choice`")
        return self

    @property
    def kind(self) -> str:
        return next(n for n in ("json_schema", "regex", "choice") if getattr(self, n))


class SamplingParams(BaseModel):
    """Decoding parameters of one request; every field is part of the cache key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(default=0.7, ge=0.0, le=10.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=1024, ge=1, le=1_000_000)
    stop: tuple[str, ...] = ()
    seed: int | None = Field(default=None, ge=0)
    n: int = Field(default=1, ge=1, le=1024)
    logprobs: int | None = Field(
        default=None, ge=0, le=20, description="top-k alternatives per generated token"
    )
    top_k: int | None = Field(default=None, ge=1, description="sample from the k best tokens")
    min_p: float | None = Field(
        default=None, ge=0.0, le=1.0, description="drop tokens below min_p x the best's probability"
    )
    repetition_penalty: float | None = Field(
        default=None, gt=0.0, le=10.0, description="> 1 discourages tokens already in the text"
    )
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    logit_bias: tuple[tuple[int, float], ...] | None = Field(
        default=None, description="token id -> bias added to its logit (-100..100)"
    )
    guided: Guided | None = Field(default=None, description="constrained (structured) output")
    extra_body: dict[str, Any] | None = Field(
        default=None, description="HTTP only: fields merged into the request body as they are"
    )

    @field_validator("logit_bias", mode="before")
    @classmethod
    def _bias_pairs(cls, value: Any) -> Any:
        """Given as a mapping (token id -> bias); kept as sorted pairs (hashable, stable)."""
        if isinstance(value, dict):
            value = list(value.items())
        if isinstance(value, list | tuple):
            pairs = sorted((int(token), float(bias)) for token, bias in value)
            for token, bias in pairs:
                if token < 0 or not -100.0 <= bias <= 100.0:
                    raise ValueError(f"logit_bias: {token}: {bias} (ids >= 0, biases in -100..100)")
            return tuple(pairs) or None
        return value

    @model_serializer(mode="wrap")
    def _without_unset_options(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        for name in OPTIONAL_FIELDS:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    def options_in_use(self) -> list[str]:
        """The names of the optional fields this request sets."""
        return [name for name in OPTIONAL_FIELDS if getattr(self, name) is not None]


# What each backend cannot do, by option name (everything else passes through).
UNSUPPORTED_OPTIONS: dict[str, frozenset[str]] = {
    "openai": frozenset(),
    "vllm": frozenset({"extra_body"}),
    "transformers": frozenset({"guided", "extra_body"}),
}
WHY_UNSUPPORTED = {
    "extra_body": "it is merged into HTTP request bodies; only the openai backend sends any",
    "guided": "constrained decoding needs vLLM (in process or served)",
}


def unsupported_option(params: SamplingParams, backend: str) -> str | None:
    """Why ``backend`` cannot honour ``params``, naming the first field it lacks; None if
    it can."""
    for name in params.options_in_use():
        if name in UNSUPPORTED_OPTIONS.get(backend, frozenset()):
            return (
                f"sampling.{name}: the {backend} backend does not take it ({WHY_UNSUPPORTED[name]})"
            )
    return None
