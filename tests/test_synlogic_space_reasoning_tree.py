"""Space reasoning on a tree: contract, networkx re-derivation, exact verifier."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.space_reasoning_tree import KINDS, SpaceReasoningTree
from tests.contract import contract_tests, problem_at, wrap

TASK = SpaceReasoningTree()
globals().update(contract_tests(TASK, effort_samples=200))


def of_kind(kind: str, level: int = 5):
    found = [p for i in range(40) if (p := problem_at(TASK, level, i)).payload["kind"] == kind]
    assert found, kind
    return found


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def networkx_answer(payload: dict) -> str:
    names, parents = payload["names"], payload["parents"]
    tree = nx.DiGraph((p, c) for c, p in enumerate(parents) if p is not None)
    root = parents.index(None)
    x, y = payload["x"], payload["y"]
    kind = payload["kind"]
    if kind == "distance":
        return str(nx.shortest_path_length(tree.to_undirected(), x, y))
    if kind == "depth":
        return str(nx.shortest_path_length(tree, root, x))
    if kind == "inside":
        return "yes" if x in nx.descendants(tree, y) else "no"
    return names[nx.lowest_common_ancestor(tree, x, y)]


@pytest.mark.parametrize("level", [1, 4, 10])
def test_networkx_agrees_and_the_tree_is_a_tree(level):
    for index in range(12):
        p = problem_at(TASK, level, index)
        parents = p.payload["parents"]
        assert parents.count(None) == 1 and len(set(p.payload["names"])) == len(parents)
        assert p.answer == networkx_answer(p.payload)


def test_all_question_kinds_occur_and_inside_has_both_answers():
    kinds = {problem_at(TASK, 3, i).payload["kind"] for i in range(40)}
    assert kinds == set(KINDS)
    assert {p.answer for p in of_kind("inside")} == {"yes", "no"}


@pytest.mark.parametrize("level", [3, 10])
def test_kinds_and_labels_are_balanced_and_no_depth_is_a_likely_guess(level):
    """The kinds come equally often and "inside" is answered yes half the time, over the
    indices a build gives one of five levels; the depth asked is spread over 1..depth (it
    was always the deepest container's, a constant per level)."""
    problems = [problem_at(TASK, level, i) for i in range(2, 800, 5)]
    kinds = Counter(p.payload["kind"] for p in problems)
    assert max(kinds.values()) - min(kinds.values()) <= 8, kinds  # a coin strays by ~12
    inside = Counter(p.answer for p in problems if p.payload["kind"] == "inside")
    assert abs(inside["yes"] - inside["no"]) <= 4, inside
    depths = Counter(p.answer for p in problems if p.payload["kind"] == "depth")
    deepest = TASK.config_for_level(level).depth
    assert set(depths) == {str(d) for d in range(1, deepest + 1)}
    assert max(depths.values()) <= 2.5 * sum(depths.values()) / deepest, depths


def test_harmless_formatting_is_accepted():
    for p in of_kind("common"):
        assert score(p, f"The {p.answer.upper()}.") == 1.0
        assert score(p, f"  {p.answer} container ") == 1.0
    for p in of_kind("inside"):
        assert score(p, p.answer.capitalize() + ".") == 1.0
    for p in of_kind("distance"):
        assert score(p, f" {p.answer}. ") == 1.0


def test_wrong_answers_fail():
    for p in of_kind("common"):
        others = [n for n in p.payload["names"] if n != p.answer]
        assert all(score(p, n) == 0.0 for n in others)
    for p in of_kind("inside"):
        assert score(p, "no" if p.answer == "yes" else "yes") == 0.0
    for kind in ("distance", "depth"):
        for p in of_kind(kind):
            assert score(p, str(int(p.answer) + 1)) == 0.0
            assert score(p, str(int(p.answer) - 1)) == 0.0


def test_malformed_answers_score_zero_with_reason():
    common, inside, depth = of_kind("common")[0], of_kind("inside")[0], of_kind("depth")[0]
    for p, text in [
        (common, "golden box"),
        (common, "__import__('os')"),
        (inside, "maybe"),
        (depth, "a few"),
        (depth, "3 or 4"),
    ]:
        verdict = TASK.verify(p, wrap(text))
        assert verdict.score == 0.0 and "malformed" in verdict.reason, text


def test_config_bounds_are_refused():
    for knob, value in [("nodes", 2), ("nodes", 99), ("depth", 0), ("depth", 13)]:
        with pytest.raises(ValidationError, match=knob):
            TASK.config_for_level(5, {knob: value})
    with pytest.raises(ValidationError, match="depth"):
        TASK.config_for_level(1, {"depth": 8})


def test_prompts_vary_and_end_with_the_instruction():
    prompts = [problem_at(TASK, 6, i).prompt for i in range(12)]
    assert len({p.splitlines()[0] for p in prompts}) >= 3
    assert all(p.endswith(ANSWER_INSTRUCTION) for p in prompts)
