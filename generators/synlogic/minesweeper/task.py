"""Minesweeper deduction: from a partly revealed board, name every cell that must be a mine.

Generation lays mines at random, opens the board from a random empty cell as the game does
(flood-filling zeros), reveals a few more random safe cells, and asks for the hidden cells
that are mines in every layout consistent with the numbers (the total number of mines is not
given). That set is a function of the board, computed exactly by :mod:`.solver`; boards
where it is empty, or whose search passes ``max_effort`` steps, are redrawn.
"""

from __future__ import annotations

import re
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    GenerationError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.grid import format_grid
from generators.synlogic.minesweeper.solver import (
    BudgetExceeded,
    Cell,
    Deduction,
    deduce,
    neighbours,
)
from schemas.records import Problem

Board = list[list[int | None]]


class MinesweeperConfig(TaskConfig):
    """Board size, mine density and how many safe cells are revealed beyond the opening."""

    rows: int = Field(default=6, ge=4, le=20, description="board rows")
    cols: int = Field(default=6, ge=4, le=20, description="board columns")
    density: float = Field(default=0.15, ge=0.05, le=0.35, description="fraction of mines")
    extra_reveals: int = Field(
        default=2, ge=0, le=40, description="random safe cells revealed after the opening"
    )
    max_effort: int = Field(
        default=20_000,
        ge=100,
        le=10_000_000,
        description="search steps allowed per board; boards needing more are redrawn",
    )
    max_attempts: int = Field(
        default=1000, ge=1, le=100_000, description="boards drawn before giving up"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 5, "cols": 5, "density": 0.15, "extra_reveals": 1},
    2: {"rows": 6, "cols": 6, "density": 0.15, "extra_reveals": 2},
    3: {"rows": 7, "cols": 7, "density": 0.16, "extra_reveals": 3},
    4: {"rows": 8, "cols": 8, "density": 0.17, "extra_reveals": 4},
    5: {"rows": 9, "cols": 9, "density": 0.18, "extra_reveals": 6},
    6: {"rows": 10, "cols": 10, "density": 0.18, "extra_reveals": 8},
    7: {"rows": 11, "cols": 11, "density": 0.19, "extra_reveals": 10},
    8: {"rows": 12, "cols": 12, "density": 0.2, "extra_reveals": 13},
    9: {"rows": 14, "cols": 14, "density": 0.2, "extra_reveals": 16},
    10: {"rows": 16, "cols": 16, "density": 0.21, "extra_reveals": 20},
}

_INTROS = (
    "Here is a Minesweeper board in the middle of a game.",
    "A game of Minesweeper is under way on the board below.",
    "Consider this partly uncovered Minesweeper board.",
)
_LEGEND = (
    "A number is a revealed safe cell and tells how many of its up to 8 neighbours "
    "(horizontally, vertically and diagonally adjacent cells) are mines; '?' is a hidden cell. "
    "The total number of mines is not given."
)
_QUESTIONS = (
    "Which hidden cells are certainly mines, whatever the rest of the layout?",
    "List every hidden cell that must contain a mine in every layout consistent with the numbers.",
    "Find all hidden cells that are guaranteed to be mines.",
)
_FORMAT = (
    "Rows and columns are numbered from 1, with (1,1) the top-left cell. Answer with the "
    "coordinates of all certain mines as (row,column) pairs separated by commas, in any "
    "order, for example: (1,2), (3,4)."
)


class MinesweeperGenerationError(GenerationError):
    """No board with a certain mine (within the effort budget) in ``max_attempts`` draws."""


def _draw(config: MinesweeperConfig, rng: Random) -> Board:
    """A random layout opened from an empty cell, plus extra revealed safe cells."""
    rows, cols = config.rows, config.cols
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    mines = set(rng.sample(cells, max(1, round(config.density * rows * cols))))
    count = {cell: sum(n in mines for n in neighbours(cell, rows, cols)) for cell in cells}
    safe = [cell for cell in cells if cell not in mines]
    zeros = [cell for cell in safe if count[cell] == 0]
    start = rng.choice(zeros or safe)
    revealed = {start}
    queue = [start]
    while queue:
        cell = queue.pop()
        if count[cell] == 0:
            for n in neighbours(cell, rows, cols):
                if n not in revealed:
                    revealed.add(n)
                    queue.append(n)
    hidden_safe = [cell for cell in safe if cell not in revealed]
    revealed.update(rng.sample(hidden_safe, min(config.extra_reveals, len(hidden_safe))))
    return [
        [count[(r, c)] if (r, c) in revealed else None for c in range(cols)] for r in range(rows)
    ]


def _cell(cell: Cell) -> str:
    return f"({cell[0] + 1},{cell[1] + 1})"


