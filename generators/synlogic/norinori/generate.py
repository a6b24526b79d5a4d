"""Random dense domino layouts with regions grown around the dominoes."""

from __future__ import annotations

from random import Random

from generators.synlogic.cell_search import neighbour_tables
from generators.synlogic.norinori.count import shadings
from generators.synlogic.norinori.rules import LABELS, NorinoriGrid
from generators.synlogic.star_placement_puzzle.generate import grow_regions, repair

# How many more free cells than the tightest choice a new domino may block. Tightest-only
# packing repeats a few regular patterns, so one fixed shading solved many puzzles.
_SLACK = 1


def random_dominoes(rng: Random, rows: int, cols: int, count: int) -> list[list[int]]:
    """Up to ``count`` dominoes, no two orthogonally adjacent (diagonal contact is fine).

    Dense packing: each new domino blocks at most ``_SLACK`` more still-free cells than the
    tightest choice, so dominoes mostly nestle diagonally and regions stay small.
    """
    orthogonal = neighbour_tables(rows, cols)[0]
    blocked = [False] * (rows * cols)  # shaded, or beside a shaded cell
    dominoes: list[list[int]] = []
    pairs = [(a, b) for a in range(rows * cols) for b in orthogonal[a] if a < b]
    while len(dominoes) < min(count, len(LABELS)):
        costs = [
            (sum(not blocked[cell] for cell in {a, b, *orthogonal[a], *orthogonal[b]}), (a, b))
            for a, b in pairs
            if not blocked[a] and not blocked[b]
        ]
        if not costs:
            break
        low = min(cost for cost, _ in costs)
        pair = rng.choice([pair for cost, pair in costs if cost <= low + _SLACK])
        dominoes.append(list(pair))
        for shaded in pair:
            blocked[shaded] = True
            for other in orthogonal[shaded]:
                blocked[other] = True
    return dominoes


def make_puzzle(
    rng: Random, rows: int, cols: int, density: float, repairs: int
) -> tuple[NorinoriGrid, list[bool], bool]:
    """A puzzle, a valid shading, and whether that shading was proven the only one.

    Regions are repaired up to ``repairs`` times to remove rival shadings; random region
    layouts rarely allow only one, so the puzzle is kept either way (the verifier checks
    the rules, so any valid shading scores 1).
    """
    target = max(1, round(rows * cols * density / 2))
    dominoes = random_dominoes(rng, rows, cols, target)
    shaded = sorted(cell for pair in dominoes for cell in pair)
    region = grow_regions(rng, rows, cols, dominoes, balanced=True)
    intended = [cell in set(shaded) for cell in range(rows * cols)]
    for attempt in range(repairs + 1):
        puzzle = NorinoriGrid(rows, cols, tuple(region))
        solutions = shadings(rows, cols, puzzle.regions, prefer=intended)
        if len(solutions) == 1:
            return puzzle, intended, True
        rival = next(s for s in solutions if s != intended)
        # no repair after the last count: the flag always describes the returned puzzle
        moved = repair(rng, cols, puzzle.regions, set(shaded), rival) if attempt < repairs else None
        if moved is None:
            break
        region = moved
    return puzzle, intended, False
