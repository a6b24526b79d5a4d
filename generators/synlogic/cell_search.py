"""Depth-first search over on/off grid cells, shared by campsite, star placement and norinori.

A puzzle supplies :class:`Rules`: a propagation step that fixes forced cells (logging each
deduction when asked), a full rule check for complete grids, and the branching choice. The
search counts solutions up to a limit (2 proves uniqueness) and measures effort as the number
of cell assignments made, forced or guessed, including those later undone in dead ends: it
grows with the grid and with every guess the puzzle forces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Generic, Protocol, TypeVar

from generators.base import Solution

UNKNOWN, ON, OFF = 0, 1, 2

Log = Callable[[str], None] | None

# Characters of trace kept at each end when a search log is too long to show in full.
_HEAD_CHARS, _TAIL_CHARS = 8_000, 4_000


class Contradiction(Exception):
    """Propagation found a rule that can no longer be met."""


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is 1 ("1 star", "2 tents")."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class GridNames:
    """Names "(row,column)", counted from 1, for the cells of a row-major grid."""

    cols: int

    def cell_name(self, cell: int) -> str:
        return f"({cell // self.cols + 1},{cell % self.cols + 1})"

    def cells_named(self, cells: list[int]) -> str:
        return ", ".join(self.cell_name(cell) for cell in cells)


Puzzle = TypeVar("Puzzle", bound=GridNames)


class PuzzleRules(Generic[Puzzle]):
    """The parts of :class:`Rules` every puzzle shares: cell names and the full rule check,
    both taken from the puzzle (``check(puzzle, on)`` is its rule check).
    """

    on_word: str
    off_word: str

    def __init__(self, puzzle: Puzzle, check: Callable[[Puzzle, list[bool]], str | None]) -> None:
        self.puzzle = puzzle
        self._check = check

    def cell_name(self, cell: int) -> str:
        return self.puzzle.cell_name(cell)

    def violation(self, on: list[bool]) -> str | None:
        return self._check(self.puzzle, on)


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

    try:
        visit(state, 0)
    finally:
        visit = None  # empties the cell that points back at the closure: no reference cycle
    return result


def traced_solution(
    rules: Rules,
    state: list[int],
    render: Callable[[list[bool]], list[str]],
    intro: str,
    closings: tuple[str, str],
    *outro: str,
) -> Solution:
    """Search with a trace; the first solution, rendered, explained by the logged steps.

    ``closings`` holds the remark for a unique solution and the one for several.
    """
    result = search(rules, state, trace=True)
    closing = closings[0] if len(result.solutions) == 1 else closings[1]
    reasoning = "\n".join([intro, summarise(result.lines), closing, *outro])
    return Solution("\n".join(render(result.solutions[0])), reasoning, result.stats)


def verdict(broken: str | None) -> tuple[float, str]:
    """A verifier's score and reason from the first broken rule (None when all hold)."""
    return (0.0, broken) if broken else (1.0, "every rule holds")


def changed_cells(before: list[int], state: list[int]) -> list[int]:
    """The cells whose value differs from ``before``."""
    return [cell for cell, value in enumerate(before) if state[cell] != value]


def fewest_open(state: list[int], groups: Iterable[list[int]]) -> list[int]:
    """The open cells of the first group with the fewest open cells (groups with none skipped)."""
    best: list[int] = []
    for cells in groups:
        open_cells = [cell for cell in cells if state[cell] == UNKNOWN]
        if open_cells and (not best or len(open_cells) < len(best)):
            best = open_cells
    return best


def miscount(
    on: list[bool], units: Iterable[tuple[str, list[int], int]]
) -> tuple[str, int, int] | None:
    """(name, count, need) of the first unit whose ON count differs from what it needs."""
    for name, cells, need in units:
        have = sum(on[cell] for cell in cells)
        if have != need:
            return name, have, need
    return None


def touching_pair(on: list[bool], ring: list[list[int]]) -> tuple[int, int] | None:
    """The first two ON cells that touch (``ring``: the touching cells of each cell)."""
    for cell, value in enumerate(on):
        for other in ring[cell]:
            if value and other > cell and on[other]:
                return cell, other
    return None


def fill_runs(
    state: list[int],
    cells: list[int],
    missing: int,
    noun: str,
    names: tuple[str, str],
    place: Callable[[list[int], str], None],
) -> None:
    """Fill a line's odd open stretches when they hold just the ``missing`` ON cells.

    ``names`` is the line's name inside a sentence and at its start; ``place`` puts ON
    cells on the cells given, for the reason given.
    """
    room, forced = line_room(state, cells)
    if room < missing:
        raise Contradiction(f"{names[0]} has room for only {room} more non-touching {noun}s")
    if room == missing and forced:
        why = (
            f"{names[1]} still needs {counted(missing, noun)} and its open stretches hold "
            f"at most that many non-touching {noun}s"
        )
        place(forced, why)


def placed_note(why: str, what: str, count: int, cleared: str) -> str:
    """The log line for ``count`` ON cells (``what``) placed, and the cells ``cleared``."""
    them = "them" if count > 1 else "it"
    tail = f"; every cell touching {them} is empty: {cleared}"
    return f"{why}: {what}{tail if cleared else ''}."


def region_indices(lines: list[str], labels: str) -> tuple[int, ...]:
    """Region index per cell (row-major) of a grid of region letters."""
    return tuple(labels.index(label) for line in lines for label in line)


def region_lines(regions: tuple[int, ...], rows: int, cols: int, labels: str) -> list[str]:
    """The grid of region letters, one string per row."""
    return ["".join(labels[g] for g in regions[r * cols : (r + 1) * cols]) for r in range(rows)]


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
