"""The Number Wall task: knobs, level table, generation with uniqueness repair, verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.grid import format_grid, parse_grid
from generators.synlogic.number_wall.bits import Board, cells_of
from generators.synlogic.number_wall.layout import random_layout
from generators.synlogic.number_wall.solver import IslandSearch
from generators.synlogic.search_budget import SearchBudgetExceeded
from schemas.records import Problem

WALL, ISLAND = "#", "."
MAX_REPAIRS = 8


class NumberWallConfig(TaskConfig):
    rows: int = Field(default=6, ge=3, le=12, description="grid rows")
    cols: int = Field(default=6, ge=3, le=12, description="grid columns")
    max_island: int = Field(
        default=4, ge=1, le=7, description="largest island drawn (a uniqueness repair may add one)"
    )
    grow_chance: float = Field(
        default=0.4, ge=0.0, le=0.9, description="chance of growing an island per layout step"
    )
    node_budget: int = Field(
        default=1_000, ge=100, le=10_000_000, description="search nodes per uniqueness check"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 4, "cols": 4, "max_island": 3, "grow_chance": 0.3},
    2: {"rows": 5, "cols": 5, "max_island": 3, "grow_chance": 0.3},
    3: {"rows": 5, "cols": 6, "max_island": 3, "grow_chance": 0.3},
    4: {"rows": 6, "cols": 6, "max_island": 4, "grow_chance": 0.3},
    5: {"rows": 6, "cols": 7, "max_island": 4, "grow_chance": 0.3},
    6: {"rows": 7, "cols": 7, "max_island": 4, "grow_chance": 0.3},
    7: {"rows": 7, "cols": 8, "max_island": 4, "grow_chance": 0.2},
    8: {"rows": 8, "cols": 8, "max_island": 4, "grow_chance": 0.3},
    9: {"rows": 8, "cols": 9, "max_island": 4, "grow_chance": 0.3},
    10: {"rows": 9, "cols": 9, "max_island": 4, "grow_chance": 0.3},
}


def unique_puzzle(board: Board, config: NumberWallConfig, rng: Random) -> list[tuple[int, int]]:
    """Clues (cell, size) of a random layout that has exactly one solution.

    While a second solution exists, the layout is changed where they differ (see
    :func:`_repair`); a layout still ambiguous after a few repairs, or too costly to
    check, is redrawn.
    """
    while True:
        islands = random_layout(board, config.max_island, config.grow_chance, rng)
        clues = [rng.choice(cells_of(island)) for island in islands]
        for _ in range(MAX_REPAIRS):
            sized = [(c, m.bit_count()) for c, m in zip(clues, islands, strict=True)]
            search = IslandSearch(board, sized)
            try:
                solutions = search.run(limit=2, budget=config.node_budget)
            except SearchBudgetExceeded:
                break
            if len(solutions) == 1:
                return sized
            other = next(s for s in solutions if s != islands)
            _repair(board, islands, clues, sum(other), rng)


def _repair(
    board: Board, islands: list[int], clues: list[int], other_land: int, rng: Random
) -> None:
    """Change the puzzle where the other solution differs, so that it stops being one.

    Preferably a wall cell that is island in the other solution is opened: it becomes a
    new 1-island (with its clue) or joins the one island it touches, provided the wall
    stays connected (opening a cell never creates a 2×2 wall). Otherwise the clue of an
    island moves onto one of its cells that the other solution leaves as wall.
    """
    land = sum(islands)
    wall = board.full & ~land
    candidates = cells_of(other_land & wall)
    rng.shuffle(candidates)
    for cell in candidates:
        touching = [i for i, island in enumerate(islands) if board.grow(1 << cell) & island]
        if len(touching) > 1 or not board.connected(wall & ~(1 << cell)):
            continue
        if touching:
            islands[touching[0]] |= 1 << cell
        else:
            islands.append(1 << cell)
            clues.append(cell)
        return
    cell = rng.choice(cells_of(land & ~other_land))
    owner = next(i for i, island in enumerate(islands) if island >> cell & 1)
    clues[owner] = cell


_INTROS = (
    "Number Wall puzzle (a Nurikabe variant) on a {r}x{c} grid. Shade some cells as wall so "
    "that: every number lies in an island of unshaded cells of exactly that many cells; each "
    "island contains exactly one number; every unshaded cell belongs to a numbered island; all "
    "wall cells form one orthogonally connected region; and no 2x2 square is entirely wall.",
    "Solve this {r}x{c} Number Wall. Each cell is either wall or island. Rules: (1) each "
    "number sits in an orthogonally connected island whose size equals the number, (2) no "
    "island holds two numbers and no island lacks one, (3) the wall is a single connected "
    "region (orthogonal steps), (4) the wall never fills a 2x2 block.",
    "Below is a {r}x{c} grid with numbered cells. Decide which cells are wall. The unshaded "
    "cells must split into islands (connected horizontally or vertically), one per number, "
    "each containing its number and exactly that many cells; the wall cells must all be "
    "connected to each other and may not cover any 2x2 square.",
)
_QUESTIONS = (
    "Numbered cells are clues; '_' marks a cell whose status you must decide:",
    "The grid ('_' = undecided cell, numbers = clues):",
    "Here is the puzzle; '_' cells are unknown:",
)
_FORMATS = (
    "Answer with {r} lines of {c} symbols separated by spaces: '#' for a wall cell, '.' for an "
    "island cell (you may write the clue number instead of '.' in numbered cells).",
    "Give the solved grid as {r} rows, one per line, each with {c} space-separated symbols: "
    "'#' = wall, '.' = island (clue cells may keep their numbers).",
    "Write the solution as {r} lines with {c} cells each, separated by spaces, using '#' for "
    "wall and '.' for island cells; numbered cells may show their number.",
)


def _cell(text: str) -> str | int:
    if text in (WALL, ISLAND):
        return text
    if text.isdigit() and len(text) <= 2:
        return int(text)
    raise ValueError(f"{text!r} is not '#', '.' or a clue number")


class NumberWall(Task[NumberWallConfig]):
    """Nurikabe-style shading with a proven unique solution; the verifier checks the rules."""

    name: ClassVar[str] = "number_wall"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Number Wall (Nurikabe): shade wall cells so that each number lies in an island of "
        "that size, the wall is connected and has no 2x2 block."
    )
    Config = NumberWallConfig
    LEVELS = LEVELS

    def generate(self, config: NumberWallConfig, rng: Random, index: int) -> Instance:
        board = Board(config.rows, config.cols)
        clues = unique_puzzle(board, config, rng)
        clues.sort()
        (solution,) = IslandSearch(board, clues).run(limit=2)
        r, c = config.rows, config.cols
        puzzle = [["_"] * c for _ in range(r)]
        for cell, size in clues:
            puzzle[cell // c][cell % c] = str(size)
        prompt = "\n\n".join(
            (
                rng.choice(_INTROS).format(r=r, c=c),
                rng.choice(_QUESTIONS) + "\n\n" + format_grid(puzzle),
                rng.choice(_FORMATS).format(r=r, c=c),
                ANSWER_INSTRUCTION,
            )
        )
        payload = {"rows": r, "cols": c, "clues": [list(clue) for clue in clues]}
        return Instance(prompt, _render(board, sum(solution)), payload)

    def solve(self, problem: Problem) -> Solution:
        board, clues = _board(problem), _clues(problem)
        search = IslandSearch(board, clues, log=True)
        solutions = search.run(limit=2)
        assert len(solutions) == 1, "puzzle is not uniquely solvable"
        lines = [
            "Each island contains exactly one number, so the task is to pick, for every clue, "
            "a connected island of that size around it; islands may not touch, and everything "
            "else is wall (connected, no 2x2 block).",
            "Possible islands per clue: "
            + ", ".join(
                f"{size} at {board.name(cell)}: {len(shapes)}"
                for (cell, size), shapes in zip(clues, search.shapes, strict=True)
            )
            + ".",
            "I place the clue with the fewest options first (forced ones silently), "
            "discarding shapes of other clues that overlap or touch it:",
            *(f"- {event}" for event in search.events or ()),
        ]
        if search.hidden_events:
            lines.append(f"- ({search.hidden_events} more search events omitted)")
        answer = _render(board, sum(solutions[0]))
        lines.append(
            f"The search took {search.nodes} steps and found exactly one valid shading:\n{answer}"
        )
        return Solution(answer, "\n".join(lines), {"effort": search.rounds, "nodes": search.nodes})

    def answer_space(self, problem: Problem) -> int:
        """Wall or island for every cell without a clue."""
        p = problem.payload
        return 2 ** (p["rows"] * p["cols"] - len(p["clues"]))

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        no_wall = format_grid([["."] * p["cols"] for _ in range(p["rows"])])
        return {**super().trivial_answers(problem), "no wall": no_wall}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        board, clues = _board(problem), _clues(problem)
        grid = parse_grid(answer, board.rows, board.cols, _cell, compact=True)
        size_at = dict(clues)
        wall = 0
        for cell, value in enumerate(v for row in grid for v in row):
            if value == WALL:
                if cell in size_at:  # a walled clue lies in no island at all
                    return 0.0, f"{board.name(cell)} holds the clue {size_at[cell]} but is wall"
                wall |= 1 << cell
            elif isinstance(value, int) and size_at.get(cell) != value:
                return 0.0, f"{board.name(cell)} shows {value} but that is not its clue"
        land = board.full & ~wall
        while land:
            island = board.component(land & -land, land)
            land &= ~island
            inside = [cell for cell in cells_of(island) if cell in size_at]
            where = board.name(cells_of(island)[0])
            if len(inside) != 1:
                return 0.0, f"the island at {where} holds {len(inside)} numbers"
            if size_at[inside[0]] != island.bit_count():
                return 0.0, f"the island of {board.name(inside[0])} has {island.bit_count()} cells"
        if corners := board.square_corners(wall):
            return 0.0, f"2x2 wall block at {board.name(cells_of(corners)[0])}"
        if not board.connected(wall):
            return 0.0, "the wall is not connected"
        return 1.0, "correct"


def _board(problem: Problem) -> Board:
    return Board(problem.payload["rows"], problem.payload["cols"])


def _clues(problem: Problem) -> list[tuple[int, int]]:
    return [(cell, size) for cell, size in problem.payload["clues"]]


def _render(board: Board, land: int) -> str:
    symbols = [ISLAND if land >> cell & 1 else WALL for cell in range(board.size)]
    return format_grid([symbols[r * board.cols : (r + 1) * board.cols] for r in range(board.rows)])
