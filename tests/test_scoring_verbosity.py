"""Verbosity figures against hand-counted traces."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from factory.backends.base import BackendError, Message
from factory.scoring.verbosity import (
    WHITESPACE,
    TraceVerbosity,
    WhitespaceTokenizer,
    count_tokens,
    hesitation_share,
    load_named_tokenizer,
    measure,
    overthinking_score,
    split_steps,
    step_at,
    step_spans,
)

LONG_COT = """Let's compute 17 * 3.
17 * 3 = 51.

Wait, let me check that: 17 * 3 = 10 * 3 + 7 * 3 = 30 + 21 = 51.

Hmm, alternatively 3 * 17 = 51 too.

So the answer is 51."""


def test_whitespace_tokens():
    assert count_tokens("a  b\tc\n\nd ") == 4
    assert count_tokens("") == 0
    assert count_tokens(LONG_COT) == 45
    assert count_tokens(LONG_COT, WhitespaceTokenizer()) == 45


def test_whitespace_tokenizer_follows_the_protocol():
    tokenizer = load_named_tokenizer(None)
    assert isinstance(tokenizer, WhitespaceTokenizer)
    assert isinstance(load_named_tokenizer(WHITESPACE), WhitespaceTokenizer)
    assert tokenizer.name == "whitespace"
    assert tokenizer.eos_token_id is None
    ids = tokenizer.encode("to be or not to be")
    assert ids == [0, 1, 2, 3, 0, 1]
    assert tokenizer.decode(ids) == "to be or not to be"
    assert tokenizer.encode("be there") == [1, 4]
    with pytest.raises(BackendError, match="whitespace: it has no chat template"):
        tokenizer.apply_chat_template([Message(role="user", content="hi")])


def test_steps_are_paragraphs_when_there_are_blank_lines():
    assert split_steps(LONG_COT) == [
        "Let's compute 17 * 3.\n17 * 3 = 51.",
        "Wait, let me check that: 17 * 3 = 10 * 3 + 7 * 3 = 30 + 21 = 51.",
        "Hmm, alternatively 3 * 17 = 51 too.",
        "So the answer is 51.",
    ]
    assert split_steps("\n\n  one  \n \t\n\n\ntwo\r\n\r\nthree\n\n") == ["one", "two", "three"]
    # one blank line anywhere makes paragraphs the steps, lines inside them stay together
    assert split_steps("\nfirst\n   \nsecond\nthird") == ["first", "second\nthird"]


def test_steps_are_lines_when_there_are_none():
    assert split_steps("Assume A.\n  - B follows.\nEnd.\n") == ["Assume A.", "- B follows.", "End."]
    assert split_steps("just one") == ["just one"]
    assert split_steps("") == []
    assert split_steps(" \n\n ") == []


def test_step_spans_and_positions():
    text = "ab\n\n  cd \n\nef"
    assert step_spans(text) == [(0, 2), (6, 8), (11, 13)]
    assert [step_at(text, offset) for offset in (0, 1, 2, 4, 7, 10, 12, 13)] == [
        1,
        1,
        2,  # the separator after step 1 belongs to the next step
        2,
        2,
        3,
        3,
        None,
    ]


def test_hesitation_share_and_marker_counts():
    result = hesitation_share(LONG_COT)
    assert result.share == 2 / 4
    assert result.counts["wait"] == 1
    assert result.counts["let me check"] == 1
    assert result.counts["hmm"] == 1
    assert result.counts["alternatively"] == 1
    assert sum(result.counts.values()) == 4


@pytest.mark.parametrize(
    ("text", "marker", "count"),
    [
        ("WAIT. wait, Wait!", "wait", 3),
        ("we await the result; waiting is over; waited", "wait", 0),
        ("hmmm and hmm", "hmm", 1),
        ("Let me\nverify: yes", "let me verify", 1),
        ("double-check, double check, doublecheck, Double-Check", "double-check", 4),
        ("On second thought, no.", "on second thought", 1),
        ("Let me checkout the branch", "let me check", 0),
    ],
)
def test_markers_match_whole_words_case_insensitively(text, marker, count):
    assert hesitation_share(text).counts[marker] == count


def test_a_trace_without_steps_hesitates_nowhere():
    assert hesitation_share("").share == 0.0
    assert hesitation_share("line one\nwait\nline three\nhmm").share == 0.5


@pytest.mark.parametrize(
    ("first", "steps", "share", "expected"),
    [
        (2, 10, 0.3, 0.9 * 0.8 + 0.03),  # 0.75
        (10, 10, 0.0, 0.0),  # answer only in the last step: no overthinking
        (1, 4, 1.0, 0.9 * 0.75 + 0.1),  # 0.775
        (1, 1, 0.5, 0.05),
    ],
)
def test_overthinking_score(first, steps, share, expected):
    assert overthinking_score(first, steps, share) == pytest.approx(expected)


def test_overthinking_of_the_long_cot():
    # the answer 51 first appears in step 1; 2 of 4 steps hesitate
    steps = split_steps(LONG_COT)
    share = hesitation_share(LONG_COT).share
    assert overthinking_score(1, len(steps), share) == pytest.approx(0.9 * 0.75 + 0.05)


@pytest.mark.parametrize(
    ("first", "steps", "share", "message"),
    [(0, 5, 0.1, "in 1..5"), (6, 5, 0.1, "in 1..5"), (1, 5, 1.5, "marker share")],
)
def test_overthinking_rejects_impossible_inputs(first, steps, share, message):
    with pytest.raises(ValueError, match=message):
        overthinking_score(first, steps, share)


def test_measure_fills_the_model_free_fields():
    record = measure("t1", LONG_COT, WhitespaceTokenizer(), WHITESPACE)
    assert record == TraceVerbosity(
        trace_id="t1", tokenizer="whitespace", tokens=45, steps=4, hesitation_share=0.5
    )
    assert (record.first_correct_token, record.external_redundancy) == (None, None)
    assert (record.rv, record.cd, record.judge_reason) == (None, None, None)
    filled = record.model_copy(update={"rv": 9, "cd": 0, "first_correct_token": 3})
    assert TraceVerbosity.model_validate_json(filled.model_dump_json()) == filled


def test_judge_scores_outside_0_9_are_rejected():
    with pytest.raises(ValidationError):
        TraceVerbosity(trace_id="t", tokenizer="x", tokens=1, steps=1, hesitation_share=0.0, rv=10)


@pytest.mark.models
def test_a_named_tokenizer_counts_model_tokens(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = load_named_tokenizer(str(tiny_model_dir))
    reference = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    expected = len(reference.encode(LONG_COT, add_special_tokens=False))
    assert count_tokens(LONG_COT, tokenizer) == expected
    assert expected != count_tokens(LONG_COT)  # BPE pieces, not words
    record = measure("t1", LONG_COT, tokenizer, str(tiny_model_dir))
    assert (record.tokenizer, record.tokens, record.steps) == (str(tiny_model_dir), expected, 4)


@pytest.mark.models
def test_an_unloadable_tokenizer_names_itself(tmp_path):
    missing = tmp_path / "no-such-model"
    missing.mkdir()
    with pytest.raises(BackendError, match=f"model {missing}: cannot load its tokenizer"):
        load_named_tokenizer(str(missing))
