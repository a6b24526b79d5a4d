"""Star Battle rules: the puzzle, propagation for the search, and the full rule check."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from generators.synlogic.cell_search import (
    OFF,
    ON,
    UNKNOWN,
    Contradiction,
    GridNames,
    Log,
    PuzzleRules,
    changed_cells,
    counted,
    fewest_open,
    fill_runs,
    miscount,
    neighbour_tables,
    placed_note,
    tally,
    touching_pair,
)

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Units with more open cells than this are not examined by the squeeze rule (cost bound).
_SQUEEZE_CELLS = 8
# Widest band of consecutive rows or columns examined by the pigeonhole rule.
_BAND = 4


def n_stars(count: int) -> str:
    return counted(count, "star")


@dataclass(frozen=True)
class StarBattle(GridNames):
    """An n×n grid cut into n regions (region index per cell, row-major); k stars per unit."""

    n: int
    k: int
    regions: tuple[int, ...]

    @property
    def cols(self) -> int:
        return self.n

    @cached_property
    def units(self) -> list[tuple[str, list[int]]]:
        """(name, cells) of every row, column and region."""
        n = self.n
        rows = [(f"Row {r + 1}", list(range(r * n, (r + 1) * n))) for r in range(n)]
        cols = [(f"Column {c + 1}", list(range(c, n * n, n))) for c in range(n)]
        regions = [
            (f"Region {LABELS[g]}", [cell for cell, own in enumerate(self.regions) if own == g])
            for g in range(n)
        ]
        return rows + cols + regions


def violation(puzzle: StarBattle, stars: list[bool]) -> str | None:
    """The first broken rule of a complete star layout, or None when it is valid."""
    wrong = miscount(stars, ((name, cells, puzzle.k) for name, cells in puzzle.units))
    if wrong:
        name, have, need = wrong
        return f"{name} has {n_stars(have)} instead of {need}"
    pair = touching_pair(stars, neighbour_tables(puzzle.n, puzzle.n)[1])
    if pair:
        return f"the stars at {puzzle.cells_named(list(pair))} touch"
    return None


class StarRules(PuzzleRules[StarBattle]):
    """Propagation and branching for :func:`~generators.synlogic.cell_search.search`."""

    on_word, off_word = "a star", "empty"

    def __init__(self, puzzle: StarBattle) -> None:
        super().__init__(puzzle, violation)
        self.units = puzzle.units
        self.ring = neighbour_tables(puzzle.n, puzzle.n)[1]
        self.ring_sets = [set(cells) for cells in self.ring]
        self.units_of = [[] for _ in range(puzzle.n * puzzle.n)]
        for index, (_, cells) in enumerate(self.units):
            for cell in cells:
                self.units_of[cell].append(index)

    def propagate(self, state: list[int], log: Log) -> None:
        """Apply the unit rules until nothing changes, revisiting only units that changed."""
        dirty = list(range(len(self.units)))
        while dirty:
            before = state.copy()
            for index in dirty:
                self._unit(state, index, log)
            changed = changed_cells(before, state)
            if not changed:
                self._squeeze(state, log)
                changed = changed_cells(before, state)
            if not changed:
                self._pigeonhole(state, log)
                changed = changed_cells(before, state)
            dirty = sorted({index for cell in changed for index in self.units_of[cell]})

    def _fits(self, cells: list[int], need: int) -> bool:
        """Whether ``need`` (at most 2) non-touching stars fit among ``cells``."""
        if need <= 1:
            return len(cells) >= need
        return any(b not in self.ring_sets[a] for i, a in enumerate(cells) for b in cells[i + 1 :])

    def _squeeze(self, state: list[int], log: Log) -> None:
        """Empty every cell whose star would leave some unit too little room.

        Only units with at most 2 missing stars and a handful of open cells are examined.
        """
        k = self.puzzle.k
        for name, cells in self.units:
            need = k - sum(state[cell] == ON for cell in cells)
            open_cells = [cell for cell in cells if state[cell] == UNKNOWN]
            if need == 0 or not open_cells or len(open_cells) > _SQUEEZE_CELLS:
                continue
            if need == 1:  # only cells touching every open cell of the unit can be blocked
                near = sorted(set.intersection(*(self.ring_sets[o] for o in open_cells)))
            else:
                near = sorted({x for o in open_cells for x in self.ring[o]}) + open_cells
            for x in near:
                if state[x] != UNKNOWN:
                    continue
                rest = [o for o in open_cells if o != x and o not in self.ring_sets[x]]
                left = need - 1 if x in open_cells else need
                if not self._fits(rest, left):
                    state[x] = OFF
                    if log:
                        log(
                            f"A star at {self.cell_name(x)} would leave {name} too little room "
                            f"for its {n_stars(need)}, so {self.cell_name(x)} is empty."
                        )

    def _pigeonhole(self, state: list[int], log: Log) -> None:
        """Regions lying wholly inside a band of rows (columns) take all of its stars.

        If the regions whose open cells all fall in rows a..b still need as many stars as
        those rows do, every other open cell of the band is empty.
        """
        n, k = self.puzzle.n, self.puzzle.k
        spans = []  # (need, open cells, rows spanned, columns spanned) of unfinished regions
        for _, cells in self.units[2 * n :]:
            open_cells = [c for c in cells if state[c] == UNKNOWN]
            if open_cells:
                need = k - sum(state[c] == ON for c in cells)
                rows = (min(open_cells) // n, max(open_cells) // n)
                cols = (min(c % n for c in open_cells), max(c % n for c in open_cells))
                spans.append((need, open_cells, rows, cols))
        line_need = [k - sum(state[c] == ON for c in cells) for _, cells in self.units[: 2 * n]]
        for axis, word in ((0, "rows"), (1, "columns")):
            for a in range(n):
                for b in range(a, min(n, a + _BAND)):
                    inside = [s for s in spans if a <= s[2 + axis][0] and s[2 + axis][1] <= b]
                    if not inside:
                        continue
                    need = sum(s[0] for s in inside)
                    band_need = sum(line_need[axis * n + a : axis * n + b + 1])
                    if need > band_need:
                        raise Contradiction(
                            f"the regions inside {word} {a + 1}-{b + 1} need too many stars"
                        )
                    if need < band_need:
                        continue
                    mine = {c for s in inside for c in s[1]}
                    out = [
                        c
                        for line in range(a, b + 1)
                        for c in self.units[axis * n + line][1]
                        if state[c] == UNKNOWN and c not in mine
                    ]
                    if not out:
                        continue
                    for cell in out:
                        state[cell] = OFF
                    if log:
                        log(
                            f"The regions lying within {word} {a + 1}-{b + 1} need all "
                            f"{n_stars(band_need)} of those {word}, so the rest of the band "
                            f"stays empty: {self.puzzle.cells_named(sorted(out))}."
                        )
                    return

    def _unit(self, state: list[int], index: int, log: Log) -> None:
        name, cells = self.units[index]
        k = self.puzzle.k
        have, open_cells = tally(state, cells, k, f"{name}'s quota of {n_stars(k)}")
        if not open_cells:
            return
        if have == k:
            for cell in open_cells:
                state[cell] = OFF
            if log:
                empty = self.puzzle.cells_named(open_cells)
                log(f"{name} already has its {n_stars(k)}, so the rest of it stays empty: {empty}.")
        elif have + len(open_cells) == k:
            why = f"{name} needs {n_stars(k - have)} more and has only that many cells"
            self._place_all(state, open_cells, log, why)
        elif index < 2 * self.puzzle.n:
            fill_runs(
                state,
                cells,
                k - have,
                "star",
                (name, name),
                lambda forced, why: self._place_all(state, forced, log, why),
            )

    def _place_all(self, state: list[int], cells: list[int], log: Log, why: str) -> None:
        """Put stars on ``cells`` and empty every unknown cell touching them."""
        what = f"{'stars' if len(cells) > 1 else 'a star'} at {self.puzzle.cells_named(cells)}"
        cleared: list[int] = []
        for cell in cells:
            if state[cell] == OFF:
                raise Contradiction(f"{why[0].lower()}{why[1:]}, but {self.cell_name(cell)} is out")
            state[cell] = ON
            for other in self.ring[cell]:
                if state[other] == ON:
                    pair = self.puzzle.cells_named(sorted((cell, other)))
                    raise Contradiction(f"{why[0].lower()}{why[1:]}, so {what}, but {pair} touch")
                if state[other] == UNKNOWN:
                    state[other] = OFF
                    cleared.append(other)
        if log:
            log(placed_note(why, what, len(cells), self.puzzle.cells_named(sorted(cleared))))

    def choose(self, state: list[int]) -> int:
        """The first open cell of the unit with the fewest open cells."""
        return fewest_open(state, (cells for _, cells in self.units))[0]
