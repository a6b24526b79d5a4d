"""The rule-based cut after the first (or second) correct answer."""

from __future__ import annotations

import pytest

from factory.rewrite.corpus import long_trace_corpus
from factory.rewrite.rule_cut import DEFAULT_CLOSING, cut_after_first_correct
from factory.scoring.answers import reference_checker, task_checker, whitespace_tokens
from generators.extract import extract_answer
from generators.registry import get_task

SEVEN = reference_checker("7")
PLAIN = (
    "Add 3 and 4.\n"
    "So the answer is 7.\n"
    "Wait, let me verify. 3 + 4 = 7, so the answer is 7. Hmm, fine.\n"
    "Alternatively, 4 + 3 = 7.\n\n"
    "<answer>7</answer>"
)


def test_cut_after_the_first_correct_answer():
    result = cut_after_first_correct(PLAIN, SEVEN)
    kept = "Add 3 and 4.\nSo the answer is 7."
    assert result.text == f"{kept}\n\n{DEFAULT_CLOSING}\n\n<answer>\n7\n</answer>"
    assert result.cut and result.answer == "7"
    assert result.kept_chars == len(kept) and result.original_chars == len(PLAIN)
    assert "first correct answer (line, in the response)" in result.reason
    assert extract_answer(result.text).answer == "7"


def test_second_confirmation_sbt_style():
    result = cut_after_first_correct(PLAIN, SEVEN, confirmations=2, closing="Done.")
    kept = "Add 3 and 4.\nSo the answer is 7.\nWait, let me verify. 3 + 4 = 7, so the answer is 7."
    assert result.text == f"{kept}\n\nDone.\n\n<answer>\n7\n</answer>"
    assert "second correct answer" in result.reason


def test_fewer_confirmations_than_asked_cut_after_the_last_one():
    text = "So the answer is 7.\n" + "Let me check again. " * 10 + "\n<answer>6</answer>"
    result = cut_after_first_correct(text, SEVEN, confirmations=2)
    assert result.text.startswith("So the answer is 7.\n\n")
    assert "only 1 of 2 confirmations" in result.reason
    with pytest.raises(ValueError, match="confirmations"):
        cut_after_first_correct(text, SEVEN, confirmations=0)


def test_wrong_first_candidate_then_a_correct_one():
    text = (
        "Maybe the answer is 5.\n"
        "No: 3 + 4 is not 5. Let me redo it: \\boxed{7} fits.\n"
        "Wait, let me verify this again, carefully, step by step, once more: 3 + 4 = 7.\n"
        "<answer>7</answer>"
    )
    result = cut_after_first_correct(text, SEVEN)
    assert result.text.startswith(
        "Maybe the answer is 5.\nNo: 3 + 4 is not 5. Let me redo it: \\boxed{7}\n"
    )
    assert result.answer == "7" and "(boxed, in the response)" in result.reason


def test_cut_inside_thinking_closes_the_think_tag():
    text = (
        "<think>\nAdd 3 and 4.\n<answer>7</answer>\n"
        "Wait, let me verify this again. 3 + 4 = 7. The answer is 7.\n</think>\n\n"
        "The sum is 7, as shown above in detail.\n<answer>7</answer>"
    )
    result = cut_after_first_correct(text, SEVEN)
    assert result.text == (
        f"<think>\nAdd 3 and 4.\n\n{DEFAULT_CLOSING}\n</think>\n\n<answer>\n7\n</answer>"
    )
    assert "(tag, in the thinking)" in result.reason
    extraction = extract_answer(result.text)
    assert extraction.answer == "7" and extraction.thinking.endswith(DEFAULT_CLOSING)


def test_unterminated_thinking_is_closed():
    text = "<think>\nSo the answer is 7. Wait, let me verify: 3 + 4 = 7. Hmm, and 4 + 3 = 7"
    result = cut_after_first_correct(text, SEVEN)
    assert (
        result.text
        == f"<think>\nSo the answer is 7.\n\n{DEFAULT_CLOSING}\n</think>\n\n<answer>\n7\n</answer>"
    )
    assert extract_answer(text).answer is None and extract_answer(result.text).answer == "7"


def test_answer_in_the_response_keeps_the_thinking_whole():
    thinking = "<think>\nI add 3 and 4 and get a number.\n</think>\n"
    restated = "Let me restate it a few more times to be sure: seven, 7, still 7, 7 again."
    text = f"{thinking}The answer is 7. {restated}\n<answer>7</answer>"
    result = cut_after_first_correct(text, SEVEN)
    assert (
        result.text == f"{thinking}The answer is 7.\n\n{DEFAULT_CLOSING}\n\n<answer>\n7\n</answer>"
    )
    assert "(line, in the response)" in result.reason


def test_no_correct_candidate_is_unchanged():
    text = "So the answer is 5.\nMore checks.\n<answer>5</answer>"
    result = cut_after_first_correct(text, SEVEN)
    assert (result.text, result.cut, result.answer) == (text, False, None)
    assert result.reason == "no correct answer candidate in the trace"
    assert result.kept_chars == result.original_chars == len(text)


def test_a_trace_that_ends_at_its_answer_is_unchanged():
    text = "3 + 4 = 7.\n\n<answer>7</answer>"
    result = cut_after_first_correct(text, SEVEN)
    assert (result.text, result.cut, result.answer) == (text, False, "7")
    assert result.reason.startswith("nothing to cut")


@pytest.fixture(scope="module")
def corpus():
    return long_trace_corpus(200, 7)


@pytest.mark.parametrize("confirmations", [1, 2])
def test_corpus_cuts_stay_correct_and_shorter(corpus, confirmations):
    cut_count = 0
    for problem, text in corpus:
        result = cut_after_first_correct(text, task_checker(problem), confirmations=confirmations)
        assert get_task(problem.task).verify(problem, result.text).passed, result.text
        if result.cut:
            cut_count += 1
            assert whitespace_tokens(result.text) < whitespace_tokens(text)
            assert result.text.endswith(f"<answer>\n{result.answer}\n</answer>")
        else:
            assert result.text == text
    assert cut_count == len(corpus) if confirmations == 1 else cut_count > len(corpus) // 3


def test_second_confirmation_never_cuts_more_than_the_first(corpus):
    for problem, text in corpus[:50]:
        first = cut_after_first_correct(text, task_checker(problem))
        second = cut_after_first_correct(text, task_checker(problem), confirmations=2)
        assert second.kept_chars >= first.kept_chars