def _render(board: Board) -> str:
    return format_grid([["?" if v is None else v for v in row] for row in board])


class Minesweeper(Task[MinesweeperConfig]):
    """Name the certain mines of a partly revealed board; the set is computed exactly."""

    name: ClassVar[str] = "minesweeper"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Minesweeper: given a partly revealed board (numbers count adjacent mines), list every "
        "hidden cell that is a mine in all layouts consistent with the numbers."
    )
    Config = MinesweeperConfig
    LEVELS = LEVELS

    def generate(self, config: MinesweeperConfig, rng: Random, index: int) -> Instance:
        for _ in range(config.max_attempts):
            board = _draw(config, rng)
            try:
                deduction = deduce(board, config.max_effort)
            except BudgetExceeded:
                continue
            if deduction.mines:
                break
        else:
            raise MinesweeperGenerationError(
                f"no board with a certain mine in {config.max_attempts} tries"
            )
        prompt = "\n\n".join(
            [
                rng.choice(_INTROS),
                _LEGEND,
                _render(board),
                rng.choice(_QUESTIONS),
                _FORMAT,
                ANSWER_INSTRUCTION,
            ]
        )
        payload = {"board": board, "mines": [list(cell) for cell in deduction.mines]}
        return Instance(prompt=prompt, answer=_format(deduction.mines), payload=payload)

    def solve(self, problem: Problem) -> Solution:
        deduction = deduce(problem.payload["board"])
        return Solution(
            answer=_format(deduction.mines),
            reasoning=_reasoning(deduction),
            stats={"effort": deduction.nodes, "mines": len(deduction.mines)},
        )

    def answer_space(self, problem: Problem) -> int:
        """Mine or not for every hidden cell."""
        return 2 ** sum(cell is None for row in problem.payload["board"] for cell in row)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        board = problem.payload["board"]
        rows, cols = len(board), len(board[0])
        claimed = parse_cells(answer)
        outside = sorted(
            cell for cell in claimed if not (0 <= cell[0] < rows and 0 <= cell[1] < cols)
        )
        if outside:
            return 0.0, f"{', '.join(map(_cell, outside))} lie outside the {rows}×{cols} board"
        expected = {tuple(cell) for cell in problem.payload["mines"]}
        missing = sorted(expected - claimed)
        extra = sorted(claimed - expected)
        if missing or extra:
            return 0.0, (
                f"{len(missing)} certain mine(s) missing, {len(extra)} cell(s) listed that are "
                "not certain mines"
            )
        return 1.0, "correct"


def _format(mines: list[Cell]) -> str:
    return ", ".join(_cell(cell) for cell in mines)


_PAIR = re.compile(r"[(\[]\s*(\d{1,4})\s*[,;]\s*(\d{1,4})\s*[)\]]")
_FILLER = re.compile(r"[\s,;.\[\]{}]|and", re.IGNORECASE)


def parse_cells(answer: str) -> set[Cell]:
    """0-based cells from '(r,c)' pairs (1-based in the text); brackets and separators free."""
    pairs = _PAIR.findall(answer)
    if not pairs or _FILLER.sub("", _PAIR.sub("", answer)):
        raise AnswerFormatError(f"expected (row,column) pairs, found {answer[:80]!r}")
    return {(int(r) - 1, int(c) - 1) for r, c in pairs}


def _reasoning(deduction: Deduction) -> str:
    lines = [
        "Only hidden cells next to a number can be pinned down; each number fixes how many "
        "of its hidden neighbours are mines."
    ]
    shown = deduction.forced[:40]
    for cell, mine, origin in shown:
        board_word = "a mine" if mine else "safe"
        lines.append(f"The number at {_cell(origin)} forces {_cell(cell)} to be {board_word}.")
    if len(deduction.forced) > len(shown):
        rest = deduction.forced[len(shown) :]
        mines = sum(m for _, m, _ in rest)
        lines.append(
            f"({len(rest)} more forced cells the same way: {mines} mines, "
            f"{len(rest) - mines} safe.)"
        )
    for cell, clash in deduction.refuted:
        why = (
            f"following the forced consequences, the number at {_cell(clash)} can no longer be "
            "satisfied"
            if clash
            else "a search over the remaining frontier cells finds no consistent layout"
        )
        lines.append(f"Suppose {_cell(cell)} were safe: then {why}. So it is a mine.")
    lines.append(
        "Every other hidden cell next to a number is safe in at least one layout consistent "
        f"with all numbers (checked by search, {deduction.nodes} steps in all), and cells "
        "away from the numbers are unconstrained."
    )
    lines.append(f"Certain mines: {_format(deduction.mines)}.")
    return "\n".join(lines)
