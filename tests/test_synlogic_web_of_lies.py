"""Web of lies: contract, z3 uniqueness check, answer normalisation and wrong answers."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.web_of_lies import WebOfLies, holds
from tests.contract import contract_tests, problem_at, wrap

TASK = WebOfLies()
globals().update(contract_tests(TASK))


def z3_roles(payload: dict) -> list[dict[int, bool]]:
    """All role assignments consistent with the puzzle (stops after two), found by z3."""
    n = len(payload["names"])
    t = [z3.Bool(f"t{i}") for i in range(n)]
    solver = z3.Solver()
    fact = payload["fact"]
    solver.add(t[fact["person"]] == fact["truthful"])
    for s in payload["statements"]:
        want = s["about"] == "truth"
        count = z3.Sum([z3.If(t[r] == want, 1, 0) for r in s["refs"]])
        claim = count == s["k"] if s["mode"] == "exactly" else count >= s["k"]
        solver.add(t[s["speaker"]] == claim)
    found = []
    while len(found) < 2 and solver.check() == z3.sat:
        model = solver.model()
        roles = {i: z3.is_true(model.eval(t[i], model_completion=True)) for i in range(n)}
        found.append(roles)
        solver.add(z3.Or([t[i] != roles[i] for i in range(n)]))
    return found


@pytest.mark.parametrize("level", [1, 4, 10])
def test_z3_finds_exactly_one_assignment_and_it_matches_the_answer(level):
    for index in range(4):
        problem = problem_at(TASK, level, index)
        found = z3_roles(problem.payload)
        assert len(found) == 1
        roles = found[0]
        assert ("yes" if roles[problem.payload["question"]] else "no") == problem.answer
        for s in problem.payload["statements"]:
            assert roles[s["speaker"]] == holds(s, roles)


def test_wrong_answer_fails_and_formatting_is_tolerated():
    for index in range(6):
        problem = problem_at(TASK, 6, index)
        wrong = "no" if problem.answer == "yes" else "yes"
        assert TASK.verify(problem, wrap(wrong)).score == 0.0
        for variant in (problem.answer.upper(), f" {problem.answer}. ", f'"{problem.answer}"'):
            assert TASK.verify(problem, wrap(variant)).passed
        synonym = "true" if problem.answer == "yes" else "false"
        assert TASK.verify(problem, wrap(synonym)).passed


@pytest.mark.parametrize("text", ["maybe", "yes no", "yes and no", "1", "Alice", "yess"])
def test_malformed_answers_score_zero(text):
    verdict = TASK.verify(problem_at(TASK, 3, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


def test_prompt_states_format_names_and_varies():
    problems = [problem_at(TASK, 9, i) for i in range(8)]
    for p in problems:
        assert p.prompt.endswith(ANSWER_INSTRUCTION)
        assert '"yes"' in p.prompt
        assert len(p.payload["names"]) == 18
    assert len({p.prompt.splitlines()[0] for p in problems}) > 1
    assert len({p.prompt.splitlines()[-3] for p in problems}) > 1


def test_levels_use_multi_person_statements_at_high_levels():
    payload = problem_at(TASK, 10, 0).payload
    assert max(len(s["refs"]) for s in payload["statements"]) == 3
    assert all(len(s["refs"]) == 1 for s in problem_at(TASK, 1, 0).payload["statements"])


@pytest.mark.parametrize("knob", [{"people": 2}, {"people": 41}, {"max_refs": 4}, {"max_refs": 0}])
def test_config_bounds_are_enforced(knob):
    with pytest.raises(ValidationError, match=next(iter(knob))):
        TASK.config_for_level(1, knob)
