"""The Knights & Knaves task: generator, solver and verifier behind the generator contract."""

from __future__ import annotations

from collections.abc import Hashable
from random import Random
from typing import Any, ClassVar

from generators.base import Instance, Solution, Task
from generators.canonical import digest, least_relabelling
from generators.knights_knaves.config import (
    LEVELS,
    RANDOM_ROLES,
    ROLE_PAIRS,
    KnightsKnavesConfig,
    RolePair,
)
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import (
    answer_lines,
    render_answer,
    render_prompt,
    sample_style,
)
from generators.knights_knaves.solver import solve
from generators.knights_knaves.statements import LEAF_OPS, Tree, sample_unique_claims
from generators.knights_knaves.verifier import AnswerChecker
from generators.wordlists import load_words
from schemas.records import Problem

_COMMUTATIVE = frozenset({"and", "or", "iff"})


def _canonical(tree: Tree, label: list[Any]) -> Tree:
    """``tree`` with person ``j`` renamed ``label[j]`` and the operands of and/or/iff
    sorted (``sorted_operands`` of the relabelled tree, in one pass)."""
    op = tree[0]
    if op in LEAF_OPS:
        return [op, label[tree[1]]]
    operands = [_canonical(operand, label) for operand in tree[1:]]
    if op in _COMMUTATIVE:
        operands.sort(key=repr)
    return [op, *operands]


def _colours(statements: list[Tree]) -> list[list[Any]]:
    """Per person, what they say (people seen as self or other) and which claims of others
    name them (the sorted leaf operators): a description that does not depend on anyone's
    name or place in the order."""
    heard: list[list[str]] = [[] for _ in statements]
    for speaker, tree in enumerate(statements):
        for op, person in _leaves(tree):
            if person != speaker:
                heard[person].append(op)
    others = ["other"] * len(statements)
    colours = []
    for person, tree in enumerate(statements):
        others[person] = "self"
        colours.append([_canonical(tree, others), sorted(heard[person])])
        others[person] = "other"
    return colours


def _leaves(tree: Tree) -> list[Tree]:
    if tree[0] in LEAF_OPS:
        return [tree]
    return [leaf for operand in tree[1:] for leaf in _leaves(operand)]


def _operators(tree: Tree, found: list[str]) -> list[str]:
    """Every operator of ``tree``, leaves' included, appended to ``found``."""
    found.append(tree[0])
    if tree[0] not in LEAF_OPS:
        for operand in tree[1:]:
            _operators(operand, found)
    return found


def _structure(statements: list[Tree], relabel: list[int]) -> list[Tree]:
    """The claims with people renumbered (and reordered) by ``relabel``."""
    claims: list[Tree] = [[] for _ in statements]
    for speaker, tree in enumerate(statements):
        claims[relabel[speaker]] = _canonical(tree, relabel)
    return claims


class KnightsKnaves(Task[KnightsKnavesConfig]):
    """Island puzzles: truth-tellers and liars make statements; find everyone's role.

    Every puzzle has exactly one consistent assignment, proven at generation time by
    evaluating all statements over all 2**n assignments at once (see ``statements``).
    """

    name: ClassVar[str] = "knights_knaves"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Knights & Knaves: n inhabitants each make a logical statement about the others; "
        "truth-tellers always tell the truth, liars always lie; name everyone's role."
    )
    Config = KnightsKnavesConfig
    LEVELS = LEVELS

    def generate(self, config: KnightsKnavesConfig, rng: Random, index: int) -> Instance:
        roles = rng.choice(list(ROLE_PAIRS)) if config.roles == RANDOM_ROLES else config.roles
        statements, solution = sample_unique_claims(
            rng, config.n_people, config.depth, config.width, config.max_attempts
        )
        puzzle = Puzzle(
            names=rng.sample(load_words("names"), config.n_people),
            roles=roles,
            role_pair=ROLE_PAIRS[roles],
            statements=statements,
            solution=solution,
            style=sample_style(rng),
            partial_credit=config.partial_credit,
        )
        return Instance(
            prompt=render_prompt(puzzle),
            answer=render_answer(puzzle, solution),
            payload=puzzle.to_payload(),
        )

    def solve(self, problem: Problem) -> Solution:
        return solve(Puzzle.from_payload(problem.payload))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return self.answer_checker(problem)(answer)

    def answer_checker(self, problem: Problem) -> AnswerChecker:
        """``check_answer`` bound to ``problem``, for scoring many answers to it."""
        return AnswerChecker(Puzzle.from_payload(problem.payload))

    def answer_space(self, problem: Problem) -> int:
        return 2 ** len(problem.payload["names"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        payload = problem.payload
        liars, truthful = answer_lines(payload["names"], RolePair(**payload["role_words"]))
        return {
            **super().trivial_answers(problem),
            "all truthful": "\n".join(truthful),
            "all liars": "\n".join(liars),
        }

    def structural_key(self, problem: Problem) -> str:
        """Names, role words and phrasings aside; people (with their claims) renumbered
        canonically, operands of and/or/iff sorted."""
        statements = problem.payload["statements"]
        colours = _colours(statements)
        return digest(least_relabelling(colours, lambda relabel: _structure(statements, relabel)))

    def structural_invariant(self, problem: Problem) -> Hashable:
        """Equal for any two problems with equal structural keys, at a fraction of a key's
        cost: each claim's operators (leaves' included) as a sorted multiset, the claims'
        multisets sorted (renumbering people and sorting operands change neither)."""
        claims = [sorted(_operators(tree, [])) for tree in problem.payload["statements"]]
        return tuple(sorted(map(tuple, claims)))
