"""Norinori rules: the puzzle, propagation for the search, and the full rule check."""

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
    fewest_open,
    neighbour_tables,
    tally,
)

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class NorinoriGrid(GridNames):
    """A grid cut into regions (region index per cell, row-major)."""

    rows: int
    cols: int
    regions: tuple[int, ...]

    @cached_property
    def region_cells(self) -> list[list[int]]:
        cells: list[list[int]] = [[] for _ in range(max(self.regions) + 1)]
        for cell, g in enumerate(self.regions):
            cells[g].append(cell)
        return cells

    @cached_property
    def orthogonal(self) -> list[list[int]]:
        return neighbour_tables(self.rows, self.cols)[0]


def violation(puzzle: NorinoriGrid, shaded: list[bool]) -> str | None:
    """The first broken rule of a complete shading, or None when it is valid."""
    for g, cells in enumerate(puzzle.region_cells):
        have = sum(shaded[cell] for cell in cells)
        if have != 2:
            return f"region {LABELS[g]} has {have} shaded cells instead of 2"
    for cell, on in enumerate(shaded):
        partners = sum(shaded[other] for other in puzzle.orthogonal[cell])
        if on and partners != 1:
            return f"the shaded cell {puzzle.cell_name(cell)} has {partners} shaded neighbours"
    return None


class NorinoriRules(PuzzleRules[NorinoriGrid]):
    """Propagation and branching for :func:`~generators.synlogic.cell_search.search`."""

    on_word, off_word = "shaded", "unshaded"

    def __init__(self, puzzle: NorinoriGrid) -> None:
        super().__init__(puzzle, violation)
        self.orthogonal = puzzle.orthogonal
        self.region_cells = puzzle.region_cells

    def propagate(self, state: list[int], log: Log) -> None:
        """Apply the region and domino rules until nothing changes."""
        changed = True
        while changed:
            before = state.copy()
            for g in range(len(self.region_cells)):
                self._region(state, g, log)
            for cell, value in enumerate(state):
                if value == ON:
                    self._shaded(state, cell, log)
                elif value == UNKNOWN:
                    self._crowded(state, cell, log)
            changed = state != before

    def _region(self, state: list[int], g: int, log: Log) -> None:
        cells = self.region_cells[g]
        name = f"Region {LABELS[g]}"
        have, open_cells = tally(state, cells, 2, f"{name}'s 2 shaded cells")
        if not open_cells:
            return
        if have == 2:
            for cell in open_cells:
                state[cell] = OFF
            if log:
                rest = self.puzzle.cells_named(open_cells)
                log(f"{name} has its 2 shaded cells, so the rest of it stays unshaded: {rest}.")
        elif have + len(open_cells) == 2:
            for cell in open_cells:
                state[cell] = ON
            if log:
                rest = self.puzzle.cells_named(open_cells)
                log(
                    f"{name} needs {2 - have} more shaded and has just that many open cells: "
                    f"shade {rest}."
                )

    def _shaded(self, state: list[int], cell: int, log: Log) -> None:
        """A shaded cell needs exactly one shaded neighbour."""
        near = self.orthogonal[cell]
        partners = [other for other in near if state[other] == ON]
        open_cells = [other for other in near if state[other] == UNKNOWN]
        name = self.cell_name(cell)
        if len(partners) > 1:
            raise Contradiction(f"the shaded cell {name} has two shaded neighbours")
        if partners and open_cells:
            for other in open_cells:
                state[other] = OFF
            if log:
                log(
                    f"{name} and {self.cell_name(partners[0])} form a domino, so "
                    f"their other neighbours stay unshaded: {self.puzzle.cells_named(open_cells)}."
                )
        elif not partners and not open_cells:
            raise Contradiction(f"the shaded cell {name} has no neighbour left to pair with")
        elif not partners and len(open_cells) == 1:
            state[open_cells[0]] = ON
            if log:
                log(f"{name} can only pair with {self.cell_name(open_cells[0])}: shade it.")

    def _crowded(self, state: list[int], cell: int, log: Log) -> None:
        """A cell beside two shaded cells, or beside a finished domino, stays unshaded."""
        for other in self.orthogonal[cell]:
            if state[other] == ON and any(
                state[x] == ON for x in self.orthogonal[other] if x != cell
            ):
                state[cell] = OFF
                if log:
                    log(
                        f"{self.cell_name(cell)} touches the shaded {self.cell_name(other)}, "
                        "which already has its partner, so it stays unshaded."
                    )
                return

    def choose(self, state: list[int]) -> int:
        """The first open cell of the region with the fewest open cells."""
        return fewest_open(state, self.region_cells)[0]
