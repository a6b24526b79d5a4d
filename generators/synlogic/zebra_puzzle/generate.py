"""Random solution grid, clues sampled until the solution is forced, then pruned."""

from __future__ import annotations

from random import Random

from generators.synlogic.zebra_puzzle.config import CATEGORIES, CLUE_SETS, ZebraConfig
from generators.synlogic.zebra_puzzle.puzzle import Clue, Item
from generators.synlogic.zebra_puzzle.solver import Solver
from generators.wordlists import load_words


def random_grid(
    rng: Random, config: ZebraConfig
) -> tuple[list[str], list[list[str]], list[list[int]]]:
    """Categories, their values (sorted), and ``grid[h][c]`` = value index in house h."""
    n, m = config.n_houses, config.n_categories
    categories = [CATEGORIES[i] for i in sorted(rng.sample(range(len(CATEGORIES)), m))]
    values = [sorted(rng.sample(load_words(f"zebra_{name}"), n)) for name in categories]
    columns = [rng.sample(range(n), n) for _ in categories]
    return categories, values, [[column[h] for column in columns] for h in range(n)]


def random_clue(rng: Random, kind: str, grid: list[list[int]]) -> Clue:
    """A clue of ``kind`` that is true of the solution ``grid``."""
    n, m = len(grid), len(grid[0])

    def at(house: int, category: int | None = None) -> Item:
        c = rng.randrange(m) if category is None else category
        return (c, grid[house][c])

    if kind == "same":
        house, (c1, c2) = rng.randrange(n), rng.sample(range(m), 2)
        return Clue(kind, (at(house, c1), at(house, c2)))
    if kind == "not_same":
        (h1, h2), (c1, c2) = rng.sample(range(n), 2), rng.sample(range(m), 2)
        return Clue(kind, (at(h1, c1), at(h2, c2)))
    if kind == "position":
        house = rng.randrange(n)
        return Clue(kind, (at(house),), house)
    if kind == "not_position":
        house, other = rng.sample(range(n), 2)
        return Clue(kind, (at(house),), other)
    if kind == "at_end":
        return Clue(kind, (at(rng.choice((0, n - 1))),))
    if kind == "next_to":
        house = rng.randrange(n - 1)
        pair = [at(house), at(house + 1)]
        rng.shuffle(pair)
        return Clue(kind, tuple(pair))
    if kind == "right_after":
        house = rng.randrange(n - 1)
        return Clue(kind, (at(house), at(house + 1)))
    if kind == "left_of":
        h1, h2 = sorted(rng.sample(range(n), 2))
        return Clue(kind, (at(h1), at(h2)))
    if kind == "between":
        h1, h2, h3 = sorted(rng.sample(range(n), 3))
        ends = [at(h1), at(h3)]
        rng.shuffle(ends)
        return Clue(kind, (ends[0], at(h2), ends[1]))
    raise ValueError(f"unknown clue kind {kind!r}")


def _used(solver: Solver, active: list[bool]) -> set[int] | None:
    """Indices of the active clues propagation used to force the grid; None if it does not.

    Propagation reaches the same fixpoint in any order, so the clues it never used can all
    be dropped at once: a run without them makes the same eliminations.
    """
    masks, log = solver.start(), []
    if not solver.propagate(masks, log, None, active) or not solver.solved(masks):
        return None
    return {event.reason[1] for event in log if event.reason[0] == "clue"}


def _prune(rng: Random, solver: Solver, guessing: bool) -> list[bool]:
    """Which of the solver's clues to keep: drop clues in random order while the solution
    stays unique.

    Uniqueness means "propagation forces the grid" (each test drops every clue the run
    did not use, too); with ``guessing`` a clue may then also go if search still finds
    exactly one solution.
    """
    count = len(solver.clues)
    used = _used(solver, [True] * count)
    assert used is not None, "the sampled clues force the grid"
    active = [k in used for k in range(count)]
    order = [k for k in range(count) if active[k]]
    rng.shuffle(order)
    for k in order:
        if not active[k]:
            continue
        active[k] = False
        used = _used(solver, active)
        if used is None:
            active[k] = True
        else:
            active = [k in used for k in range(count)]
    if guessing:
        rng.shuffle(order)
        for k in order:
            if active[k]:
                active[k] = False
                active[k] = len(solver.search(limit=2, active=active)[0]) != 1
    return active


def sample_clues(rng: Random, config: ZebraConfig, grid: list[list[int]]) -> list[Clue]:
    """Informative clues until propagation forces the grid, then redundant ones pruned."""
    n, m = config.n_houses, config.n_categories
    kinds = CLUE_SETS[config.clue_set]
    solver = Solver(n, m, [])
    masks = solver.start()
    clues: list[Clue] = []
    while not solver.solved(masks):
        clue = random_clue(rng, rng.choice(kinds), grid)
        k = solver.add(clue)
        if all(masks[item] == after for item, after in solver.revise(k, masks)):
            solver.pop()  # the masks are at a fixpoint, so it says nothing new: leave it out
            continue
        solver.propagate(masks, None, [k])
        clues.append(clue)
    active = _prune(rng, solver, config.guessing)
    return [clue for clue, kept in zip(clues, active, strict=True) if kept]
