"""Object properties: contract, an independent item-by-item simulation, exact verifier."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.object_properties import ATTRIBUTES, ObjectProperties
from tests.contract import contract_tests, problem_at, wrap

TASK = ObjectProperties()
globals().update(contract_tests(TASK))


def of_kind(kind: str, level: int = 6):
    found = [
        p
        for i in range(40)
        if (p := problem_at(TASK, level, i)).payload["question"]["kind"] == kind
    ]
    assert found, kind
    return found


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def naive_answer(payload: dict) -> str:
    """Copies as separate list entries, sizes as numbers: shares no code with the task."""
    sizes = {"small": 0, "medium": 1, "large": 2}
    things = [
        [it["noun"], sizes[it["size"]], it["colour"], it["material"]] for it in payload["items"]
    ]

    def hit(thing: list, filt: dict) -> bool:
        named = {"size": [k for k, v in sizes.items() if v == thing[1]][0]}
        named |= {"colour": thing[2], "material": thing[3]}
        return all(named[a] == v for a, v in filt.items())

    for rule in payload["rules"]:
        nxt = []
        for thing in things:
            if not hit(thing, rule["filter"]):
                nxt.append(thing)
                continue
            action = rule["action"]
            if action == "copy":
                nxt += [list(thing), list(thing)]
            elif action != "remove":
                changed = list(thing)
                if action == "paint":
                    changed[2] = rule["value"]
                elif action == "remake":
                    changed[3] = rule["value"]
                elif action == "grow":
                    changed[1] = min(2, changed[1] + 1)
                else:
                    changed[1] = max(0, changed[1] - 1)
                nxt.append(changed)
        things = nxt
    q = payload["question"]
    if q["kind"] == "count":
        return str(sum(hit(t, q["filter"]) for t in things))
    found = {(t[1], t[2], t[3]) for t in things if t[0] == q["noun"]}  # copies must agree
    assert len(found) == 1
    size, colour, material = found.pop()
    by_name = {"size": [k for k, v in sizes.items() if v == size][0]}
    return (by_name | {"colour": colour, "material": material})[q["attribute"]]


@pytest.mark.parametrize("level", [1, 5, 10])
def test_independent_simulation_agrees(level):
    for index in range(25):
        p = problem_at(TASK, level, index)
        assert p.answer == naive_answer(p.payload), (level, index)


def test_both_question_kinds_and_all_actions_occur():
    problems = [problem_at(TASK, 8, i) for i in range(30)]
    assert {p.payload["question"]["kind"] for p in problems} == {"count", "property"}
    actions = {r["action"] for p in problems for r in p.payload["rules"]}
    assert actions == {"paint", "remove", "copy", "grow", "shrink", "remake"}


def test_harmless_formatting_is_accepted():
    for p in of_kind("property"):
        assert score(p, p.answer.upper() + ".") == 1.0
        assert score(p, f" '{p.answer}' ") == 1.0
        if p.answer == "wooden":
            assert score(p, "wood") == 1.0
    for p in of_kind("count"):
        assert score(p, f"{p.answer}.") == 1.0
        words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight"]
        if int(p.answer) < len(words):
            assert score(p, words[int(p.answer)]) == 1.0


def test_wrong_answers_fail():
    for p in of_kind("property"):
        values = ATTRIBUTES[p.payload["question"]["attribute"]]
        assert all(score(p, v) == 0.0 for v in values if v != p.answer)
    for p in of_kind("count"):
        assert score(p, str(int(p.answer) + 1)) == 0.0
        assert score(p, str(int(p.answer) + 10)) == 0.0


def test_malformed_answers_score_zero_with_reason():
    prop, count = of_kind("property")[0], of_kind("count")[0]
    attribute = prop.payload["question"]["attribute"]
    other = next(a for a in ATTRIBUTES if a != attribute)
    for p, text in [
        (prop, "purple"),
        (prop, ATTRIBUTES[other][0]),
        (prop, "red or blue"),
        (count, "several"),
        (count, "1+1"),
    ]:
        verdict = TASK.verify(p, wrap(text))
        assert verdict.score == 0.0 and "malformed" in verdict.reason, text


def test_config_bounds_are_refused():
    for knob, value in [("items", 1), ("items", 31), ("transformations", 0), ("filter_size", 3)]:
        with pytest.raises(ValidationError, match=knob):
            TASK.config_for_level(5, {knob: value})


def test_prompts_vary_and_end_with_the_instruction():
    prompts = [problem_at(TASK, 4, i).prompt for i in range(12)]
    assert len({p.splitlines()[0] for p in prompts}) >= 3
    assert all(p.endswith(ANSWER_INSTRUCTION) for p in prompts)
