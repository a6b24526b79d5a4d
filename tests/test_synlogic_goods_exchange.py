"""Goods exchange: contract, an independent item-tracking simulation, and answer checking."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generators.synlogic.goods_exchange import GoodsExchange
from tests.contract import contract_tests, problem_at, wrap

TASK = GoodsExchange()
globals().update(contract_tests(TASK))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def track_items(payload: dict) -> dict[str, int]:
    """Where each item ends up, following items rather than people (independent method)."""
    owner = {item: k for k, item in enumerate(payload["items"])}
    for kind, who in payload["moves"]:
        if kind == "give":
            mapping = {who[0]: who[1]}
        else:
            mapping = {p: who[(i + 1) % len(who)] for i, p in enumerate(who)}
        owner = {item: mapping.get(person, person) for item, person in owner.items()}
    return owner


def full_answer(payload: dict, owner: dict[str, int]) -> str:
    lines = []
    for k, name in enumerate(payload["names"]):
        held = sorted(item for item, person in owner.items() if person == k)
        lines.append(f"{name}: {', '.join(held) or 'nothing'}")
    return "\n".join(lines)


def test_answers_match_an_item_tracking_simulation():
    for level in (1, 4, 7, 10):
        for index in range(5):
            p = problem_at(TASK, level, index)
            owner = track_items(p.payload)
            if p.payload["asked"] is None:
                assert score(p, full_answer(p.payload, owner)) == 1.0
            else:
                held = [i for i, person in owner.items() if person == p.payload["asked"]]
                assert score(p, " and ".join(reversed(held)) or "Nothing.") == 1.0


def test_formatting_is_tolerated():
    p = problem_at(TASK, 10, 0)
    assert p.payload["asked"] is None
    text = p.answer.upper().replace("\n", "; ")
    assert score(p, text) == 1.0
    reordered = "\n\n".join(reversed(p.answer.splitlines()))
    assert score(p, reordered.replace(": ", " holds the ")) == 1.0


def test_wrong_answers_fail():
    p = problem_at(TASK, 10, 1)
    lines = p.answer.splitlines()
    holders = [k for k, line in enumerate(lines) if not line.endswith("nothing")]
    a, b = holders[0], holders[1]
    swapped = list(lines)
    swapped[a] = lines[a].split(":")[0] + ":" + lines[b].split(":")[1]
    swapped[b] = lines[b].split(":")[0] + ":" + lines[a].split(":")[1]
    assert score(p, "\n".join(swapped)) == 0.0
    dropped = list(lines)
    name, items = lines[a].split(": ")
    if "," in items:
        dropped[a] = f"{name}: {items.split(', ')[0]}"
    else:
        dropped[a] = f"{name}: nothing"
    assert score(p, "\n".join(dropped)) == 0.0
    assert score(p, "\n".join(lines[:a] + lines[a + 1 :])) == 0.0  # a holder left out
    empty = [line for line in lines if line.endswith(": nothing")]
    assert score(p, "\n".join(line for line in lines if line not in empty)) == 1.0
    assert score(p, "\n".join([*lines, lines[0]])) == 0.0  # someone twice
    assert score(p, p.answer.replace(lines[a].split(": ")[1].split(", ")[0], "spaceship")) == 0.0


def test_single_question_wrong_and_malformed():
    p = next(
        q for q in (problem_at(TASK, 7, i) for i in range(20)) if q.payload["asked"] is not None
    )
    others = [i for i in p.payload["items"] if i not in p.answer.split(", ")]
    assert score(p, others[0]) == 0.0
    assert score(p, p.answer + ", " + others[0]) == 0.0
    name = p.payload["names"][p.payload["asked"]]
    assert score(p, f"{name} holds the {p.answer.replace(', ', ' and the ')}") == 1.0
    assert score(p, f"{name}: {others[0]}") == 0.0
    assert score(p, "Alice: ball: kite") == 0.0
    assert "malformed" in TASK.verify(p, wrap("42")).reason


def test_config_bounds_are_enforced():
    for knobs in ({"n_people": 1}, {"n_people": 13}, {"n_moves": 0}, {"n_moves": 201}):
        with pytest.raises(ValidationError, match=next(iter(knobs))):
            TASK.config_for_level(5, knobs)


def test_prompts_vary_and_moves_grow():
    prompts = [problem_at(TASK, 6, i).prompt.splitlines()[0][:12] for i in range(12)]
    assert len(set(prompts)) >= 3
    assert len(problem_at(TASK, 10, 0).payload["moves"]) > len(
        problem_at(TASK, 1, 0).payload["moves"]
    )
