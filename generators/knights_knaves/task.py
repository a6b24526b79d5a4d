"""The Knights & Knaves task: generator, solver and verifier behind the generator contract."""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import Instance, Solution, Task
from generators.knights_knaves.config import LEVELS, RANDOM_ROLES, ROLE_PAIRS, KnightsKnavesConfig
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import render_answer, render_prompt, sample_style
from generators.knights_knaves.solver import solve
from generators.knights_knaves.statements import sample_unique_claims
from generators.knights_knaves.verifier import check_answer
from generators.wordlists import load_words
from schemas.records import Problem


class KnightsKnaves(Task[KnightsKnavesConfig]):
    """Island puzzles: truth-tellers and liars make statements; find everyone's role.

    Every puzzle has exactly one consistent assignment, proven at generation time by
    evaluating all statements over all 2**n assignments at once (see ``statements``).
    """

    name: ClassVar[str] = "knights_knaves"
    version: ClassVar[str] = "1.0.0"
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
        return check_answer(Puzzle.from_payload(problem.payload), answer)
