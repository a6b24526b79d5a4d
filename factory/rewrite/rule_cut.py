"""Rule-based concise rewrite: stop a trace at its first (or second) correct answer.

No model is involved: the trace is kept up to its ``confirmations``-th correct answer
statement (see :mod:`factory.scoring.answers`), the rest is dropped, and a short closing
sentence plus the final ``<answer>`` block with that correct candidate are appended, so
the result always ends with its answer.

Exactly where the cut falls:

- After a ``boxed`` or ``line`` statement the kept text ends with the statement (a
  line statement's whole first sentence, e.g. "So the answer is 3.").
- An ``<answer>`` block is not kept where it stood: the kept text ends just before it
  and the block is emitted again, canonically, as the final answer.
- Trailing whitespace of the kept text is dropped; the closing follows after a blank
  line.

Thinking (``<think>…</think>``, as :func:`generators.extract.split_thinking` reads it):

- If the cut point lies in the thinking (before the last ``</think>``, or anywhere when
  ``<think>`` is never closed), the result is ``kept`` + closing + ``\\n</think>\\n\\n``
  + answer block: the thinking is closed right after the closing sentence and the
  original response after ``</think>`` is dropped (it may restate a different answer;
  the answer block replaces it). The opening ``<think>`` stays as it was in the text.
- If the cut point lies in the response, the thinking is kept whole and only the
  response is cut.

A trace with no correct candidate, or one the cut would not make shorter in tokens
(``count_tokens``, whitespace words by default; e.g. the answer already ends it), is
returned unchanged with ``cut=False`` and the reason. With
``confirmations=2`` (Self-Braking Tuning) the cut follows the second correct statement;
when the trace has fewer correct statements than asked, it follows the last one and the
reason says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from factory.scoring.answers import Checker, TokenCounter, correct_spans, whitespace_tokens

DEFAULT_CLOSING = "That checks out, so I can stop here."

_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)


@dataclass(frozen=True)
class RuleCut:
    """The rewritten text and what happened; ``kept_chars`` counts the original's kept prefix."""

    text: str
    cut: bool
    reason: str
    kept_chars: int
    original_chars: int
    answer: str | None = None


def _thinking_end(text: str) -> int | None:
    """Where the thinking ends: start of the last ``</think>``; None without thinking."""
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        return closes[-1].start()
    return len(text) if _THINK_OPEN.search(text) else None


def cut_after_first_correct(
    text: str,
    is_correct: Checker,
    *,
    confirmations: int = 1,
    closing: str = DEFAULT_CLOSING,
    count_tokens: TokenCounter = whitespace_tokens,
) -> RuleCut:
    """Keep ``text`` up to its ``confirmations``-th correct answer, then close and answer.

    The cut is made only if the result has fewer tokens by ``count_tokens``.
    """
    if confirmations < 1:
        raise ValueError(f"confirmations must be at least 1, got {confirmations}")
    original = len(text)
    spans = list(islice(correct_spans(text, is_correct), confirmations))
    if not spans:
        return RuleCut(text, False, "no correct answer candidate in the trace", original, original)
    span = spans[-1]
    point = span.start if span.kind == "tag" else span.end
    kept = text[:point].rstrip()
    block = f"<answer>\n{span.candidate}\n</answer>"
    thinking_end = _thinking_end(text)
    in_thinking = thinking_end is not None and point <= thinking_end
    body = f"{kept}\n\n{closing}" if kept else closing
    result = f"{body}\n</think>\n\n{block}" if in_thinking else f"{body}\n\n{block}"
    if count_tokens(result) >= count_tokens(text):
        return RuleCut(
            text,
            False,
            "nothing to cut: the trace is no longer than its cut after the chosen correct answer",
            original,
            original,
            span.candidate,
        )
    where = "in the thinking" if in_thinking else "in the response"
    ordinal = "first" if len(spans) == 1 else "second" if len(spans) == 2 else f"#{len(spans)}"
    reason = f"cut after the {ordinal} correct answer ({span.kind}, {where})"
    if len(spans) < confirmations:
        reason += f"; only {len(spans)} of {confirmations} confirmations found"
    return RuleCut(result, True, reason, len(kept), original, span.candidate)
