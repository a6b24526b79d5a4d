"""Depth-first search over on/off grid cells, shared by campsite, star placement and norinori.

A puzzle supplies :class:`Rules`: a propagation step that fixes forced cells (logging each
deduction when asked), a full rule check for complete grids, and the branching choice. The
search counts solutions up to a limit (2 proves uniqueness) and measures effort as the number
of cell assignments made, forced or guessed, including those later undone in dead ends: it
grows with the grid and with every guess the puzzle forces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

UNKNOWN, ON, OFF = 0, 1, 2

Log = Callable[[str], None] | None

# Characters of trace kept at each end when a search log is too long to show in full.
_HEAD_CHARS, _TAIL_CHARS = 8_000, 4_000


class Contradiction(Exception):
    """Propagation found a rule that can no longer be met."""


class Rules(Protocol):
    on_word: str  # "a tent", "a star", "shaded"
    off_word: str  # "empty", "unshaded"

    def propagate(self, state: list[int], log: Log) -> None:
        """Fix forced cells in place; raise :class:`Contradiction` on a dead end."""

    def violation(self, on: list[bool]) -> str | None:
        """Why a complete grid breaks a rule, or None when it is a solution."""

    def choose(self, state: list[int]) -> int:
        """An unknown cell to branch on."""

    def cell_name(self, cell: int) -> str: ...


@dataclass
class SearchResult:
    solutions: list[list[bool]] = field(default_factory=list)
    nodes: int = 0
    backtracks: int = 0
    assignments: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, int]:
        return {
            "effort": self.assignments,
            "nodes": self.nodes,
            "backtracks": self.backtracks,
            "assignments": self.assignments,
        }


def search(rules: Rules, state: list[int], limit: int = 2, trace: bool = False) -> SearchResult:
    """Solutions of ``state`` (up to ``limit``), with effort counts and, if asked, a log."""
    result = SearchResult()

    def visit(state: list[int], depth: int) -> None:
        indent = "  " * depth
        log: Log = (lambda line: result.lines.append(indent + line)) if trace else None
        before = state.count(UNKNOWN)
        try:
            rules.propagate(state, log)
        except Contradiction as error:
            result.assignments += before - state.count(UNKNOWN)
            result.backtracks += 1
            if log:
                log(f"Contradiction: {error}. This branch fails.")
            return
        result.assignments += before - state.count(UNKNOWN)
        if UNKNOWN not in state:
            on = [value == ON for value in state]
            problem = rules.violation(on)
            if problem is None:
                result.solutions.append(on)
                if log:
                    log("Every cell is decided and all rules hold: this is a solution.")
            else:
                result.backtracks += 1
                if log:
                    log(f"Every cell is decided, but {problem}. This branch fails.")
            return
        cell = rules.choose(state)
        for value, word in ((ON, rules.on_word), (OFF, rules.off_word)):
            if len(result.solutions) >= limit:
                return
            child = state.copy()
            child[cell] = value
            result.nodes += 1
            result.assignments += 1
            if log:
                log(f"Guess: suppose {rules.cell_name(cell)} is {word}.")
            visit(child, depth + 1)

    visit(state, 0)
    return result


def tally(state: list[int], cells: list[int], need: int, what: str) -> tuple[int, list[int]]:
    """ON count and open cells of a unit that must end with exactly ``need`` ON cells.

    ``what`` names the unit and its quota for the contradiction ("Row 3 ... 2 tents").
    """
    have = sum(state[cell] == ON for cell in cells)
    open_cells = [cell for cell in cells if state[cell] == UNKNOWN]
    if have > need or have + len(open_cells) < need:
        raise Contradiction(f"{what} can no longer be met")
    return have, open_cells


def line_room(state: list[int], cells: list[int]) -> tuple[int, list[int]]:
    """Room for non-touching ON cells among the open cells of a line, and the cells forced
    when that room is used up: a run of L open cells holds at most ⌈L/2⌉, and an odd run
    can only reach that by taking every other cell starting with its first.
    """
    runs: list[list[int]] = [[]]
    for cell in cells:
        if state[cell] == UNKNOWN:
            runs[-1].append(cell)
        elif runs[-1]:
            runs.append([])
    room = sum((len(run) + 1) // 2 for run in runs)
    return room, [cell for run in runs if len(run) % 2 for cell in run[::2]]


def summarise(lines: list[str]) -> str:
    """The log, with the middle of an over-long one replaced by a count of omitted steps."""
    text = "\n".join(lines)
    if len(text) <= _HEAD_CHARS + _TAIL_CHARS:
        return text
    head, size = 0, 0
    while size + len(lines[head]) < _HEAD_CHARS:
        size += len(lines[head]) + 1
        head += 1
    tail, size = len(lines), 0
    while size + len(lines[tail - 1]) < _TAIL_CHARS:
        tail -= 1
        size += len(lines[tail]) + 1
    middle = f"... ({tail - head} further deduction and search steps omitted) ..."
    return "\n".join([*lines[:head], middle, *lines[tail:]])


@cache
def neighbour_tables(rows: int, cols: int) -> tuple[list[list[int]], list[list[int]]]:
    """Per cell (row-major): its orthogonal neighbours, and all eight touching cells."""
    orthogonal, ring = [], []
    for r in range(rows):
        for c in range(cols):
            steps = ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            orthogonal.append([y * cols + x for y, x in steps if 0 <= y < rows and 0 <= x < cols])
            ring.append(
                [
                    y * cols + x
                    for y in range(max(r - 1, 0), min(r + 2, rows))
                    for x in range(max(c - 1, 0), min(c + 2, cols))
                    if (y, x) != (r, c)
                ]
            )
    return orthogonal, ring
