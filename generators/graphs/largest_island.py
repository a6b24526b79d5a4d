"""Largest island: the size of the largest 4-connected region of land on a grid map.

The answer is drawn first, uniform over 2..two fifths of the cells (by :func:`balanced_choice`):
an island of that size grows from a random cell, then other cells become land at random,
towards the map's own land share (uniform in ``land_low..land_high`` percent), wherever
they keep every other island smaller (see :func:`_draw`). The reference trace floods each
island in reading order.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any, ClassVar

from pydantic import Field, model_validator

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_number
from generators.graphs.fastrand import pick
from generators.graphs.task import GraphTask, bounded, compose
from schemas.records import Problem


class IslandConfig(TaskConfig):
    rows: int = Field(default=6, ge=2, le=20, description="grid rows")
    cols: int = Field(default=6, ge=2, le=20, description="grid columns")
    land_low: int = Field(default=30, ge=5, le=95, description="least land share, percent")
    land_high: int = Field(default=60, ge=5, le=95, description="most land share, percent")

    @model_validator(mode="after")
    def _ordered(self) -> IslandConfig:
        if self.land_low > self.land_high:
            raise ValueError("land_low must not exceed land_high")
        return self


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 5, "cols": 5},
    2: {"rows": 5, "cols": 6},
    3: {"rows": 6, "cols": 6},
    4: {"rows": 6, "cols": 7},
    5: {"rows": 7, "cols": 7},
    6: {"rows": 7, "cols": 8},
    7: {"rows": 8, "cols": 8},
    8: {"rows": 8, "cols": 9},
    9: {"rows": 9, "cols": 9},
    10: {"rows": 10, "cols": 10},
}

STYLES = (
    ("#", ".", "'#' is land and '.' is water"),
    ("1", "0", "1 is land and 0 is water"),
    ("L", "W", "L is land and W is water"),
)
_TABLES = tuple(str.maketrans("#.", land + water) for land, water, _ in STYLES)
"""Per style, the translation of the stored map's characters."""
INTROS = (
    "Below is a map of a stretch of sea.",
    "Here is a grid map of land and water.",
    "An explorer drew the following map.",
)
QUESTIONS = (
    "An island is a group of land cells connected horizontally or vertically (not "
    "diagonally). How many cells does the largest island have?",
    "Land cells that touch along an edge belong to the same island; diagonal contact does "
    "not count. What is the size, in cells, of the biggest island?",
    "Counting only up, down, left and right as connections between land cells, how large "
    "is the largest island?",
)
FORMAT = (
    "Give the number of cells of the largest island as a single whole number (0 if there "
    "is no land)."
)


def islands(grid: list[str]) -> tuple[list[tuple[int, int, int]], int]:
    """(size, row, col of the first cell) per island in reading order, and the effort:
    cells looked at plus neighbour checks."""
    rows, cols = len(grid), len(grid[0])
    seen = [[False] * cols for _ in range(rows)]
    found, effort = [], 0
    for r in range(rows):
        for c in range(cols):
            effort += 1
            if grid[r][c] != "#" or seen[r][c]:
                continue
            seen[r][c] = True
            stack, size = [(r, c)], 0
            while stack:
                y, x = stack.pop()
                size += 1
                for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                    effort += 1
                    if (
                        0 <= ny < rows
                        and 0 <= nx < cols
                        and grid[ny][nx] == "#"
                        and not seen[ny][nx]
                    ):
                        seen[ny][nx] = True
                        stack.append((ny, nx))
            found.append((size, r, c))
    return found, effort


_AROUND: dict[tuple[int, int], list[list[int]]] = {}


def _around(rows: int, cols: int) -> list[list[int]]:
    """Per flat cell index ``y * cols + x``, the indices of its up/down/left/right cells."""
    key = (rows, cols)
    if key not in _AROUND:
        _AROUND[key] = [
            [
                ny * cols + nx
                for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1))
                if 0 <= ny < rows and 0 <= nx < cols
            ]
            for y in range(rows)
            for x in range(cols)
        ]
    return _AROUND[key]


_CHAR = ".#.#"  # by state: open and shore are water


def _root(parent: list[int], v: int) -> int:
    while parent[v] != v:
        parent[v] = parent[parent[v]]
        v = parent[v]
    return v


