"""Shared answer extraction: last <answer> outside <think>, bounded length, linear time."""

from __future__ import annotations

import random
import time

from generators.extract import (
    MAX_ANSWER_CHARS,
    MAX_TEXT_CHARS,
    extract_answer,
    final_answer,
    split_thinking,
)


def test_last_answer_wins():
    result = extract_answer("<answer>1</answer> then <answer> 2 </answer>")
    assert result.answer == "2" and result.thinking is None


def test_answers_inside_thinking_are_ignored():
    text = "<think>maybe <answer>wrong</answer></think>\nSo <answer>right</answer>"
    result = extract_answer(text)
    assert result.answer == "right"
    assert result.thinking == "maybe <answer>wrong</answer>"


def test_thinking_without_final_answer_has_none():
    result = extract_answer("<think>I think <answer>x</answer></think> done")
    assert result.answer is None and "no <answer>" in result.reason


def test_unterminated_think_has_no_answer():
    result = extract_answer("<think>still going <answer>x</answer>")
    assert result.answer is None and "unterminated" in result.reason


def test_close_tag_without_open_tag_splits_thinking():
    result = extract_answer("reasoning</think><answer>yes</answer>")
    assert result.answer == "yes" and result.thinking == "reasoning"


def test_tags_are_case_insensitive_and_multiline():
    assert extract_answer("<ANSWER>\na\nb\n</Answer>").answer == "a\nb"


def test_missing_or_unclosed_answer():
    assert extract_answer("").answer is None
    assert extract_answer("<answer>never closed").answer is None


def test_runaway_answers_are_refused():
    result = extract_answer("<answer>" + "x" * (MAX_ANSWER_CHARS + 1) + "</answer>")
    assert result.answer is None and "longer than" in result.reason


def test_the_last_complete_pair_is_the_last_opened_one():
    assert extract_answer("<answer>a <answer>b</answer>").answer == "b"
    assert extract_answer("<answer>a</answer> b</answer>").answer == "a"
    assert extract_answer("<answer>a</answer><answer>b").answer == "a"


def test_tags_are_found_after_characters_that_change_length_when_lowercased():
    text = "İ" * 3 + "ﬁ</THINK>" + "ß" + "<Answer> İx </ANSWER>"
    result = extract_answer(text)
    assert (result.answer, result.thinking) == ("İx", "İİİﬁ")


def test_unclosed_answer_tags_take_linear_time():
    """The regex ``<answer>(.*?)</answer>`` took 59 s on 200k characters of these."""
    start = time.process_time()
    for text in ("<answer>" * 25_000, "<answer>1</answer>" + "<answer>" * 125_000):
        extract_answer(text)
    assert time.process_time() - start < 1.0
    assert extract_answer("<answer>1</answer>" + "<answer>" * 125_000).answer == "1"


def test_runaway_texts_are_refused():
    result = extract_answer("x" * MAX_TEXT_CHARS + "<answer>1</answer>")
    assert result.answer is None and "text longer than" in result.reason
    assert final_answer("x" * MAX_TEXT_CHARS + "<answer>1</answer>") is None
    assert final_answer("<answer>" + "x" * (MAX_ANSWER_CHARS + 1) + "</answer>") is None


def _reference(text: str) -> tuple[str | None, str | None, str]:
    """The rules above on one case-folded copy of the whole text (the plain way)."""
    folded = text.encode("ascii", "replace").lower()
    close = folded.rfind(b"</think>")
    thinking, start = None, 0
    if close >= 0:
        opened = folded.find(b"<think>", 0, close)
        thinking = text[:close]
        if opened >= 0:
            thinking = thinking[:opened] + thinking[opened + 7 :]
        thinking, start = thinking.strip(), close + 8
    elif folded.find(b"<think>") >= 0:
        return None, text, "unterminated"
    last_close = folded.rfind(b"</answer>", start)
    opened = folded.rfind(b"<answer>", start, last_close) if last_close >= 0 else -1
    if opened < 0:
        return None, thinking, "none"
    begin = opened + 8
    return text[begin : folded.find(b"</answer>", begin)].strip(), thinking, "ok"


def test_extraction_agrees_with_folding_the_whole_text():
    """Random texts of tags in mixed case among characters that change length when
    lowercased: the fast scan finds what a whole-text fold finds."""
    rng = random.Random(5)
    pieces = ["<think>", "</think>", "<answer>", "</answer>", "x", " ", "İ", "ß", "\n", "<"]
    for _ in range(3000):
        parts = [rng.choice(pieces) for _ in range(rng.randrange(12))]
        text = "".join(
            "".join(c.upper() if rng.random() < 0.3 else c for c in part) for part in parts
        )
        result = extract_answer(text)
        answer, thinking, kind = _reference(text)
        assert (result.answer, result.thinking) == (answer, thinking), text
        assert (kind == "unterminated") == ("unterminated" in result.reason), text
        assert final_answer(text) == answer, text
        assert split_thinking(text)[0] == thinking, text
