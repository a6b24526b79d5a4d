"""Answer spans in reasoning traces, the first correct one, checkers and ERD."""

from __future__ import annotations

import pytest

from factory.scoring.answers import (
    AnswerSpan,
    candidate_spans,
    external_redundancy,
    first_correct_answer,
    reference_checker,
    task_checker,
    whitespace_tokens,
)
from generators.base import make_problem
from generators.registry import get_task


def spans_of(text: str) -> list[tuple[str, str, str]]:
    return [(s.kind, s.candidate, text[s.start : s.end]) for s in candidate_spans(text)]


def test_spans_in_order_of_position_with_their_markup():
    text = (
        "First guess: the answer is 5.\n"
        "Then \\boxed{6} looks better.\n"
        "<answer>\n 7 \n</answer>\n"
        "Answer: 8\n"
    )
    assert spans_of(text) == [
        ("line", "5", "the answer is 5."),
        ("boxed", "6", "\\boxed{6}"),
        ("tag", "7", "<answer>\n 7 \n</answer>"),
        ("line", "8", "Answer: 8"),
    ]


def test_boxed_with_nested_braces_and_unbalanced_boxes():
    text = "So \\boxed{\\frac{1}{2}} and \\boxed{ {a, {b}} } but \\boxed{9"
    assert spans_of(text) == [
        ("boxed", "\\frac{1}{2}", "\\boxed{\\frac{1}{2}}"),
        ("boxed", "{a, {b}}", "\\boxed{ {a, {b}} }"),
    ]


def test_overlaps_keep_the_most_explicit_statement():
    assert spans_of("<answer>\\boxed{3}</answer>") == [
        ("tag", "\\boxed{3}", "<answer>\\boxed{3}</answer>")
    ]
    assert spans_of("The answer is \\boxed{\\boxed{4}}.") == [
        ("boxed", "\\boxed{4}", "\\boxed{\\boxed{4}}")
    ]
    assert spans_of("<answer>Answer: 2</answer>") == [
        ("tag", "Answer: 2", "<answer>Answer: 2</answer>")
    ]


@pytest.mark.parametrize(
    ("line", "candidate"),
    [
        ("So the answer is 3.", "3"),
        ("Answer: yes", "yes"),
        ("The final answer: 12", "12"),
        ("final answer is **7**.", "7"),
        ("the answer is: $x = 2$", "x = 2"),
        ("The answer is yes. Then I check it again.", "yes"),
        ("THE ANSWER IS 3.5 exactly", "3.5 exactly"),
    ],
)
def test_line_patterns(line, candidate):
    assert [s.candidate for s in candidate_spans(f"Some work.\n{line}\nMore.")] == [candidate]


def test_words_that_are_not_answer_statements():
    assert candidate_spans("These answers: none. The answer is\nnext line.") == []
    assert candidate_spans("<answer>  </answer> \\boxed{} Answer:") == []


def test_first_correct_skips_wrong_candidates_and_checks_each_once():
    calls: list[str] = []

    def is_correct(candidate: str) -> bool:
        calls.append(candidate)
        return candidate == "7"

    text = "The answer is 5. No. The answer is 5. Hmm, \\boxed{7}. Answer: 7"
    span = first_correct_answer(text, is_correct)
    assert span == AnswerSpan(text.index("\\boxed"), text.index("}.") + 1, "7", "boxed")
    assert calls == ["5", "7"]
    assert first_correct_answer(text, lambda c: False) is None


def test_reference_checker_normalises():
    check = reference_checker("  The Blue House. ")
    assert check("the blue house")
    assert check('"THE BLUE   HOUSE"')
    assert not check("the red house")
    numbers = reference_checker("1,234")
    assert numbers("1234") and numbers("1 234") and not numbers("1235")
    assert reference_checker("1/2")("0.5")
    assert reference_checker("12")("twelve")
    assert not reference_checker("yes")("1")


def test_task_checker_uses_the_task_verifier():
    task = get_task("knights_knaves")
    problem = make_problem(task, task.config_for_level(2), 11, 0, 2)
    check = task_checker(problem)
    assert check(problem.answer)
    flipped = problem.answer.replace("knight", "KNAVE").replace("knave", "knight")
    assert not check(flipped.replace("KNAVE", "knave"))


def test_external_redundancy_hand_computed():
    text = "a b c Answer: 5\nd e f g"
    span = first_correct_answer(text, reference_checker("5"))
    assert text[span.end :] == "\nd e f g"
    # 9 whitespace tokens in all, 4 after the answer
    assert external_redundancy(text, span, whitespace_tokens) == pytest.approx(4 / 9)
    # with characters as tokens: 8 characters after of 23
    assert external_redundancy(text, span, len) == pytest.approx(8 / 23)
    at_end = "<answer>5</answer>"
    assert external_redundancy(at_end, candidate_spans(at_end)[0], whitespace_tokens) == 0.0
