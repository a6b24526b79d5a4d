"""Shared answer extraction: the last ``<answer>…</answer>`` outside of ``<think>``.

Rules:
- If the text contains ``</think>``, only what follows the last ``</think>`` is
  the response; the thinking (before it, its first ``<think>`` removed) is returned
  separately.
- If ``<think>`` is opened and never closed, the response was cut off inside its
  thinking: there is no answer.
- The answer is the content of the last complete ``<answer>…</answer>`` pair in the
  response, stripped: from the last ``<answer>`` that some ``</answer>`` follows, up to
  the first ``</answer>`` after it. Tags are matched ignoring ASCII case.
- Texts longer than ``MAX_TEXT_CHARS`` and answers longer than ``MAX_ANSWER_CHARS`` are
  refused, so that no verifier ever spends unbounded time on a runaway output.

Extraction runs in time linear in the text: the tags are found with a few
``bytes.find``/``rfind`` calls on one case-folded copy, never with a backtracking regex
(``<answer>(.*?)</answer>`` is quadratic on a text of unclosed ``<answer>`` tags).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ANSWER_CHARS = 20_000
MAX_TEXT_CHARS = 4_000_000
"""About a million tokens: far beyond any completion, small enough to scan in milliseconds."""

_THINK_OPEN, _THINK_CLOSE = b"<think>", b"</think>"
_ANSWER_OPEN, _ANSWER_CLOSE = b"<answer>", b"</answer>"


@dataclass(frozen=True)
class Extraction:
    answer: str | None
    thinking: str | None
    reason: str


def _folded(text: str) -> bytes:
    """``text`` as ASCII bytes, letters lowercased and every other character one ``?``: the
    same indices as ``text``, so the tags are found case-insensitively by byte search."""
    return text.encode("ascii", "replace").lower()


def _split(text: str, folded: bytes) -> tuple[str | None, int | None]:
    """(thinking, where the response starts); the start is None when the thinking never ends."""
    close = folded.rfind(_THINK_CLOSE)
    if close >= 0:
        opened = folded.find(_THINK_OPEN, 0, close)
        thinking = text[:close]
        if opened >= 0:
            thinking = thinking[:opened] + thinking[opened + len(_THINK_OPEN) :]
        return thinking.strip(), close + len(_THINK_CLOSE)
    if folded.find(_THINK_OPEN) >= 0:
        return text, None
    return None, 0


def split_thinking(text: str) -> tuple[str | None, str | None]:
    """(thinking, response); response is None when the thinking never ends."""
    thinking, start = _split(text, _folded(text))
    return thinking, None if start is None else text[start:]


def _last_answer(text: str, folded: bytes, start: int) -> str | None:
    """The stripped content of the last complete answer pair at or after ``start``."""
    last_close = folded.rfind(_ANSWER_CLOSE, start)
    opened = folded.rfind(_ANSWER_OPEN, start, last_close) if last_close >= 0 else -1
    if opened < 0:
        return None
    begin = opened + len(_ANSWER_OPEN)
    return text[begin : folded.find(_ANSWER_CLOSE, begin)].strip()


def extract_answer(text: str) -> Extraction:
    if len(text) > MAX_TEXT_CHARS:
        return Extraction(None, None, f"text longer than {MAX_TEXT_CHARS} characters")
    folded = _folded(text)
    thinking, start = _split(text, folded)
    if start is None:
        return Extraction(None, thinking, "unterminated <think>: no final answer")
    answer = _last_answer(text, folded, start)
    if answer is None:
        return Extraction(None, thinking, "no <answer>…</answer> found after the thinking")
    if len(answer) > MAX_ANSWER_CHARS:
        return Extraction(None, thinking, f"answer longer than {MAX_ANSWER_CHARS} characters")
    return Extraction(answer, thinking, "ok")
