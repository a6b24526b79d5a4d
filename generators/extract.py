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
``str.rfind``/``bytes.find`` calls, never with a backtracking regex (``<answer>(.*?)</answer>``
is quadratic on a text of unclosed ``<answer>`` tags). Only the response after the last
exact ``</think>`` is case-folded (see :class:`_Scan`), so a long thinking costs one
``rfind``, not a copy.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_ANSWER_CHARS = 20_000
MAX_TEXT_CHARS = 4_000_000
"""About a million tokens: far beyond any completion, small enough to scan in milliseconds."""

_THINK_OPEN, _THINK_CLOSE = b"<think>", b"</think>"
_THINK_TAIL = b"think>"  # ends both thinking tags
_ANSWER_OPEN, _ANSWER_CLOSE = b"<answer>", b"</answer>"


class Extraction(NamedTuple):
    answer: str | None
    thinking: str | None
    reason: str


def _folded(text: str) -> bytes:
    """``text`` as ASCII bytes, letters lowercased and every other character one ``?``: the
    same indices as ``text``, so the tags are found case-insensitively by byte search."""
    return text.encode("ascii", "replace").lower()


class _Scan(NamedTuple):
    """Where the thinking ends, found without case-folding the whole text.

    The exact lower-case ``</think>`` is found by ``str.rfind`` (fast on any text); only the
    text after it (the response, usually short) is case-folded, and a ``</think>`` in
    another case found there is the last one instead. Tags start with ``<`` and hold no
    other ``<``, so no tag straddles ``base``, where the folded part begins.
    """

    close: int  # the last </think> in any case, or -1
    start: int | None  # where the response starts; None when the thinking never ends
    base: int
    folded: bytes  # text[base:] folded; holds the whole response


def _tail(text: str) -> tuple[int, int, bytes]:
    """The exact last ``</think>`` (or -1), where the text after it begins, that text folded."""
    exact = text.rfind("</think>")
    base = exact + len(_THINK_CLOSE) if exact >= 0 else 0
    return exact, base, _folded(text[base:])


def _scan(text: str, exact: int, base: int, folded: bytes) -> _Scan:
    """The scan of ``text``, given its :func:`_tail`."""
    if _THINK_TAIL not in folded:  # neither tag in any case after base: one scan, not two
        return _Scan(exact, base, base, folded)
    later = folded.rfind(_THINK_CLOSE)
    close = base + later if later >= 0 else exact
    if close >= 0:
        return _Scan(close, close + len(_THINK_CLOSE), base, folded)
    opened = folded.find(_THINK_OPEN) >= 0  # base is 0 here: the whole text is folded
    return _Scan(-1, None if opened else 0, base, folded)


def _last_answer(text: str, folded: bytes, base: int, start: int = 0) -> str | None:
    """The stripped content of the last complete answer pair in ``folded`` (``text[base:]``
    folded) from ``start`` on."""
    last_close = folded.rfind(_ANSWER_CLOSE, start)
    opened = folded.rfind(_ANSWER_OPEN, start, last_close) if last_close >= 0 else -1
    if opened < 0:
        return None
    begin = opened + len(_ANSWER_OPEN)
    return text[base + begin : base + folded.find(_ANSWER_CLOSE, begin)].strip()


def _thinking(text: str, close: int) -> str:
    """The text before ``close`` without its first ``<think>`` (in any case), stripped: the
    exact one unless the (usually empty) text before it holds one in another case."""
    exact = text.find("<think>", 0, close)
    before = _folded(text[: exact if exact >= 0 else close]).find(_THINK_OPEN)
    opened = before if before >= 0 else exact
    if opened < 0:
        return text[:close].strip()
    return (text[:opened] + text[opened + len(_THINK_OPEN) : close]).strip()


def split_thinking(text: str) -> tuple[str | None, str | None]:
    """(thinking, response); response is None when the thinking never ends."""
    scan = _scan(text, *_tail(text))
    if scan.start is None:
        return text, None
    return (_thinking(text, scan.close) if scan.close >= 0 else None), text[scan.start :]


def final_answer(text: str) -> str | None:
    """``extract_answer(text).answer`` without the thinking and the reason (for rewards).

    The usual completion is read on ``text`` itself, without case-folding: when the response
    after the last exact ``</think>`` holds no ``<`` but those of an exact ``<answer>`` and a
    later ``</answer>``, it holds no other tag in any case (every tag starts with ``<``), so
    the answer is what lies between those two. Anything else is read by the folded scan.
    This runs once per rollout.
    """
    if len(text) > MAX_TEXT_CHARS:
        return None
    exact = text.rfind("</think>")
    base = exact + len(_THINK_CLOSE) if exact >= 0 else 0
    close = text.rfind("</answer>", base)
    opened = text.rfind("<answer>", base, close) if close >= 0 else -1
    if opened >= 0 and text.count("<", base) == 2:
        answer: str | None = text[opened + len(_ANSWER_OPEN) : close].strip()
    else:
        answer = _scanned_answer(text, exact, base)
    return None if answer is None or len(answer) > MAX_ANSWER_CHARS else answer


def _scanned_answer(text: str, exact: int, base: int) -> str | None:
    """:func:`final_answer` before the length cap, by the folded scan, given the exact last
    ``</think>`` and where the text after it begins. The usual completion, with no thinking
    tag after ``base``, is read without building a :class:`_Scan`."""
    folded = _folded(text[base:])
    if _THINK_TAIL not in folded:  # what _scan finds: the response is all of folded
        return _last_answer(text, folded, base)
    scan = _scan(text, exact, base, folded)
    if scan.start is None:
        return None
    return _last_answer(text, scan.folded, scan.base, scan.start - scan.base)


def extract_answer(text: str) -> Extraction:
    if len(text) > MAX_TEXT_CHARS:
        return Extraction(None, None, f"text longer than {MAX_TEXT_CHARS} characters")
    scan = _scan(text, *_tail(text))
    if scan.start is None:
        return Extraction(None, text, "unterminated <think>: no final answer")
    thinking = _thinking(text, scan.close) if scan.close >= 0 else None
    answer = _last_answer(text, scan.folded, scan.base, scan.start - scan.base)
    if answer is None:
        return Extraction(None, thinking, "no <answer>…</answer> found after the thinking")
    if len(answer) > MAX_ANSWER_CHARS:
        return Extraction(None, thinking, f"answer longer than {MAX_ANSWER_CHARS} characters")
    return Extraction(answer, thinking, "ok")
