"""The Arrow Maze task: knobs, level table, generation with uniqueness repair, verifier."""

from __future__ import annotations

import re
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.synlogic.arrow_maze.solver import (
    DIRECTIONS,
    RaySearch,
    cell_name,
    origin,
)
from generators.synlogic.grid import format_grid, parse_grid
from generators.synlogic.search_budget import SearchBudgetExceeded
from schemas.records import Problem

_ARROW_OF = {sym: d for d, (_, _, sym, _) in enumerate(DIRECTIONS)} | {
    letters: d for d, (_, _, _, letters) in enumerate(DIRECTIONS)
}


class ArrowMazeConfig(TaskConfig):
    rows: int = Field(default=5, ge=3, le=12, description="grid rows")
    cols: int = Field(default=5, ge=3, le=12, description="grid columns")
    number_fraction: float = Field(
        default=0.15, ge=0.02, le=0.6, description="share of cells seeded with a number"
    )
    node_budget: int = Field(
        default=200, ge=10, le=1_000_000, description="search nodes per uniqueness check"
    )
    given_fraction: float = Field(
        default=0.0, ge=0.0, le=0.9, description="share of arrows shown before uniqueness repair"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 3, "cols": 3, "number_fraction": 0.35, "given_fraction": 0.2},
    2: {"rows": 4, "cols": 4, "number_fraction": 0.3, "given_fraction": 0.1},
    3: {"rows": 4, "cols": 5, "number_fraction": 0.3},
    4: {"rows": 5, "cols": 5, "number_fraction": 0.28},
    5: {"rows": 5, "cols": 6, "number_fraction": 0.25},
    6: {"rows": 6, "cols": 6, "number_fraction": 0.25},
    7: {"rows": 6, "cols": 7, "number_fraction": 0.22},
    8: {"rows": 7, "cols": 7, "number_fraction": 0.2},
    9: {"rows": 7, "cols": 8, "number_fraction": 0.2},
    10: {"rows": 8, "cols": 8, "number_fraction": 0.18},
}


