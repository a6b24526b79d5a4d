"""Shared answer extraction: last <answer> outside <think>, bounded length, linear time."""

from __future__ import annotations

import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.extract import (
    _THINK_TAIL,
    MAX_ANSWER_CHARS,
    MAX_TEXT_CHARS,
    _last_answer,
    _scan,
    _tail,
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


def _folded_final_answer(text: str) -> str | None:
    """final_answer as it was before its unfolded fast path: always the folded scan."""
    if len(text) > MAX_TEXT_CHARS:
        return None
    tail = _tail(text)
    _, base, folded = tail
    if _THINK_TAIL not in folded:
        answer = _last_answer(text, folded, base)
    else:
        scan = _scan(text, *tail)
        if scan.start is None:
            return None
        answer = _last_answer(text, scan.folded, scan.base, scan.start - scan.base)
    return None if answer is None or len(answer) > MAX_ANSWER_CHARS else answer


_TAG_WORDS = ["think", "answer", "thinking", "answers", "think ", "ans"]
_FILLERS = ["x", " ", "\n", "<", ">", "/", "İ", "ß", "ﬁ", "K", "\u212a", "1 2\n3 4", "is a knight"]


@st.composite
def _fragment(draw: st.DrawFn) -> str:
    """A tag (whole, cut short, or near-miss) in mixed case, or a filler character run."""
    if draw(st.booleans()):
        word = draw(st.sampled_from(_TAG_WORDS))
        tag = draw(st.sampled_from(["<{}>", "</{}>", "<{}", "{}>", "</{}"])).format(word)
        return "".join(c.upper() if draw(st.booleans()) else c for c in tag)
    return draw(st.sampled_from(_FILLERS) | st.text(max_size=3))


def _completions() -> st.SearchStrategy[str]:
    """Texts of fragments, and the usual shape (thinking, then one answer) with fragments
    spliced into its thinking, its response or its answer."""
    fragments = st.lists(_fragment(), max_size=14).map("".join)
    usual = st.tuples(fragments, fragments, fragments, fragments).map(
        lambda parts: "<think>{}</think>{}<answer>{}</answer>{}".format(*parts)
    )
    return fragments | usual


@settings(max_examples=1000, deadline=None)
@given(_completions())
def test_the_unfolded_read_agrees_with_the_folded_scan(text):
    """final_answer's fast path on the text itself finds what the folded scan finds."""
    expected = _folded_final_answer(text)
    assert final_answer(text) == expected
    assert extract_answer(text).answer == expected


def test_the_answer_cap_holds_on_the_unfolded_read():
    long = "x" * (MAX_ANSWER_CHARS + 1)
    assert final_answer(f"<think>t</think><answer>{long}</answer>") is None
    assert final_answer(f"<think>t</think><answer> {long[1:]} </answer>") == long[1:]
