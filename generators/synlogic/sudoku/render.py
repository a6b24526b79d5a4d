"""English for Sudoku: prompts in several phrasings, the answer grid, the reasoning text."""

from __future__ import annotations

from random import Random

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.grid import format_grid
from generators.synlogic.sudoku.geometry import Geometry
from generators.synlogic.sudoku.logic import Branch

TRACE_LIMIT = 14_000  # characters of reasoning before failed branches are summarised

_INTROS = (
    "Solve this {n}×{n} Sudoku puzzle. Fill every empty cell with a digit from 1 to {n} so "
    "that each row, each column and each {r}×{c} box contains every digit exactly once.",
    "Below is a Sudoku grid with {n} rows and {n} columns, divided into boxes of {r} rows by "
    "{c} columns. Complete it: every row, every column and every box must hold each of the "
    "digits 1 to {n} exactly once.",
    "Here is a {n}×{n} Sudoku (boxes of {r}×{c} cells). Some digits are given; place the "
    "missing ones so that no digit from 1 to {n} repeats in any row, column or box.",
)
_BLANKS = (
    "Empty cells are shown as '.'.",
    "Empty cells are shown as '0'.",
    "An underscore '_' marks an empty cell.",
)
_BLANK_SYMBOLS = (".", "0", "_")
_QUESTIONS = (
    "The puzzle has exactly one solution. What is the completed grid?",
    "There is exactly one way to complete the grid. Find it.",
    "Find the unique solution.",
)


def sample_style(rng: Random) -> dict[str, int]:
    return {
        "intro": rng.randrange(len(_INTROS)),
        "blank": rng.randrange(len(_BLANKS)),
        "boxes": rng.randrange(2),  # draw box borders or not
        "question": rng.randrange(len(_QUESTIONS)),
    }


def render_board(g: Geometry, givens: list[int], blank: str, boxes: bool) -> str:
    lines = []
    for r in range(g.n):
        cells = [str(d) if d else blank for d in givens[r * g.n : (r + 1) * g.n]]
        if boxes:
            stacks = [" ".join(cells[k : k + g.box_cols]) for k in range(0, g.n, g.box_cols)]
            if r and r % g.box_rows == 0:
                lines.append("-+-".join("-" * len(stack) for stack in stacks))
            lines.append(" | ".join(stacks))
        else:
            lines.append(" ".join(cells))
    return "\n".join(lines)


def render_prompt(g: Geometry, givens: list[int], style: dict[str, int]) -> str:
    fields = {"n": g.n, "r": g.box_rows, "c": g.box_cols}
    board = render_board(g, givens, _BLANK_SYMBOLS[style["blank"]], bool(style["boxes"]))
    borders = " Lines of '|' and '-' mark the box borders." if style["boxes"] else ""
    return "\n".join(
        [
            _INTROS[style["intro"]].format(**fields),
            _BLANKS[style["blank"]] + borders,
            "",
            board,
            "",
            _QUESTIONS[style["question"]],
            f"Write the completed grid as {g.n} lines, one per row from top to bottom, each "
            f"with the {g.n} digits of that row separated by single spaces (no box borders), "
            "keeping every given digit.",
            ANSWER_INSTRUCTION,
        ]
    )


def render_answer(g: Geometry, solution: list[int]) -> str:
    return format_grid([solution[r * g.n : (r + 1) * g.n] for r in range(g.n)])


def _count(items: int, word: str) -> str:
    return f"{items} {word}{'' if items == 1 else 's'}"


def _tree_size(branch: Branch) -> tuple[int, int]:
    """(placements, guesses) in a branch and below."""
    placements, guesses = len(branch.steps), len(branch.children)
    for child in branch.children:
        more = _tree_size(child)
        placements, guesses = placements + more[0], guesses + more[1]
    return placements, guesses


class _Writer:
    """Writes a search tree: the solution path in full, failed branches compactly.

    ``detail`` 2 lists a failed branch's placements, 1 counts them, 0 folds a whole failed
    guess (with everything below it) into one line.
    """

    def __init__(self, g: Geometry, detail: int) -> None:
        self.g = g
        self.detail = detail
        self.lines: list[str] = []

    def say(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def branch(self, branch: Branch, depth: int) -> None:
        name = self.g.cell_name
        if branch.guess is not None:
            x, digit, options = branch.guess
            listed = ", ".join(map(str, options))
            self.say(depth - 1, f"Guess: {name(x)} = {digit} (its candidates are {listed}).")
            if not branch.solved and self.detail == 0:
                placements, guesses = _tree_size(branch)
                self.say(
                    depth,
                    f"This leads, after {_count(placements, 'forced placement')} and "
                    f"{_count(guesses, 'further guess')}, only to contradictions: "
                    f"{name(x)} is not {digit}.",
                )
                return
        if branch.solved:
            for x, digit, reason in branch.steps:
                self.say(depth, f"{name(x)} = {digit}: {reason}.")
        elif branch.steps and self.detail == 2:
            moves = ", ".join(f"{name(x)}={digit}" for x, digit, _ in branch.steps)
            self.say(depth, f"Forced: {moves}.")
        elif branch.steps:
            self.say(depth, f"Then {_count(len(branch.steps), 'forced placement')} follow.")
        if branch.dead_end:
            self.say(depth, f"Now {branch.dead_end}: contradiction.")
        for child in branch.children:
            self.branch(child, depth + 1)
        if not branch.solved and branch.children:
            self.say(depth, f"Every candidate of {name(branch.split)} fails: contradiction.")
        if branch.guess is not None and not branch.solved:
            x, digit, _ = branch.guess
            self.say(depth - 1, f"So {name(x)} is not {digit}; undo that guess.")


def render_reasoning(g: Geometry, givens: list[int], root: Branch, solution: list[int]) -> str:
    empty = sum(1 for digit in givens if not digit)
    head = [
        f"The grid has {_count(empty, 'empty cell')}. rXcY is the cell in row X, column Y; "
        f"boxes are numbered 1 to {g.n} from left to right, top to bottom. "
        "A cell's candidates are the digits not "
        "yet in its row, column or box. I repeatedly place a digit that is forced: either it "
        "is the last candidate of its cell, or its cell is the only one in a row, column or "
        "box that can still take it. When nothing is forced I guess at a cell with the fewest "
        "candidates and undo the guess if it leads to a contradiction.",
        "",
    ]
    tail = ["", "Every cell is filled and no row, column or box repeats a digit:", ""]
    tail.append(render_answer(g, solution))
    for detail in (2, 1, 0):
        writer = _Writer(g, detail)
        writer.branch(root, 0)
        text = "\n".join([*head, *writer.lines, *tail])
        if len(text) <= TRACE_LIMIT:
            break
    return text