def _scatter(
    rand: Callable[[], float], state: list[int], cols: int, size: int, chance: float
) -> None:
    """Make each open cell land (state 3) with probability ``chance``, in reading order,
    unless it would join land of ``size`` cells or more (union-find over the up and left
    neighbours, the only ones decided before it)."""
    parent, weight = list(range(len(state))), [1] * len(state)
    for cell in range(len(state)):
        if state[cell] or rand() >= chance:
            continue
        up = _root(parent, cell - cols) if cell >= cols and state[cell - cols] == 3 else -1
        left = _root(parent, cell - 1) if cell % cols and state[cell - 1] == 3 else -1
        if left == up:
            left = -1
        total = 1 + (weight[up] if up >= 0 else 0) + (weight[left] if left >= 0 else 0)
        if total >= size:
            continue
        state[cell] = 3
        weight[cell] = total
        if up >= 0:
            parent[up] = cell
        if left >= 0:
            parent[left] = cell


def _draw(rng: Random, rows: int, cols: int, size: int, share: float) -> list[str]:
    """A map whose largest island has exactly ``size`` cells.

    The island grows from a random cell through random cells of its frontier; its shore
    stays water. Every other cell is then offered in reading order and becomes land with
    the probability that fills the map to ``share`` (at least two such cells are wanted),
    unless that would join land of ``size`` cells or more (:func:`_scatter`).
    """
    rand, cells, around = rng.random, rows * cols, _around(rows, cols)
    state = [0] * cells  # 0 open, 1 the island, 2 its shore, 3 other land
    first = int(rand() * cells)
    state[first], grown, frontier = 1, 1, list(around[first])
    while grown < size:
        i = int(rand() * len(frontier))
        cell = frontier[i]
        frontier[i] = frontier[-1]
        frontier.pop()
        if state[cell] != 1:
            state[cell] = 1
            grown += 1
            frontier += around[cell]
    for cell in frontier:
        if state[cell] == 0:
            state[cell] = 2
    open_cells = state.count(0)
    wanted = max(share * cells - size, 2.0)
    _scatter(rand, state, cols, size, wanted / open_cells if open_cells else 0.0)
    flat = "".join(map(_CHAR.__getitem__, state))
    return [flat[y * cols : (y + 1) * cols] for y in range(rows)]


class LargestIsland(GraphTask[IslandConfig]):
    name: ClassVar[str] = "largest_island"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Largest island: the number of cells of the largest 4-connected land region of a grid map."
    )
    Config = IslandConfig
    LEVELS = LEVELS

    def generate(self, config: IslandConfig, rng: Random, index: int) -> Instance:
        rows, cols = config.rows, config.cols
        size = 2 + balanced_choice(index, max(rows * cols * 2 // 5 - 1, 1))
        low, high = config.land_low, config.land_high
        share = (low + (high - low) * rng.random()) / 100  # what rng.uniform(low, high) draws
        grid = _draw(rng, rows, cols, size, share)
        style = int(rng.random() * len(STYLES))
        land, _, legend = STYLES[style]
        rows_text = [row.translate(_TABLES[style]) for row in grid]
        if land == "1":
            rows_text = [" ".join(row) for row in rows_text]
        picture = "\n".join(rows_text)
        body = f"In this {config.rows}×{config.cols} map, {legend}:\n```\n{picture}\n```"
        prompt = compose(rng, INTROS, body, pick(rng, QUESTIONS), FORMAT)
        return Instance(prompt, str(size), {"grid": grid, "largest": size})

    def solve(self, problem: Problem) -> Solution:
        found, effort = islands(problem.payload["grid"])
        lines = [
            f"Island {i} starts at row {r + 1}, column {c + 1}; flooding it gives {s} "
            f"cell{'s' if s > 1 else ''}."
            for i, (s, r, c) in enumerate(found, 1)
        ]
        best = max((s for s, _, _ in found), default=0)
        reasoning = "\n".join(
            [
                "Scan the map row by row; at each land cell not yet visited, flood its island "
                "through up/down/left/right neighbours and count its cells.",
                *bounded(lines),
                f"The largest island has {best} cells.",
            ]
        )
        return Solution(str(best), reasoning, {"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        land = sum(row.count("#") for row in problem.payload["grid"])
        return {**super().trivial_answers(problem), "all land": str(land), "one cell": "1"}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["largest"])
