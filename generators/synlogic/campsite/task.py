"""The campsite (Tents and Trees) task: config, prompt, solver trace and rule-checking verifier."""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.synlogic.campsite.generate import unique_camp
from generators.synlogic.campsite.rules import Camp, CampRules, violation
from generators.synlogic.cell_search import traced_solution, verdict
from generators.synlogic.grid import format_grid, parse_grid, symbol_cell
from schemas.records import Problem

TREE, TENT, EMPTY = "T", "C", "."


class CampsiteConfig(TaskConfig):
    rows: int = Field(default=6, ge=3, le=16, description="grid rows")
    cols: int = Field(default=6, ge=3, le=16, description="grid columns")
    density: float = Field(
        default=0.2, ge=0.05, le=0.25, description="target share of cells holding a tent"
    )
    max_attempts: int = Field(
        default=1_000, ge=1, le=100_000, description="layouts sampled before giving up"
    )


LEVELS: dict[int, dict[str, Any]] = {
    level: {"rows": rows, "cols": cols}
    for level, (rows, cols) in enumerate(
        ((4, 4), (5, 5), (6, 6), (7, 7), (8, 8), (8, 9), (9, 9), (10, 10), (10, 11), (11, 11)),
        start=1,
    )
}

_INTROS = (
    "You are planning a campsite on a {rows}x{cols} field dotted with trees.",
    "Tents and Trees puzzle: a {rows}x{cols} grid contains some trees, and every tree needs a "
    "tent.",
    "A campground is laid out as a {rows}x{cols} grid. Some squares hold trees; campers want "
    "to pitch their tents next to them.",
)
_RULES = (
    "Place exactly one tent for each tree so that:\n"
    "- every tent is horizontally or vertically adjacent to its own tree (tents and trees "
    "pair up one to one);\n"
    "- no two tents touch, not even diagonally;\n"
    "- each row and each column holds exactly the number of tents given for it;\n"
    "- tents go only on empty squares, never on trees."
)
_QUESTIONS = (
    "Where do the tents go?",
    "Find the tent placement.",
    "Place all the tents.",
)


def camp_from_payload(payload: dict[str, Any]) -> Camp:
    rows, cols = payload["rows"], payload["cols"]
    trees = [
        r * cols + c
        for r, line in enumerate(payload["grid"])
        for c, s in enumerate(line)
        if s == TREE
    ]
    return Camp(
        rows, cols, tuple(trees), tuple(payload["row_counts"]), tuple(payload["col_counts"])
    )


def render_grid(camp: Camp, tents: list[bool] | None = None) -> list[str]:
    trees = set(camp.trees)
    return [
        "".join(
            TREE if cell in trees else TENT if tents and tents[cell] else EMPTY
            for cell in range(r * camp.cols, (r + 1) * camp.cols)
        )
        for r in range(camp.rows)
    ]


def render_prompt(camp: Camp, rng: Random) -> str:
    counts = " ".join(map(str, camp.col_counts))
    board = "\n".join(
        f"{' '.join(line)}   {need}"
        for line, need in zip(render_grid(camp), camp.row_counts, strict=True)
    )
    return "\n\n".join(
        [
            rng.choice(_INTROS).format(rows=camp.rows, cols=camp.cols),
            _RULES,
            f"In the grid, {TREE} is a tree and {EMPTY} an empty square. The number after each "
            "row is that row's tent count; the column counts, left to right, are: "
            f"{counts}.",
            board,
            f"{rng.choice(_QUESTIONS)} Answer with the completed grid: {camp.rows} lines of "
            f"{camp.cols} symbols each (no counts), using {TREE} for a tree, {TENT} for a tent "
            f"and {EMPTY} for an empty square, for example\n"
            + "\n".join(" ".join(line) for line in render_grid(camp)[:2])
            + "\n...",
            ANSWER_INSTRUCTION,
        ]
    )


class Campsite(Task[CampsiteConfig]):
    """Tents and Trees: place a tent beside every tree given row and column tent counts.

    Generated tent placements are unique (an exhaustive search finds no second one), but the
    verifier checks the rules, so any valid placement scores 1.
    """

    name: ClassVar[str] = "campsite"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Tents and Trees: place one tent beside each tree, tents never touching, matching the "
        "given row and column tent counts."
    )
    Config = CampsiteConfig
    LEVELS = LEVELS

    def generate(self, config: CampsiteConfig, rng: Random, index: int) -> Instance:
        camp, tents = unique_camp(
            rng, config.rows, config.cols, config.density, config.max_attempts
        )
        payload = {
            "rows": camp.rows,
            "cols": camp.cols,
            "grid": render_grid(camp),
            "row_counts": list(camp.row_counts),
            "col_counts": list(camp.col_counts),
            "solution": render_grid(camp, tents),
        }
        return Instance(render_prompt(camp, rng), format_grid(payload["solution"], ""), payload)

    def solve(self, problem: Problem) -> Solution:
        camp = camp_from_payload(problem.payload)
        rules = CampRules(camp)
        return traced_solution(
            rules,
            rules.initial_state(),
            lambda tents: render_grid(camp, tents),
            "Cells (row,column) are counted from 1. A tent must sit beside a tree, so "
            "every square with no tree beside it stays empty.",
            (
                "The search has explored every branch: this is the only placement.",
                "(Another valid placement exists; either one is accepted.)",
            ),
            "Every tree has its own tent beside it, no tents touch, and all row and "
            "column counts match.",
        )

    def answer_space(self, problem: Problem) -> int:
        """A tent or not on every empty square."""
        return 2 ** sum(row.count(EMPTY) for row in problem.payload["grid"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        no_tents = "\n".join(problem.payload["grid"])
        return {**super().trivial_answers(problem), "copy the grid (no tents)": no_tents}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        camp = camp_from_payload(problem.payload)
        cells = parse_grid(
            answer, camp.rows, camp.cols, symbol_cell(TREE + TENT + EMPTY), compact=True
        )
        trees = set(camp.trees)
        for r, row in enumerate(cells):
            for c, symbol in enumerate(row):
                if (symbol == TREE) != (r * camp.cols + c in trees):
                    return 0.0, f"trees moved: ({r + 1},{c + 1}) is {symbol!r} in the answer"
        return verdict(violation(camp, [symbol == TENT for row in cells for symbol in row]))