def random_puzzle(
    config: ArrowMazeConfig, rng: Random
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """(numbers cell → N, given arrows cell → direction, full solution cell → direction).

    Numbers are placed at random; then each uncovered cell, in random order, is reached by
    extending a random ray that can get to it over uncovered cells, or becomes a number
    itself when none can. Each number is the total length of its rays. While a second
    solution exists, the true arrows of two cells where the two differ are shown (of two
    random cells, when the search runs over its node budget).
    """
    rows, cols = config.rows, config.cols
    size = rows * cols
    owner: dict[int, int] = {}  # covered cell → the number its ray leaves
    arrows: dict[int, int] = {}
    seeds = rng.sample(range(size), max(1, round(config.number_fraction * size)))
    numbers = dict.fromkeys(seeds, 0)
    order = [x for x in range(size) if x not in numbers]
    rng.shuffle(order)
    for x in order:
        if x in arrows:
            continue
        reach = []  # (number, direction, uncovered cells from the ray's end to x)
        for d, (dr, dc, _, _) in enumerate(DIRECTIONS):
            r, c = divmod(x, cols)
            path = [x]
            while True:
                r, c = r - dr, c - dc
                y = r * cols + c
                if not (0 <= r < rows and 0 <= c < cols) or (y in arrows and arrows[y] != d):
                    break
                if y in numbers or y in arrows:
                    reach.append((y if y in numbers else owner[y], d, path))
                    break
                path.append(y)
        if not reach:
            numbers[x] = 0
            continue
        u, d, path = rng.choice(reach)
        for y in path:
            arrows[y], owner[y] = d, u
        numbers[u] += len(path)
    numbers = dict(sorted(numbers.items()))
    arrows = dict(sorted(arrows.items()))
    shown = rng.sample(sorted(arrows), round(config.given_fraction * len(arrows)))
    givens = {c: arrows[c] for c in shown}
    while True:
        try:
            solutions = RaySearch(rows, cols, numbers, givens).run(
                limit=2, budget=config.node_budget
            )
        except SearchBudgetExceeded:
            differing = [c for c in arrows if c not in givens]
        else:
            if len(solutions) == 1:
                return numbers, dict(sorted(givens.items())), arrows
            other = solutions[1] if solutions[0] == arrows else solutions[0]
            differing = [c for c in arrows if other[c] != arrows[c]]
        for cell in rng.sample(differing, min(2, len(differing))):
            givens[cell] = arrows[cell]


def render(rows: int, cols: int, numbers: dict[int, int], arrows: dict[int, int]) -> str:
    grid = [["."] * cols for _ in range(rows)]
    for cell, n in numbers.items():
        grid[cell // cols][cell % cols] = str(n)
    for cell, d in arrows.items():
        grid[cell // cols][cell % cols] = DIRECTIONS[d][2]
    return format_grid(grid)


_INTROS = (
    "Arrow Maze on a {r}x{c} grid. Every empty cell ('.') must get one arrow: ↑ ↓ ← → ↖ ↗ "
    "↙ ↘. Arrows form straight strings that start next to a number and point away from it: "
    "a string leaves a number in one of the 8 directions and consists of consecutive cells "
    "all holding that direction's arrow. Every arrow must belong to such a string (walking "
    "backwards from an arrow over equal arrows, you must arrive at a number), and the "
    "strings leaving a number N contain N arrows in total.",
    "Solve this {r}x{c} Arrow Maze. Each number shoots straight rays of arrows out of its "
    "cell, in any of the 8 directions (up, down, left, right, diagonals); a ray is a run of "
    "adjacent cells, starting right next to the number, whose arrows all point in the "
    "ray's direction, away from the number. Fill every '.' with an arrow (↑ ↓ ← → ↖ ↗ ↙ ↘) "
    "so that each arrow lies on a ray of some number and each number N has exactly N "
    "arrows on its rays altogether.",
    "Here is a {r}x{c} grid of numbers and blanks ('.'). Draw one of the eight arrows "
    "↑ ↓ ← → ↖ ↗ ↙ ↘ in every blank. Rule: from each number, rays go out in straight lines; "
    "a ray is an unbroken line of identical arrows beginning at the cell next to the number "
    "and pointing away from it. Each arrow must be part of a ray (follow it backwards over "
    "identical arrows and you reach a number), and a number counts all arrows on its rays.",
)
_GIVENS = (
    "Arrows already drawn are part of the puzzle and must be kept.",
    "Any arrow already shown is fixed.",
    "Pre-drawn arrows stay as they are.",
)
_FORMATS = (
    "Answer with the completed grid: {r} lines of {c} entries separated by spaces, keeping "
    "every number in place and writing an arrow in every other cell. You may write arrows as "
    "symbols or as U D L R UL UR DL DR.",
    "Give the full grid, one row per line ({r} rows, {c} space-separated entries each): the "
    "numbers unchanged and an arrow (↑ ↓ ← → ↖ ↗ ↙ ↘, or the letters U D L R UL UR DL DR) in "
    "each empty cell.",
    "Write the solution as {r} lines, each with {c} entries separated by spaces: numbers as "
    "given, arrows as ↑ ↓ ← → ↖ ↗ ↙ ↘ (U, D, L, R, UL, UR, DL, DR are accepted too).",
)


def _cell(text: str) -> int | str:
    """A number (int) or a direction index encoded as 'dN'."""
    if re.fullmatch(r"\d{1,3}", text):
        return int(text)
    direction = _ARROW_OF.get(text.upper())
    if direction is None:
        raise ValueError(f"{text!r} is neither a number nor an arrow")
    return f"d{direction}"


class ArrowMaze(Task[ArrowMazeConfig]):
    """Arrow Maze with a proven unique solution; the verifier checks the rules and givens."""

    name: ClassVar[str] = "arrow_maze"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Arrow Maze: draw an 8-direction arrow in every empty cell so that each arrow points "
        "at a number and each number N is pointed at by exactly N arrows."
    )
    Config = ArrowMazeConfig
    LEVELS = LEVELS

    def generate(self, config: ArrowMazeConfig, rng: Random, index: int) -> Instance:
        r, c = config.rows, config.cols
        numbers, givens, arrows = random_puzzle(config, rng)
        parts = [
            rng.choice(_INTROS).format(r=r, c=c),
            render(r, c, numbers, givens),
            rng.choice(_FORMATS).format(r=r, c=c),
            ANSWER_INSTRUCTION,
        ]
        if givens:
            parts.insert(2, rng.choice(_GIVENS))
        payload = {
            "rows": r,
            "cols": c,
            "numbers": [[cell, n] for cell, n in numbers.items()],
            "givens": [[cell, d] for cell, d in givens.items()],
        }
        return Instance("\n\n".join(parts), render(r, c, numbers, arrows), payload)

    def solve(self, problem: Problem) -> Solution:
        r, c, numbers, givens = _puzzle(problem)
        search = RaySearch(r, c, numbers, givens, log=True)
        solutions = search.run(limit=2)
        assert len(solutions) == 1, "puzzle is not uniquely solvable"
        options = ", ".join(
            f"{cell_name(c, cell)}: {len(rays)}" for cell, rays in search.reach.items()
        )
        lines = [
            "Every arrow lies on a ray leaving a number, so I track for every ray (number and "
            "direction) how many arrows it can hold and match these lengths to the numbers.",
            f"Empty cells and how many rays could reach them: {options or 'none'}.",
            "Deductions and guesses:",
            *(f"- {event}" for event in search.events or ()),
        ]
        if search.hidden_events:
            lines.append(f"- ({search.hidden_events} more steps omitted)")
        answer = render(r, c, numbers, solutions[0])
        lines.append(f"Exactly one assignment works:\n{answer}")
        effort = search.nodes + search.steps
        return Solution(answer, "\n".join(lines), {"effort": effort, "nodes": search.nodes})

    def answer_space(self, problem: Problem) -> int:
        """Eight arrows for every blank cell."""
        p = problem.payload
        return 8 ** (p["rows"] * p["cols"] - len(p["numbers"]) - len(p["givens"]))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        r, c, numbers, givens = _puzzle(problem)
        grid = parse_grid(answer, r, c, _cell)
        arrows = {}
        for cell, value in enumerate(v for row in grid for v in row):
            where = cell_name(c, cell)
            if cell in numbers:
                if value != numbers[cell]:
                    return 0.0, f"{where} must keep its number {numbers[cell]}"
            elif isinstance(value, int):
                return 0.0, f"{where} needs an arrow, not a number"
            else:
                arrows[cell] = int(value[1:])
                if givens.get(cell, arrows[cell]) != arrows[cell]:
                    return 0.0, f"the given arrow at {where} was changed"
        counts = dict.fromkeys(numbers, 0)
        for cell in arrows:
            start = origin(r, c, arrows, cell)
            if start not in numbers:
                return 0.0, f"the arrow at {cell_name(c, cell)} is on no ray from a number"
            counts[start] += 1
        for cell, n in numbers.items():
            if counts[cell] != n:
                return 0.0, f"the rays of {cell_name(c, cell)} hold {counts[cell]} arrows, not {n}"
        return 1.0, "correct"


def _puzzle(problem: Problem) -> tuple[int, int, dict[int, int], dict[int, int]]:
    p = problem.payload
    return (
        p["rows"],
        p["cols"],
        {cell: n for cell, n in p["numbers"]},
        {cell: d for cell, d in p["givens"]},
    )
