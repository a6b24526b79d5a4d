"""Random tent-and-tree layouts, kept only when the counts force a single tent placement."""

from __future__ import annotations

from random import Random

from generators.base import GenerationError
from generators.synlogic.campsite.rules import Camp, CampRules
from generators.synlogic.cell_search import search


class CampGenerationError(GenerationError):
    """No unique puzzle was found within the attempt budget."""


def random_layout(rng: Random, rows: int, cols: int, tents: int) -> tuple[list[int], list[int]]:
    """Up to ``tents`` non-touching tents, each with its own tree beside it."""
    shape = Camp(rows, cols, (), (), ())
    cells = list(range(rows * cols))
    rng.shuffle(cells)
    taken: set[int] = set()  # tents, their trees, and every cell touching a tent
    placed: list[int] = []
    trees: list[int] = []
    tent_cells: set[int] = set()
    for cell in cells:
        if len(placed) == tents:
            break
        if cell in taken or any(other in tent_cells for other in shape.ring(cell)):
            continue
        free = [other for other in shape.orthogonal(cell) if other not in taken]
        free = [other for other in free if other not in tent_cells]
        if not free:
            continue
        tree = rng.choice(free)
        placed.append(cell)
        tent_cells.add(cell)
        trees.append(tree)
        taken.update((cell, tree, *shape.ring(cell)))
    return sorted(placed), sorted(trees)


def unique_camp(
    rng: Random, rows: int, cols: int, density: float, attempts: int
) -> tuple[Camp, list[bool]]:
    """A puzzle and its tent placement, proven unique by an exhaustive search."""
    target = max(1, round(rows * cols * density))
    for _ in range(attempts):
        tents, trees = random_layout(rng, rows, cols, target)
        on = set(tents)
        camp = Camp(
            rows,
            cols,
            tuple(trees),
            tuple(sum(r * cols + c in on for c in range(cols)) for r in range(rows)),
            tuple(sum(r * cols + c in on for r in range(rows)) for c in range(cols)),
        )
        rules = CampRules(camp)
        solutions = search(rules, rules.initial_state()).solutions
        if len(solutions) == 1:
            return camp, solutions[0]
    raise CampGenerationError(
        f"no {rows}x{cols} camp with a unique placement in {attempts} attempts; "
        "raise max_attempts or lower the density"
    )
