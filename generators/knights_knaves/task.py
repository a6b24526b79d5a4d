"""The Knights & Knaves task: generator, solver and verifier behind the generator contract."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from generators.base import Instance, Solution, Task
from generators.canonical import digest, least_relabelling, sorted_operands
from generators.knights_knaves.config import LEVELS, RANDOM_ROLES, ROLE_PAIRS, KnightsKnavesConfig
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import render_answer, render_prompt, sample_style
from generators.knights_knaves.solver import solve
from generators.knights_knaves.statements import LEAF_OPS, Tree, sample_unique_claims
from generators.knights_knaves.verifier import AnswerChecker
from generators.wordlists import load_words
from schemas.records import Problem

_COMMUTATIVE = frozenset({"and", "or", "iff"})


def _relabelled(tree: Tree, label: list[Any]) -> Tree:
    """``tree`` with person ``j`` renamed ``label[j]``."""
    if tree[0] in LEAF_OPS:
        return [tree[0], label[tree[1]]]
    return [tree[0], *(_relabelled(operand, label) for operand in tree[1:])]


def _leaves(tree: Tree) -> list[Tree]:
    if tree[0] in LEAF_OPS:
        return [tree]
    return [leaf for operand in tree[1:] for leaf in _leaves(operand)]


def _colour(statements: list[Tree], leaves: list[list[Tree]], person: int) -> list[Any]:
    """What ``person`` says (people seen as self or other) and which claims name them
    (``leaves[speaker]``: the speaker's claim's leaves): a description that does not depend
    on anyone's name or place in the order."""
    self_or_other = ["self" if j == person else "other" for j in range(len(statements))]
    heard = sorted(
        op
        for speaker, claim_leaves in enumerate(leaves)
        if speaker != person
        for op, j in claim_leaves
        if j == person
    )
    return [sorted_operands(_relabelled(statements[person], self_or_other), _COMMUTATIVE), heard]


def _structure(statements: list[Tree], relabel: list[int]) -> list[Tree]:
    """The claims with people renumbered (and reordered) by ``relabel``."""
    claims: list[Tree] = [[] for _ in statements]
    for speaker, tree in enumerate(statements):
        claims[relabel[speaker]] = sorted_operands(_relabelled(tree, relabel), _COMMUTATIVE)
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
        puzzle = Puzzle.from_payload(problem.payload)
        return {
            **super().trivial_answers(problem),
            "all truthful": render_answer(puzzle, [True] * puzzle.n),
            "all liars": render_answer(puzzle, [False] * puzzle.n),
        }

    def structural_key(self, problem: Problem) -> str:
        """Names, role words and phrasings aside; people (with their claims) renumbered
        canonically, operands of and/or/iff sorted."""
        statements = problem.payload["statements"]
        leaves = [_leaves(tree) for tree in statements]
        colours = [_colour(statements, leaves, person) for person in range(len(statements))]
        return digest(least_relabelling(colours, lambda relabel: _structure(statements, relabel)))
