"""Shared answer extraction: the last ``<answer>…</answer>`` outside of ``<think>``.

Rules:
- If the text contains ``</think>``, only what follows the last ``</think>`` is
  the response; the thinking is returned separately.
- If ``<think>`` is opened and never closed, the response was cut off inside its
  thinking: there is no answer.
- The answer is the content of the last complete ``<answer>…</answer>`` pair in
  the response, stripped. Answers longer than ``MAX_ANSWER_CHARS`` are refused so
  that no verifier ever spends unbounded time on a runaway output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ANSWER_CHARS = 20_000

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    answer: str | None
    thinking: str | None
    reason: str


def split_thinking(text: str) -> tuple[str | None, str | None]:
    """(thinking, response); response is None when the thinking never ends."""
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        last = closes[-1]
        thinking = _THINK_OPEN.sub("", text[: last.start()], count=1).strip()
        return thinking, text[last.end() :]
    if _THINK_OPEN.search(text):
        return text, None
    return None, text


def extract_answer(text: str) -> Extraction:
    thinking, response = split_thinking(text)
    if response is None:
        return Extraction(None, thinking, "unterminated <think>: no final answer")
    matches = _ANSWER.findall(response)
    if not matches:
        return Extraction(None, thinking, "no <answer>…</answer> found after the thinking")
    answer = matches[-1].strip()
    if len(answer) > MAX_ANSWER_CHARS:
        return Extraction(None, thinking, f"answer longer than {MAX_ANSWER_CHARS} characters")
    return Extraction(answer, thinking, "ok")
