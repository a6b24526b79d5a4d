"""Skyscrapers: a Latin square of building heights with visibility clues around the edge.

A clue outside a row or column says how many buildings a viewer standing there sees:
a building is hidden when a taller one stands in front of it. Each clued line becomes a
table constraint over all permutations of 1..n (kept as Python-int bitsets, so the
filter is exact for the line: every value it keeps has a supporting permutation).

Generation draws a random Latin square, writes all 4n clues and ``givens`` random
givens, adds givens until the square is the only solution (the full clue set of a random
square often allows several: about half at n = 4, most at n >= 6), then removes clues in
random order while the solution stays unique, at most ``omit`` of them. A clue
``k`` is redundant exactly when the puzzle without it, but with that view forced to show
a count other than ``k``, has no solution — one search per clue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import permutations
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, Task, TaskConfig
from generators.synlogic.grid import format_grid
from generators.synlogic.latin import (
    Grid,
    LatinSolver,
    Unit,
    check_square,
    compose_prompt,
    fix_uniqueness,
    givens_from_payload,
    givens_to_payload,
    pad_givens,
    random_latin_square,
    solve_with_trace,
    values_of,
    with_givens,
)
from schemas.records import Problem

SIDES = ("top", "bottom", "left", "right")


class SkyscraperConfig(TaskConfig):
    n: int = Field(default=5, ge=4, le=8, description="grid size n (heights 1..n)")
    givens: int = Field(
        default=0, ge=0, le=64, description="cells given (more if the clues need them)"
    )
    omit: int = Field(
        default=0, ge=0, le=32, description="most edge clues removed (only while unique)"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"n": 4, "givens": 4, "omit": 0},
    2: {"n": 4, "givens": 0, "omit": 6},
    3: {"n": 5, "givens": 3, "omit": 2},
    4: {"n": 5, "givens": 0, "omit": 8},
    5: {"n": 6, "givens": 2, "omit": 4},
    6: {"n": 6, "givens": 0, "omit": 8},
    7: {"n": 7, "givens": 5, "omit": 4},
    8: {"n": 7, "givens": 2, "omit": 8},
    9: {"n": 7, "givens": 0, "omit": 11},
    10: {"n": 7, "givens": 0, "omit": 15},
}


def visible(heights: list[int] | tuple[int, ...]) -> int:
    """How many buildings are seen looking along ``heights`` from its start."""
    seen = tallest = 0
    for h in heights:
        if h > tallest:
            seen, tallest = seen + 1, h
    return seen


def _bitset(indices: list[int], size: int) -> int:
    bits = bytearray((size + 7) // 8)
    for j in indices:
        bits[j >> 3] |= 1 << (j & 7)
    return int.from_bytes(bits, "little")


@dataclass(frozen=True)
class Tables:
    """All permutations of 1..n as bitsets: by (position, value) and by views from each end."""

    all: int
    support: list[list[int]]  # support[i][v]: permutations with value v at position i
    front: list[int]  # front[k]: permutations showing k buildings from the start
    back: list[int]  # back[k]: ... from the end
    unions: list[dict[int, int]]  # unions[i][d]: OR of support[i][v] over v in d, on demand

    def union(self, i: int, d: int) -> int:
        found = 0
        for v in values_of(d):
            found |= self.support[i][v]
        self.unions[i][d] = found
        return found

    def mask(self, front: int, back: int) -> int:
        """Permutations matching both clues (0 = no clue)."""
        return (self.front[front] if front else self.all) & (self.back[back] if back else self.all)


@cache
def tables(n: int) -> Tables:
    perms = list(permutations(range(1, n + 1)))
    size = len(perms)
    at: list[list[list[int]]] = [[[] for _ in range(n + 1)] for _ in range(n)]
    front: list[list[int]] = [[] for _ in range(n + 1)]
    back: list[list[int]] = [[] for _ in range(n + 1)]
    for j, perm in enumerate(perms):
        for i, v in enumerate(perm):
            at[i][v].append(j)
        front[visible(perm)].append(j)
        back[visible(perm[::-1])].append(j)
    return Tables(
        all=(1 << size) - 1,
        support=[[_bitset(js, size) for js in row] for row in at],
        front=[_bitset(js, size) for js in front],
        back=[_bitset(js, size) for js in back],
        unions=[{} for _ in range(n)],
    )


class Sightline(Unit):
    """A row or column whose values must form one of the permutations in ``mask``.

    Every row and column is a sightline (the solver runs without separate units); without
    clues (``mask`` = every permutation) it filters as a plain all-different unit, which
    is much cheaper than the table.
    """

    def __init__(self, cells: list[int], tables: Tables, mask: int, label: str) -> None:
        super().__init__(cells, label, (1 << len(cells)) - 1)
        self.tables = tables
        self.mask = mask

    def filter(self, dom: list[int]) -> list[int] | None:
        alive = self.mask
        if alive == self.tables.all:
            return super().filter(dom)
        full = self.full
        tables = self.tables
        for i, c in enumerate(self.cells):
            d = dom[c]
            if d != full:
                found = tables.unions[i].get(d)
                alive &= tables.union(i, d) if found is None else found
                if not alive:
                    return None
        changed = []
        support = tables.support
        for i, c in enumerate(self.cells):
            d = dom[c]
            if d & (d - 1):
                nd = 0
                for v in values_of(d):
                    if alive & support[i][v]:
                        nd |= 1 << (v - 1)
                if nd != d:
                    dom[c] = nd
                    changed.append(c)
        return changed

    def why(self, dom: list[int], cell: int, value: int) -> str:
        if self.mask == self.tables.all:
            return super().why(dom, cell, value)
        return f"{self.label} leave only {value} possible here"


@dataclass
class Clues:
    """The edge clues, 0 where a clue is omitted; lines are indexed left→right / top→bottom."""

    top: list[int]
    bottom: list[int]
    left: list[int]
    right: list[int]

    @classmethod
    def of(cls, grid: Grid) -> Clues:
        cols = [list(col) for col in zip(*grid, strict=True)]
        return cls(
            top=[visible(col) for col in cols],
            bottom=[visible(col[::-1]) for col in cols],
            left=[visible(row) for row in grid],
            right=[visible(row[::-1]) for row in grid],
        )

    def side(self, name: str) -> list[int]:
        return getattr(self, name)

    def count(self) -> int:
        return sum(bool(k) for side in SIDES for k in self.side(side))


def _line_cells(n: int, index: int) -> list[int]:
    """Lines 0..n-1 are rows (left→right), n..2n-1 columns (top→bottom)."""
    if index < n:
        return list(range(index * n, (index + 1) * n))
    return list(range(index - n, n * n, n))


def _line_clues(clues: Clues, n: int, index: int) -> tuple[int, int]:
    if index < n:
        return clues.left[index], clues.right[index]
    return clues.top[index - n], clues.bottom[index - n]


def _sightline(n: int, clues: Clues, index: int) -> Sightline:
    front, back = _line_clues(clues, n, index)
    if index < n:
        name, ends = f"row {index + 1}", ("left", "right")
    else:
        name, ends = f"column {index - n + 1}", ("top", "bottom")
    parts = [f"{k} from the {end}" for k, end in zip((front, back), ends, strict=True) if k]
    label = f"the clues of {name} ({', '.join(parts)})" if parts else name
    table = tables(n)
    return Sightline(_line_cells(n, index), table, table.mask(front, back), label)


def _solver(n: int, clues: Clues) -> tuple[LatinSolver, list[Sightline]]:
    """A solver whose rows and columns (line order: rows, then columns) are sightlines."""
    lines = [_sightline(n, clues, index) for index in range(2 * n)]
    return LatinSolver(n, lines, units=False), lines


def _drop_clues(n: int, clues: Clues, givens: dict[int, int], omit: int, rng: Random) -> None:
    """Remove up to ``omit`` clues (in place, random order) while the solution stays unique."""
    table = tables(n)
    solver, lines = _solver(n, clues)
    start = with_givens(n, givens)
    order = [(side, i) for side in SIDES for i in range(n)]
    rng.shuffle(order)
    removed = 0
    for side, i in order:
        if removed >= omit:
            return
        index = i if side in ("left", "right") else n + i
        front_side = side in ("left", "top")
        line = lines[index]
        keep = clues.side(side)[i]
        clues.side(side)[i] = 0
        front, back = _line_clues(clues, n, index)
        relaxed = table.mask(front, back)
        line.mask = relaxed & ~(table.front[keep] if front_side else table.back[keep])
        if solver.solve(start, limit=1):
            clues.side(side)[i] = keep
            line.mask = table.mask(*_line_clues(clues, n, index))
        else:
            line.mask = relaxed
            removed += 1


_INTROS = (
    "Solve this {n}×{n} Skyscrapers puzzle.",
    "Here is a {n}×{n} skyscraper puzzle.",
    "A city block is laid out as a {n}×{n} grid; fill in the heights of its skyscrapers.",
)
_RULES = (
    "Each cell holds a building of height 1 to {n}; every row and every column contains each "
    "height exactly once. A number outside the grid says how many buildings are visible from "
    "that side, looking along the row or column: a building is hidden when a taller building "
    "stands in front of it.",
    "Place heights 1..{n} so that no height repeats in any row or column. Each clue on the "
    "edge counts the buildings a viewer at that position sees when looking into the grid; "
    "taller buildings block the view of shorter ones behind them.",
    "Rules: every row and column is a permutation of 1..{n}. A clue next to a row or column "
    "is the number of buildings seen from there: a building is seen only if it is taller than "
    "every building between it and the viewer.",
)
_QUESTIONS = ("What are the heights?", "Find the unique solution.", "Fill in the grid.")


def _clue_text(k: int) -> str:
    return str(k) if k else "-"


def _picture(n: int, clues: Clues, givens: dict[int, int]) -> str:
    def row_of(left: str, cells: list[str], right: str) -> str:
        return " ".join([left, *cells, right]).rstrip()

    lines = [row_of(" ", [_clue_text(k) for k in clues.top], " ")]
    for r in range(n):
        cells = [str(givens.get(r * n + c, "_")) for c in range(n)]
        lines.append(row_of(_clue_text(clues.left[r]), cells, _clue_text(clues.right[r])))
    lines.append(row_of(" ", [_clue_text(k) for k in clues.bottom], " "))
    return "```\n" + "\n".join(lines) + "\n```"


def _listing(n: int, clues: Clues, givens: dict[int, int]) -> str:
    def side(values: list[int]) -> str:
        return ", ".join(_clue_text(k) for k in values)

    cells = ", ".join(f"({c // n + 1},{c % n + 1}) = {v}" for c, v in sorted(givens.items()))
    lines = [
        f"Seen from the top (columns 1..{n}, left to right): {side(clues.top)}",
        f"Seen from the bottom (columns 1..{n}, left to right): {side(clues.bottom)}",
        f"Seen from the left (rows 1..{n}, top to bottom): {side(clues.left)}",
        f"Seen from the right (rows 1..{n}, top to bottom): {side(clues.right)}",
    ]
    if givens:
        lines.append(f"Given cells (row,column): {cells}")
    return "\n".join(lines)


def _render_prompt(n: int, clues: Clues, givens: dict[int, int], rng: Random) -> str:
    if rng.random() < 0.5:
        body = (
            "In the grid below (in a code block) the clues stand around the edge: the top "
            "line above the columns, the bottom line below them, and one at each end of every "
            "row. '_' is an empty cell, a digit inside the grid is a given height, and '-' "
            "marks a missing clue.\n\n" + _picture(n, clues, givens)
        )
    else:
        body = "The clues are listed per side; '-' means there is no clue there.\n\n" + _listing(
            n, clues, givens
        )
    return compose_prompt(rng, n, _INTROS, _RULES, body, _QUESTIONS)


def _payload_parts(payload: dict[str, Any]) -> tuple[int, Clues, dict[int, int]]:
    clues = Clues(**{side: list(payload[side]) for side in SIDES})
    return payload["n"], clues, givens_from_payload(payload)


class SkyscraperPuzzle(Task[SkyscraperConfig]):
    """Skyscraper puzzles with a proven unique solution."""

    name: ClassVar[str] = "skyscraper_puzzle"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Skyscrapers: fill an n×n Latin square of building heights so that the number of "
        "buildings visible from each clued edge position matches; the solution is unique."
    )
    Config = SkyscraperConfig
    LEVELS = LEVELS

    def generate(self, config: SkyscraperConfig, rng: Random, index: int) -> Instance:
        n = config.n
        square = random_latin_square(n, rng)
        clues = Clues.of(square)
        givens: dict[int, int] = {}
        pad_givens(square, givens, min(config.givens, n * n), rng)
        fix_uniqueness(_solver(n, clues)[0], square, givens, rng)
        _drop_clues(n, clues, givens, config.omit, rng)
        return Instance(
            prompt=_render_prompt(n, clues, givens, rng),
            answer=format_grid(square),
            payload={
                "n": n,
                **{side: clues.side(side) for side in SIDES},
                "givens": givens_to_payload(givens),
            },
        )

    def solve(self, problem: Problem) -> Solution:
        n, clues, givens = _payload_parts(problem.payload)
        intro = (
            f"The grid is {n}×{n}: every row and column holds the heights 1..{n} once. "
            f"There are {clues.count()} visibility clues and {len(givens)} given cells. For each "
            "clued row or column I keep only the heights that appear in some arrangement of "
            "that line matching its clues, combine this with the row and column rules, and "
            "guess only when nothing is forced."
        )
        return solve_with_trace(_solver(n, clues)[0], givens, intro)

    def answer_space(self, problem: Problem) -> int:
        n = problem.payload["n"]
        return n ** (n * n)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        n, clues, givens = _payload_parts(problem.payload)

        def views(grid: Grid) -> str | None:
            expected = Clues.of(grid)
            for side in SIDES:
                for i, (want, got) in enumerate(
                    zip(clues.side(side), expected.side(side), strict=True)
                ):
                    if want and want != got:
                        line = "row" if side in ("left", "right") else "column"
                        seen = f"{got} buildings are seen from the {side} of {line} {i + 1}"
                        return f"{seen}, not {want}"
            return None

        return check_square(answer, n, givens, views)
