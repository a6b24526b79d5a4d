"""Word sorting mistake: contract, independent replay, perturbed and malformed answers."""

from __future__ import annotations

import bisect
from collections import Counter

import pytest
from pydantic import ValidationError

from generators.synlogic.word_sorting_mistake import WordSortingMistake
from tests.contract import contract_tests, problem_at, wrap

TASK = WordSortingMistake()
globals().update(contract_tests(TASK, effort_samples=200))


def independent_first_mistake(payload: dict) -> str:
    """Replay with bisect on sort keys built here, not with the task's comparator."""
    rank = {ch: i for i, ch in enumerate(payload["alphabet"])}

    def key(word: str) -> tuple:
        if payload["order"] == "last_letter":
            return (word[-1], word)
        ranks = tuple(rank[ch] for ch in word)
        return tuple(-r for r in ranks) + (1,) if payload["order"] == "descending" else ranks

    steps = payload["steps"]
    for number in range(1, len(steps)):
        previous, shown = steps[number - 1], steps[number]
        (word,) = set(shown) - set(previous)
        keys = [key(w) for w in previous]
        pos = bisect.bisect_left(keys, key(word))
        if shown != [*previous[:pos], word, *previous[pos:]]:
            return str(number)
    return "none"


@pytest.mark.parametrize("level", range(1, 11))
def test_answer_matches_an_independent_replay(level: int) -> None:
    for index in range(6):
        problem = problem_at(TASK, level, index)
        assert problem.answer == independent_first_mistake(problem.payload)


def test_every_answer_has_its_fair_share() -> None:
    answers = Counter(problem_at(TASK, 1, i).answer for i in range(400))
    assert set(answers) == {"none", "1", "2", "3"}
    assert all(70 <= n <= 130 for n in answers.values()), answers


def test_wrong_answers_fail_and_formats_are_tolerated() -> None:
    with_mistake = next(
        p for p in (problem_at(TASK, 6, i) for i in range(20)) if p.answer != "none"
    )
    clean = problem_at(TASK, 6, 0, mistake_rate=0.0)
    step = int(with_mistake.answer)
    for text in ("none", str(step + 1), str(step - 1), "0", "99", "-3"):
        assert TASK.verify(with_mistake, wrap(text)).score == 0.0, text
    for text in ("1", "2", "5"):
        assert TASK.verify(clean, wrap(text)).score == 0.0, text
    for text in (f"Step {step}", f"{step}.", f" {step} "):
        assert TASK.verify(with_mistake, wrap(text)).passed, text
    for text in ("None", "No mistake.", "no errors"):
        assert TASK.verify(clean, wrap(text)).passed, text


@pytest.mark.parametrize("text", ["step x", "3.5", "maybe", "3 or 4", "1/2"])
def test_malformed_answers_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 3, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


@pytest.mark.parametrize(
    ("field", "value"), [("count", 2), ("count", 41), ("mistake_rate", 1.5), ("order", "x")]
)
def test_config_bounds_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(5, {field: value})


def test_prompts_vary_across_indices() -> None:
    prompts = [problem_at(TASK, 5, i).prompt.split("\n\n") for i in range(12)]
    assert len({p[0] for p in prompts}) >= 2 and len({p[3] for p in prompts}) >= 2
