"""Candidate final answers in a reasoning trace, the first correct one, and what follows it.

A long trace usually states its answer well before it stops; everything after the first
correct statement is external redundancy (ALGORITHMS.md, "Concise rewriting"). Three
kinds of answer statements are recognised (all case-insensitive):

- ``tag``: an ``<answer>…</answer>`` block; the candidate is its content, stripped.
- ``boxed``: ``\\boxed{…}`` with balanced braces (nested ``{}`` allowed); the candidate
  is the content between the outer braces, stripped. An unbalanced box is ignored.
- ``line``: a phrase ``answer is``, ``answer:``, ``answer is:`` (optionally preceded
  by ``the`` and/or ``final``, e.g. "So the answer is 3.", "Answer: yes",
  "The final answer: 12") followed by text on the same line. The candidate runs to the
  end of that line or to the first sentence end (``.``, ``!`` or ``?`` followed by a
  space), with ``*``/``$``/trailing full stops trimmed. The span ends at the end of
  the line's first sentence, so a cut keeps the whole sentence. Multi-line answers
  (grids) are only found in ``tag`` or ``boxed`` form.

Overlaps are resolved by priority: a tag wins over a box inside it, a box over a line
phrase around it, and of two nested boxes the outer one wins. Spans are returned in
order of position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generators.base import AnswerFormatError
from generators.registry import get_task
from generators.synlogic.normalize import normalize_text, parse_number
from schemas.records import Problem

Checker = Callable[[str], bool]
TokenCounter = Callable[[str], int]

_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_BOXED = re.compile(r"\\boxed\s*\{")
_LINE = re.compile(
    r"\b(?:the\s+)?(?:final\s+)?answer[ \t]*(?:is\b[ \t]*:?|:)[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_TRIM = " \t*$"
_PRIORITY = {"tag": 0, "boxed": 1, "line": 2}


@dataclass(frozen=True)
class AnswerSpan:
    """One answer statement: ``text[start:end]`` is the whole statement, markup included."""

    start: int
    end: int
    candidate: str
    kind: str


def _tag_spans(text: str) -> Iterator[AnswerSpan]:
    for match in _TAG.finditer(text):
        yield AnswerSpan(match.start(), match.end(), match.group(1).strip(), "tag")


def _boxed_spans(text: str) -> Iterator[AnswerSpan]:
    for match in _BOXED.finditer(text):
        depth, position = 1, match.end()
        while position < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            position += 1
        if depth == 0:
            yield AnswerSpan(
                match.start(), position, text[match.end() : position - 1].strip(), "boxed"
            )


def _line_spans(text: str) -> Iterator[AnswerSpan]:
    for match in _LINE.finditer(text):
        rest = match.group("rest")
        sentence_end = _SENTENCE_END.search(rest)
        sentence = rest[: sentence_end.end()] if sentence_end else rest.rstrip()
        candidate = sentence.strip(_TRIM).rstrip(".!?").strip(_TRIM)
        yield AnswerSpan(match.start(), match.start("rest") + len(sentence), candidate, "line")


def candidate_spans(text: str) -> list[AnswerSpan]:
    """Every non-empty answer statement in ``text``, overlaps resolved, by position."""
    found = [*_tag_spans(text), *_boxed_spans(text), *_line_spans(text)]
    found.sort(key=lambda span: (_PRIORITY[span.kind], span.start))
    kept: list[AnswerSpan] = []
    for span in found:
        if span.candidate and not any(
            span.start < other.end and other.start < span.end for other in kept
        ):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


def correct_spans(text: str, is_correct: Checker) -> Iterator[AnswerSpan]:
    """The candidates ``is_correct`` accepts, in order; each distinct candidate checked once."""
    verdicts: dict[str, bool] = {}
    for span in candidate_spans(text):
        if span.candidate not in verdicts:
            verdicts[span.candidate] = is_correct(span.candidate)
        if verdicts[span.candidate]:
            yield span


def first_correct_answer(text: str, is_correct: Checker) -> AnswerSpan | None:
    """The earliest answer statement whose candidate is correct, or None."""
    return next(correct_spans(text, is_correct), None)


def task_checker(problem: Problem) -> Checker:
    """Correctness by the problem's own task verifier, as if the candidate were the answer."""
    task = get_task(problem.task)
    return lambda candidate: task.verify(problem, f"<answer>{candidate}</answer>").passed


def _number(text: str) -> object:
    try:
        return parse_number(text)
    except AnswerFormatError:
        return None


def reference_checker(reference: str) -> Checker:
    """Correctness against a reference answer (external data): equal after normalisation.

    Text is compared with ``normalize_text`` (case, whitespace, surrounding quotes and
    full stops); when both sides are single numbers they are compared as numbers, so
    "1,234" matches "1234" and "0.5" matches "1/2".
    """
    expected_text, expected_number = normalize_text(reference), _number(reference)

    def check(candidate: str) -> bool:
        if normalize_text(candidate) == expected_text:
            return True
        return expected_number is not None and _number(candidate) == expected_number

    return check


def whitespace_tokens(text: str) -> int:
    """Token count without a tokenizer: whitespace-separated words."""
    return len(text.split())


def external_redundancy(text: str, span: AnswerSpan, count_tokens: TokenCounter) -> float:
    """ERD: tokens after the end of ``span`` divided by the tokens of the whole text."""
    total = count_tokens(text)
    return count_tokens(text[span.end :]) / total if total else 0.0
