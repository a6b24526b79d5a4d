"""The zebra puzzle task: generator, solver and verifier behind the generator contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from math import factorial
from random import Random
from typing import ClassVar

from generators.base import Instance, Solution, Task
from generators.canonical import digest
from generators.synlogic.zebra_puzzle.config import LEVELS, ZebraConfig
from generators.synlogic.zebra_puzzle.generate import random_grid, sample_clues
from generators.synlogic.zebra_puzzle.puzzle import Puzzle
from generators.synlogic.zebra_puzzle.render import (
    render_answer,
    render_prompt,
    render_trace,
    sample_style,
)
from generators.synlogic.zebra_puzzle.solver import Solver, Trail, bits
from generators.synlogic.zebra_puzzle.verifier import check_answer
from schemas.arrow import canonical_json
from schemas.records import Problem

_SYMMETRIC = frozenset({"same", "not_same", "next_to"})
"""Clue kinds whose items can be listed in either order."""


class ZebraPuzzle(Task[ZebraConfig]):
    """Einstein-style puzzles: houses in a row, attribute categories, clues; fill the table.

    The solution is unique, proven at generation time (propagation forces the whole grid,
    or with ``guessing`` full search finds exactly one solution).
    """

    name: ClassVar[str] = "zebra_puzzle"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Zebra (Einstein) puzzle: n houses in a row, m attribute categories, a list of clues "
        "with a unique solution; give every house's attributes."
    )
    Config = ZebraConfig
    LEVELS = LEVELS

    def generate(self, config: ZebraConfig, rng: Random, index: int) -> Instance:
        categories, values, grid = random_grid(rng, config)
        clues = sample_clues(rng, config, grid)
        puzzle = Puzzle(categories, values, grid, clues, sample_style(rng))
        return Instance(render_prompt(puzzle), render_answer(puzzle), puzzle.to_payload())

    def solve(self, problem: Problem) -> Solution:
        puzzle = Puzzle.from_payload(problem.payload)
        solver = Solver(puzzle.n, len(puzzle.categories), puzzle.clues)
        trail = Trail()
        solutions, guesses = solver.search(limit=2, trail=trail)
        if len(solutions) != 1:
            raise ValueError(f"the puzzle has {len(solutions)} solutions, expected exactly 1")
        found = [[0] * len(puzzle.categories) for _ in range(puzzle.n)]
        for item, mask in enumerate(solutions[0]):
            category, value = divmod(item, puzzle.n)
            found[bits(mask)[0]][category] = value
        if found != puzzle.grid:
            raise ValueError("the solver's solution differs from the stored one")
        events = len(trail.entries) - guesses
        stats = {"effort": events + guesses, "eliminations": events, "guesses": guesses}
        return Solution(render_answer(puzzle), render_trace(puzzle, trail), stats)

    def answer_space(self, problem: Problem) -> int:
        """One order of each category's values over the houses."""
        p = problem.payload
        return factorial(len(p["solution"])) ** len(p["categories"])

    def structural_key(self, problem: Problem) -> str:
        """The clues, sorted, with every value named by its category and the house it is in:
        the names of values and categories drop out."""
        puzzle = Puzzle.from_payload(problem.payload)
        house = {(c, v): h for h, row in enumerate(puzzle.grid) for c, v in enumerate(row)}
        clues = []
        for clue in puzzle.clues:
            items = [[c, house[c, v]] for c, v in clue.items]
            if clue.kind in _SYMMETRIC:
                items.sort()
            clues.append([clue.kind, items, clue.house])
        return digest([puzzle.n, sorted(clues, key=canonical_json)])

    def structural_invariant(self, problem: Problem) -> Hashable:
        """Equal for any two problems with equal structural keys, at a small fraction of a
        key's cost: the number of houses and the clues' (kind, house, number of items) as a
        multiset (the key keeps all three of every clue)."""
        p = problem.payload
        clues = Counter((clue["kind"], clue["house"], len(clue["items"])) for clue in p["clues"])
        return len(p["solution"]), frozenset(clues.items())

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return check_answer(Puzzle.from_payload(problem.payload), answer)
