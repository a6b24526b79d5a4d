"""The Kukurasu task: config, generation with hidden clues, prompt, rule verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    GenerationError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.grid import format_grid, parse_grid
from generators.synlogic.kukurasu.count import count_up_to
from generators.synlogic.kukurasu.solver import Solver, clues_of
from generators.synlogic.search_log import search_stats
from schemas.records import Problem


class KukurasuConfig(TaskConfig):
    rows: int = Field(default=4, ge=2, le=9, description="grid rows")
    cols: int = Field(default=4, ge=2, le=9, description="grid columns")
    density: float = Field(default=0.4, ge=0.1, le=0.9, description="share of black cells")
    hidden: int = Field(
        default=0, ge=0, le=8, description="clues to hide (fewer where more breaks uniqueness)"
    )
    max_attempts: int = Field(default=2000, ge=1, le=100_000, description="grids tried")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"rows": 3, "cols": 3},
    2: {"rows": 3, "cols": 4},
    3: {"rows": 4, "cols": 4},
    4: {"rows": 4, "cols": 5},
    5: {"rows": 5, "cols": 5},
    6: {"rows": 5, "cols": 6, "hidden": 1},
    7: {"rows": 6, "cols": 6, "hidden": 1},
    8: {"rows": 6, "cols": 7, "hidden": 2},
    9: {"rows": 7, "cols": 7, "hidden": 2},
    10: {"rows": 7, "cols": 8, "hidden": 3},
}

INTROS = (
    "Solve this {r}x{c} Kukurasu puzzle.",
    "Here is a {r}x{c} Kukurasu grid (a weighted-sum shading puzzle).",
    "Shade cells in the {r}-row, {c}-column Kukurasu grid below.",
)
QUESTIONS = (
    "Which cells are black?",
    "Find the shading that satisfies every clue.",
    "Determine the colour of every cell.",
)
BLACK = {"1": 1, "x": 1, "#": 1, "0": 0, ".": 0}


_ENUMERATION_BUDGET = 64  # row combinations below which counting beats the solver


def unique(rows: list, cols: list) -> bool:
    """Exactly one shading meets the clues (small option spaces are counted outright)."""
    count = count_up_to(rows, cols, 2, _ENUMERATION_BUDGET)
    if count is None:
        count = len(Solver(rows, cols).solve(2))
    return count == 1


def build(config: KukurasuConfig, rng: Random) -> tuple[list[list[int]], list, list]:
    R, C = config.rows, config.cols
    for _ in range(config.max_attempts):
        grid = [[int(rng.random() < config.density) for _ in range(C)] for _ in range(R)]
        rows, cols = clues_of(grid)
        if not unique(rows, cols):
            continue
        lines = [(0, k) for k in range(R)] + [(1, k) for k in range(C)]
        rng.shuffle(lines)
        hidden = 0
        for side, k in lines:
            if hidden == config.hidden:
                break
            clues = rows if side == 0 else cols
            clue, clues[k] = clues[k], None
            if unique(rows, cols):
                hidden += 1
            else:
                clues[k] = clue
        return grid, rows, cols
    raise GenerationError(f"no unique grid in {config.max_attempts} attempts (max_attempts)")


def render_prompt(rng: Random, rows: list, cols: list) -> str:
    R, C = len(rows), len(cols)
    show = ["?" if v is None else str(v) for v in (*rows, *cols)]
    hidden_note = ["- A clue shown as '?' is unknown: that line may have any sum."]
    return "\n".join(
        [
            rng.choice(INTROS).format(r=R, c=C),
            "",
            "Rules:",
            "- Each cell is either black or white.",
            f"- Columns are numbered 1 to {C} from left to right and rows 1 to {R} from top to "
            "bottom.",
            "- A black cell in column j adds j to its row's sum; a black cell in row i adds i to "
            "its column's sum. White cells add nothing.",
            "- Each row's sum and each column's sum must equal its clue.",
            *(hidden_note if "?" in show else []),
            "",
            "Row clues (rows 1 to {}): {}".format(R, " ".join(show[:R])),
            "Column clues (columns 1 to {}): {}".format(C, " ".join(show[R:])),
            "",
            f"{rng.choice(QUESTIONS)} Answer with {R} lines, one per row from top to bottom, "
            f"each with {C} symbols separated by spaces: 1 for a black cell and 0 for a white "
            f"cell (X and . are also accepted).",
            "",
            ANSWER_INSTRUCTION,
        ]
    )


def parse_cell(text: str) -> int:
    if text.casefold() not in BLACK:
        raise ValueError(f"{text!r} is not 1, 0, X or .")
    return BLACK[text.casefold()]


class Kukurasu(Task[KukurasuConfig]):
    """Kukurasu with a unique solution proven by line-subset propagation and search."""

    name: ClassVar[str] = "kukurasu"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Kukurasu: blacken cells of a grid so that weighted row and column sums (column "
        "numbers for rows, row numbers for columns) meet the clues; unique solution."
    )
    Config = KukurasuConfig
    LEVELS = LEVELS

    def generate(self, config: KukurasuConfig, rng: Random, index: int) -> Instance:
        grid, rows, cols = build(config, rng)
        payload = {"row_clues": rows, "col_clues": cols, "solution": grid}
        return Instance(render_prompt(rng, rows, cols), format_grid(grid), payload)

    def solve(self, problem: Problem) -> Solution:
        rows, cols = problem.payload["row_clues"], problem.payload["col_clues"]
        solver = Solver(rows, cols, trace=True)
        found = solver.solve(2)
        assert len(found) == 1 and solver.log is not None
        grid = format_grid([[m >> c & 1 for c in range(len(cols))] for m in found[0]])
        intro = (
            "For each row and column I list the sets of positions whose numbers add up to "
            "its clue, drop those that clash with cells already decided, and mark cells that "
            "all remaining sets agree on; I guess a whole line only when that stalls."
        )
        reasoning = solver.log.render(intro, solver.guesses, solver.dead_ends, "shading", grid)
        stats = search_stats(solver.effort, solver.guesses, solver.dead_ends)
        return Solution(grid, reasoning, stats)

    def answer_space(self, problem: Problem) -> int:
        return 2 ** (len(problem.payload["row_clues"]) * len(problem.payload["col_clues"]))

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        white = format_grid([[0] * len(p["col_clues"]) for _ in p["row_clues"]])
        return {**super().trivial_answers(problem), "all white": white}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        rows, cols = problem.payload["row_clues"], problem.payload["col_clues"]
        grid = parse_grid(answer, len(rows), len(cols), parse_cell, compact=True)
        got_rows, got_cols = clues_of(grid)
        for kind, want, got in (("row", rows, got_rows), ("column", cols, got_cols)):
            for k, (w, g) in enumerate(zip(want, got, strict=True), start=1):
                if w is not None and w != g:
                    return 0.0, f"{kind} {k} sums to {g}, not {w}"
        return 1.0, "all clues hold"
