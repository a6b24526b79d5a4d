"""Random star layouts, regions grown around them, repaired until the stars are unique."""

from __future__ import annotations

from itertools import combinations
from random import Random

from generators.base import GenerationError
from generators.synlogic.cell_search import neighbour_tables, search
from generators.synlogic.star_placement_puzzle.rules import StarBattle, StarRules

# Search steps allowed when placing stars before starting afresh (k=2 dead ends are rare).
_STAR_STEPS = 2_000


class StarGenerationError(GenerationError):
    """No unique puzzle was found within the attempt budget."""


def random_stars(rng: Random, n: int, k: int) -> list[int] | None:
    """k non-touching stars in every row and column, row by row with random choices."""
    columns = [0] * n
    chosen: list[tuple[int, ...]] = []
    patterns = [
        option
        for option in combinations(range(n), k)
        if all(b - a > 1 for a, b in zip(option, option[1:], strict=False))
    ]
    steps = 0

    def fill(row: int) -> bool:
        nonlocal steps
        if row == n:
            return True
        steps += 1
        if steps > _STAR_STEPS:
            return False
        rows_left = n - row
        if any(k - count > (rows_left + 1) // 2 for count in columns):
            return False  # a column's stars cannot sit in adjacent rows
        blocked = {c for c in range(n) if columns[c] == k}
        blocked.update(c + d for c in (chosen[-1] if chosen else ()) for d in (-1, 0, 1))
        options = [option for option in patterns if blocked.isdisjoint(option)]
        rng.shuffle(options)
        for option in options:
            chosen.append(option)
            for c in option:
                columns[c] += 1
            if fill(row + 1):
                return True
            chosen.pop()
            for c in option:
                columns[c] -= 1
        return False

    try:
        if not fill(0):
            return None
    finally:
        fill = None  # empties the cell that points back at the closure: no reference cycle
    return sorted(r * n + c for r, option in enumerate(chosen) for c in option)


def grow_regions(
    rng: Random, rows: int, cols: int, seeds: list[list[int]], balanced: bool = False
) -> list[int]:
    """One connected region per seed (a list of connected cells), grown at random.

    ``balanced`` always grows one of the smallest regions that can still grow, which keeps
    regions small and alike; otherwise any region's frontier cell is taken at random.
    """
    orthogonal = neighbour_tables(rows, cols)[0]
    region = [-1] * (rows * cols)
    frontiers: list[list[int]] = []
    sizes = []
    for g, cells in enumerate(seeds):
        for cell in cells:
            region[cell] = g
        frontiers.append([other for cell in cells for other in orthogonal[cell]])
        sizes.append(len(cells))
    free = region.count(-1)
    while free:
        growing = [g for g, frontier in enumerate(frontiers) if frontier]
        if balanced:
            smallest = min(sizes[g] for g in growing)
            growing = [g for g in growing if sizes[g] == smallest]
        g = rng.choice(growing)
        frontier = frontiers[g]
        cell = frontier.pop(rng.randrange(len(frontier)))
        if region[cell] == -1:
            region[cell] = g
            sizes[g] += 1
            free -= 1
            frontier.extend(other for other in orthogonal[cell] if region[other] == -1)
    return region


def pair_regions(rng: Random, n: int, region: list[int]) -> list[int] | None:
    """Merge 2n one-star regions into n adjacent pairs (None when the pairing gets stuck).

    Greedy: the region with the fewest unpaired neighbours is paired first, with a random one.
    """
    orthogonal = neighbour_tables(n, n)[0]
    count = max(region) + 1
    touching: list[set[int]] = [set() for _ in range(count)]
    for cell, g in enumerate(region):
        for other in orthogonal[cell]:
            if region[other] != g:
                touching[g].add(region[other])
    merged = [-1] * count
    for label in range(count // 2):
        free = [g for g in range(count) if merged[g] == -1]
        g = min(free, key=lambda g: (sum(merged[h] == -1 for h in touching[g]), g))
        partners = sorted(h for h in touching[g] if merged[h] == -1)
        if not partners:
            return None
        merged[g] = merged[rng.choice(partners)] = label
    return [merged[g] for g in region]


def cut_off(region: list[int], cell: int, keep: set[int], orthogonal: list[list[int]]) -> list[int]:
    """``cell`` and the cells of its region that lose touch with ``keep`` once it leaves.

    Empty when ``cell`` is in ``keep`` or the kept cells of its region would be split.
    """
    own = region[cell]
    start = [star for star in keep if region[star] == own]
    if cell in start:
        return []
    seen = {start[0]}
    stack = [start[0]]
    while stack:
        for other in orthogonal[stack.pop()]:
            if other != cell and region[other] == own and other not in seen:
                seen.add(other)
                stack.append(other)
    if any(star not in seen for star in start):
        return []
    return [other for other, g in enumerate(region) if g == own and other not in seen]


def repair(
    rng: Random, cols: int, regions: tuple[int, ...], mine: set[int], rival: list[bool]
) -> list[int] | None:
    """Regions changed so that the rival solution breaks, or None when no move is possible.

    A cell that is on in ``rival`` but not in the intended solution ``mine`` moves to a
    neighbouring region, with any part of its old region it would cut off from that region's
    intended cells: the intended solution still fits, while ``rival`` now has a region with
    one cell too many.
    """
    orthogonal = neighbour_tables(len(regions) // cols, cols)[0]
    region = list(regions)
    cells = [cell for cell, on in enumerate(rival) if on and cell not in mine]
    rng.shuffle(cells)
    for cell in cells:
        targets = sorted({region[o] for o in orthogonal[cell]} - {region[cell]})
        moved = cut_off(region, cell, mine, orthogonal)
        if targets and moved:
            target = rng.choice(targets)
            for moving in moved:
                region[moving] = target
            return region
    return None


def unique_puzzle(
    rng: Random, n: int, k: int, attempts: int, repairs: int
) -> tuple[StarBattle, list[bool]]:
    """A puzzle and its star layout, proven unique by an exhaustive search."""
    for _ in range(attempts):
        stars = random_stars(rng, n, k)
        if stars is None:
            continue
        region: list[int] | None = grow_regions(rng, n, n, [[star] for star in stars])
        if k == 2:
            region = pair_regions(rng, n, region)
        if region is None:
            continue
        for _ in range(repairs + 1):
            puzzle = StarBattle(n, k, tuple(region))
            solutions = search(StarRules(puzzle), [0] * (n * n)).solutions
            if len(solutions) == 1:
                return puzzle, solutions[0]
            rival = next(s for s in solutions if [c for c, on in enumerate(s) if on] != stars)
            region = repair(rng, n, puzzle.regions, set(stars), rival)
            if region is None:
                break
    raise StarGenerationError(
        f"no {n}x{n} puzzle with {k} stars per unit and a unique solution in {attempts} "
        "attempts; raise max_attempts"
    )
