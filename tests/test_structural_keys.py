"""The fast structural keys of knights_knaves and nlsat equal, byte for byte, the keys of
the plain definition they replaced (manifests record them): checked over problems of every
level, with and without symmetric people or statements to relabel."""

from __future__ import annotations

from typing import Any

import pytest

from generators.base import make_problem
from generators.canonical import digest, least_relabelling, sorted_operands
from generators.registry import get_task
from schemas.records import Problem

PER_LEVEL = 40
COMMUTATIVE = frozenset({"and", "or", "iff"})


# --- the plain definitions -----------------------------------------------------------------


def _kk_relabelled(tree: list, label: list[Any]) -> list:
    if tree[0] in ("truthful", "lying"):
        return [tree[0], label[tree[1]]]
    return [tree[0], *(_kk_relabelled(operand, label) for operand in tree[1:])]


def _kk_leaves(tree: list) -> list:
    if tree[0] in ("truthful", "lying"):
        return [tree]
    return [leaf for operand in tree[1:] for leaf in _kk_leaves(operand)]


def plain_kk_key(problem: Problem) -> str:
    statements = problem.payload["statements"]
    n = len(statements)

    def colour(person: int) -> list:
        label = ["self" if j == person else "other" for j in range(n)]
        heard = sorted(
            op
            for speaker in range(n)
            if speaker != person
            for op, j in _kk_leaves(statements[speaker])
            if j == person
        )
        return [sorted_operands(_kk_relabelled(statements[person], label), COMMUTATIVE), heard]

    def structure(relabel: list[int]) -> list:
        claims: list[Any] = [[] for _ in statements]
        for speaker, tree in enumerate(statements):
            claims[relabel[speaker]] = sorted_operands(_kk_relabelled(tree, relabel), COMMUTATIVE)
        return claims

    return digest(least_relabelling([colour(p) for p in range(n)], structure))


def plain_nlsat_key(problem: Problem) -> str:
    clauses = problem.payload["clauses"]
    found: list[list[Any]] = [[] for _ in problem.payload["variables"]]
    for clause in clauses:
        for lit in clause:
            others = sorted(other > 0 for other in clause if other != lit)
            found[abs(lit) - 1].append([lit > 0, others])
    colours = [sorted(occurrences) for occurrences in found]

    def renumbered(relabel: list[int]) -> list:
        return sorted(
            sorted((relabel[abs(lit) - 1] + 1) * (1 if lit > 0 else -1) for lit in clause)
            for clause in clauses
        )

    return digest([problem.payload["question"], least_relabelling(colours, renumbered)])


PLAIN = {"knights_knaves": plain_kk_key, "nlsat": plain_nlsat_key}


# --- the comparison ------------------------------------------------------------------------


def problems(name: str, knobs: dict[str, Any]) -> list[Problem]:
    task = get_task(name)
    return [
        make_problem(task, task.config_for_level(level, knobs), 11, index, level)
        for level in task.LEVELS
        for index in range(PER_LEVEL)
    ]


@pytest.mark.parametrize(
    ("name", "knobs"),
    [
        ("knights_knaves", {}),
        ("knights_knaves", {"depth": 4, "width": 4}),
        ("nlsat", {"question": "consistency"}),
        ("nlsat", {"question": "assignment"}),
        ("nlsat", {"k": 2, "alpha": 1.0, "balanced": False}),
        ("nlsat", {"k": 4, "alpha": 2.0, "balanced": False}),
    ],
)
def test_keys_equal_the_plain_definition(name, knobs):
    task = get_task(name)
    for problem in problems(name, knobs):
        assert task.structural_key(problem) == PLAIN[name](problem), problem.problem_id


def test_nlsat_key_is_exact_over_symmetric_statements():
    """Statements that only a relabelling tells apart: many orders are tried, and past the
    limit none; both agree with the plain definition."""
    task = get_task("nlsat")
    base = make_problem(task, task.config_for_level(2), 0, 0, 2)
    for clauses in (
        [[1, 2], [-1, -2], [3, 4], [-3, -4]],  # 4 statements of one colour: 24 orders
        [[v, v + 1] for v in range(1, 12, 2)] + [[-v, -v - 1] for v in range(1, 12, 2)],
    ):
        n = max(abs(lit) for clause in clauses for lit in clause)
        payload = {**base.payload, "clauses": clauses, "variables": [["A", "b"]] * n}
        problem = base.model_copy(update={"payload": payload})
        assert task.structural_key(problem) == plain_nlsat_key(problem)


# --- the invariants the audit groups by ----------------------------------------------------


def _twin(problem: Problem) -> Problem:
    """``problem`` with its people (statements) renumbered in reverse and its claims
    (clauses, clues) in reverse order: the same structure."""
    p = problem.payload
    if problem.task == "nlsat":
        n = len(p["variables"])
        clauses = [[(n + 1 - abs(lit)) * (1 if lit > 0 else -1) for lit in c] for c in p["clauses"]]
        return problem.model_copy(update={"payload": {**p, "clauses": clauses[::-1]}})
    if problem.task == "zebra_puzzle":  # clues reversed, and the items of symmetric ones
        clues = [
            {**clue, "items": clue["items"][::-1]}
            if clue["kind"] in ("same", "not_same", "next_to")
            else clue
            for clue in p["clues"][::-1]
        ]
        return problem.model_copy(update={"payload": {**p, "clues": clues}})
    n = len(p["statements"])
    relabel = list(range(n))[::-1]
    statements = [_kk_renumbered(tree, relabel) for tree in p["statements"][::-1]]
    return problem.model_copy(update={"payload": {**p, "statements": statements}})


@pytest.mark.parametrize(
    ("name", "knobs", "repeating"),
    [
        ("knights_knaves", {}, True),
        ("knights_knaves", {"depth": 4, "width": 4}, True),
        ("nlsat", {"question": "consistency"}, False),
        ("nlsat", {"question": "assignment"}, False),
        ("nlsat", {"k": 2, "alpha": 1.0, "balanced": False}, True),
        ("zebra_puzzle", {}, False),
        ("zebra_puzzle", {"n_houses": 3, "n_categories": 3, "clue_set": "basic"}, True),
    ],
)
def test_problems_with_equal_keys_have_equal_invariants(name, knobs, repeating):
    """The audit computes keys only among problems of one invariant: that is exact only
    if equal keys imply equal invariants (over the duplicates low levels draw), and an
    invariant ignores the numbering (a relabelled twin has the same one)."""
    task = get_task(name)
    invariant_of: dict[str, object] = {}
    repeats = 0
    for problem in problems(name, knobs):
        invariant = task.structural_invariant(problem)
        assert task.structural_invariant(_twin(problem)) == invariant, problem.problem_id
        key = task.structural_key(problem)
        repeats += key in invariant_of
        assert invariant_of.setdefault(key, invariant) == invariant, problem.problem_id
    assert bool(repeats) == repeating  # where the lowest levels repeat structures


def _kk_renumbered(tree: list, relabel: list[int]) -> list:
    """A statement with people renumbered and the operands of and/or/iff reversed."""
    if tree[0] in ("truthful", "lying"):
        return [tree[0], relabel[tree[1]]]
    operands = [_kk_renumbered(operand, relabel) for operand in tree[1:]]
    return [tree[0], *(operands[::-1] if tree[0] in COMMUTATIVE else operands)]
