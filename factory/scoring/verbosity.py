"""Verbosity of one trace: tokens, steps, hesitation markers, overthinking (SBT).

Token counts depend on the tokenizer, so every count records the tokenizer's name.
Without a named tokenizer, whitespace-separated words are counted (``"whitespace"``):
model-free and stable, but not comparable with a model's token counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from factory.backends.base import BackendError, Message, Tokenizer

WHITESPACE = "whitespace"

# Phrases of self-doubt and re-checking (SBT, OmniThought). Spaces match any whitespace;
# "double-check" also matches "double check" and "doublecheck".
HESITATION_MARKERS: tuple[str, ...] = (
    "wait",
    "hmm",
    "alternatively",
    "let me verify",
    "let me check",
    "double-check",
    "on second thought",
    "let me reconsider",
)


class WhitespaceTokenizer:
    """Words split on whitespace, the fallback when no tokenizer is named.

    Ids index a vocabulary this instance grows as it meets words; ``decode`` joins
    words with single spaces (the original spacing is not kept).
    """

    name = WHITESPACE

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._words: list[str] = []

    @property
    def eos_token_id(self) -> int | None:
        return None

    def encode(self, text: str) -> list[int]:
        ids = []
        for word in text.split():
            if word not in self._ids:
                self._ids[word] = len(self._words)
                self._words.append(word)
            ids.append(self._ids[word])
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self._words[i] for i in ids)

    def apply_chat_template(self, messages: Sequence[Message]) -> str:
        raise BackendError("tokenizer whitespace: it has no chat template; name a model's")


def load_named_tokenizer(name_or_path: str | None) -> Tokenizer:
    """A Hugging Face tokenizer by hub name or local path; ``None`` or "whitespace" gives
    the whitespace fallback. Raises ``BackendError`` naming it if it cannot be loaded."""
    if name_or_path is None or name_or_path == WHITESPACE:
        return WhitespaceTokenizer()
    from factory.backends.hf_tokenizer import load_hf_tokenizer

    return load_hf_tokenizer(name_or_path, name_or_path)


def count_tokens(text: str, tokenizer: Tokenizer | None = None) -> int:
    """Tokens of ``text`` without special tokens; whitespace words if no tokenizer."""
    if tokenizer is None:
        return len(text.split())
    return len(tokenizer.encode(text))


_BLANK_LINE = re.compile(r"\n\s*\n")
_NEWLINE = re.compile(r"\n")


def step_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the steps of ``text`` (see ``split_steps``)."""
    separator = _BLANK_LINE if _BLANK_LINE.search(text.strip()) else _NEWLINE
    bounds = [0, *(b for m in separator.finditer(text) for b in m.span()), len(text)]
    spans = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        piece = text[start:end]
        if piece.strip():
            spans.append((start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())))
    return spans


def split_steps(text: str) -> list[str]:
    """Steps of a trace: paragraphs (separated by blank lines) when the text has any,
    else non-empty lines. Long-CoT models write one thought per paragraph (SBT splits
    on blank lines); our solvers write one step per line with no blank lines at all.
    Steps are stripped; blank ones are dropped."""
    return [text[start:end] for start, end in step_spans(text)]


def step_at(text: str, offset: int) -> int | None:
    """1-based number of the step holding character ``offset``, or of the next step when
    it falls between steps; ``None`` past the last step."""
    for number, (_, end) in enumerate(step_spans(text), start=1):
        if offset < end:
            return number
    return None


def _marker_pattern(marker: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in marker.split()]
    body = r"\s+".join(words).replace(r"\-", r"[-\s]?")
    return re.compile(rf"\b{body}\b", re.IGNORECASE)


_PATTERNS = {marker: _marker_pattern(marker) for marker in HESITATION_MARKERS}


@dataclass(frozen=True)
class Hesitation:
    share: float  # steps with at least one marker / steps (0 for a text with no steps)
    counts: dict[str, int]  # occurrences of each marker in the whole text


def hesitation_share(text: str) -> Hesitation:
    """Share of steps that hesitate, and how often each marker occurs.

    Markers match whole words, case-insensitively ("Wait," counts; "await" does not).
    """
    steps = split_steps(text)
    hesitant = sum(any(p.search(step) for p in _PATTERNS.values()) for step in steps)
    counts = {marker: len(p.findall(text)) for marker, p in _PATTERNS.items()}
    return Hesitation(share=hesitant / len(steps) if steps else 0.0, counts=counts)


def overthinking_score(first_correct_step: int, steps: int, marker_share: float) -> float:
    """SBT overthinking score: 0.9·(1 − FS/steps) + 0.1·marker_share.

    FS is 1-based: the number of steps up to and including the first one that states
    the correct answer. A trace that reaches its answer only in its last step scores
    0 on the first term; the earlier the answer, the closer to 0.9. Traces that never
    state the correct answer have no FS and no score.
    """
    if not 1 <= first_correct_step <= steps:
        raise ValueError(f"first correct step must be in 1..{steps}, not {first_correct_step}")
    if not 0 <= marker_share <= 1:
        raise ValueError(f"marker share must be in [0, 1], not {marker_share}")
    return 0.9 * (1 - first_correct_step / steps) + 0.1 * marker_share


class TraceVerbosity(BaseModel):
    """Verbosity figures of one trace, joined to the rest on ``trace_id``."""

    model_config = ConfigDict(extra="forbid")

    trace_id: str
    tokenizer: str = Field(description="name or path of the tokenizer that counted tokens")
    tokens: int = Field(ge=0)
    steps: int = Field(ge=0)
    hesitation_share: float = Field(ge=0.0, le=1.0)
    first_correct_token: int | None = Field(
        default=None, ge=0, description="tokens before the first correct answer starts"
    )
    external_redundancy: float | None = Field(
        default=None, ge=0.0, le=1.0, description="share of tokens after the first correct answer"
    )
    overthinking: float | None = Field(
        default=None, ge=0.0, le=1.0, description="SBT overthinking score (needs a correct answer)"
    )
    rv: int | None = Field(default=None, ge=0, le=9, description="judge: reasoning verbosity")
    cd: int | None = Field(default=None, ge=0, le=9, description="judge: cognitive difficulty")
    judge_reason: str | None = Field(default=None, description="why a judge score is missing")


def measure(trace_id: str, text: str, tokenizer: Tokenizer, tokenizer_name: str) -> TraceVerbosity:
    """The model-free figures of one trace; first-correct and judge fields stay empty."""
    return TraceVerbosity(
        trace_id=trace_id,
        tokenizer=tokenizer_name,
        tokens=count_tokens(text, tokenizer),
        steps=len(split_steps(text)),
        hesitation_share=hesitation_share(text).share,
    )
