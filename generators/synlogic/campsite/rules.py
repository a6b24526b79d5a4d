"""Tents-and-trees rules: the puzzle, propagation for the search, and the full rule check."""

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
    fill_runs,
    miscount,
    neighbour_tables,
    placed_note,
    tally,
    touching_pair,
)


def n_tents(count: int) -> str:
    return counted(count, "tent")


@dataclass(frozen=True)
class Camp(GridNames):
    """A grid with trees (cell indices, row-major) and the tent count of every row and column."""

    rows: int
    cols: int
    trees: tuple[int, ...]
    row_counts: tuple[int, ...]
    col_counts: tuple[int, ...]

    def orthogonal(self, cell: int) -> list[int]:
        return neighbour_tables(self.rows, self.cols)[0][cell]

    def ring(self, cell: int) -> list[int]:
        """The up to eight cells touching ``cell``, diagonals included."""
        return neighbour_tables(self.rows, self.cols)[1][cell]

    @cached_property
    def lines(self) -> list[tuple[str, list[int], int]]:
        """(name, cells, tents needed) for every row, then every column."""
        rows = [
            (f"row {r + 1}", list(range(r * self.cols, (r + 1) * self.cols)), need)
            for r, need in enumerate(self.row_counts)
        ]
        cols = [
            (f"column {c + 1}", list(range(c, self.rows * self.cols, self.cols)), need)
            for c, need in enumerate(self.col_counts)
        ]
        return rows + cols


def saturates(left: list[int], partners: dict[int, list[int]]) -> bool:
    """Whether every item of ``left`` can get its own partner (augmenting paths)."""
    owner: dict[int, int] = {}  # partner → left item

    def attach(item: int, seen: set[int]) -> bool:
        for partner in partners[item]:
            if partner not in seen:
                seen.add(partner)
                if partner not in owner or attach(owner[partner], seen):
                    owner[partner] = item
                    return True
        return False

    try:
        return all(attach(item, set()) for item in left)
    finally:
        attach = None  # empties the cell that points back at the closure: no reference cycle


def tents_attach(camp: Camp, tents: list[int]) -> bool:
    """Whether every tent can be attached to its own orthogonally adjacent tree."""
    trees = set(camp.trees)
    return saturates(tents, {t: [c for c in camp.orthogonal(t) if c in trees] for t in tents})


def violation(camp: Camp, tents: list[bool]) -> str | None:
    """The first broken rule of a complete tent layout, or None when it is valid."""
    for tree in camp.trees:
        if tents[tree]:
            return f"there is a tent on the tree at {camp.cell_name(tree)}"
    wrong = miscount(tents, camp.lines)
    if wrong:
        name, have, need = wrong
        return f"{name} has {n_tents(have)} instead of {need}"
    pair = touching_pair(tents, neighbour_tables(camp.rows, camp.cols)[1])
    if pair:
        return f"the tents at {camp.cell_name(pair[0])} and {camp.cell_name(pair[1])} touch"
    if not tents_attach(camp, [cell for cell, tent in enumerate(tents) if tent]):
        return "the tents cannot each be attached to their own adjacent tree"
    return None


class CampRules(PuzzleRules[Camp]):
    """Propagation and branching for :func:`~generators.synlogic.cell_search.search`."""

    on_word, off_word = "a tent", "empty"

    def __init__(self, camp: Camp) -> None:
        super().__init__(camp, violation)
        self.camp = camp
        trees = set(camp.trees)
        self.lines = camp.lines
        self.ring = [camp.ring(cell) for cell in range(camp.rows * camp.cols)]
        self.tree_cells = {
            tree: [cell for cell in camp.orthogonal(tree) if cell not in trees]
            for tree in camp.trees
        }
        self._settled: set[tuple[int, ...]] = set()  # lines whose rules fix nothing
        self.candidates = sorted({cell for cells in self.tree_cells.values() for cell in cells})
        self.cell_trees = {
            cell: [tree for tree in camp.orthogonal(cell) if tree in trees]
            for cell in self.candidates
        }

    def initial_state(self) -> list[int]:
        """Only free cells beside a tree can hold a tent; all others start empty."""
        state = [OFF] * (self.camp.rows * self.camp.cols)
        for cell in self.candidates:
            state[cell] = UNKNOWN
        return state

    def _place(self, state: list[int], cell: int) -> list[int]:
        """Put a tent on ``cell`` and empty its unknown neighbours (returned)."""
        if state[cell] == OFF:
            raise Contradiction(f"{self.cell_name(cell)} must hold a tent and be empty")
        state[cell] = ON
        cleared = []
        for other in self.ring[cell]:
            if state[other] == ON:
                pair = self.camp.cells_named(sorted((cell, other)))
                raise Contradiction(f"the tents at {pair} would touch")
            if state[other] == UNKNOWN:
                state[other] = OFF
                cleared.append(other)
        return cleared

    def _place_all(self, state: list[int], cells: list[int], log: Log, why: str) -> None:
        cleared: list[int] = []
        what = f"{'tents' if len(cells) > 1 else 'a tent'} at {self.camp.cells_named(cells)}"
        try:
            for cell in cells:
                cleared += self._place(state, cell)
        except Contradiction as error:
            raise Contradiction(f"{why[0].lower()}{why[1:]}, so {what}, but {error}") from None
        if log:
            log(placed_note(why, what, len(cells), self.camp.cells_named(sorted(cleared))))

    def propagate(self, state: list[int], log: Log) -> None:
        """Apply the line, tree and claimed-tree rules until nothing changes.

        After a first full pass only the rows, columns and trees touched by the cells that
        changed in the previous pass are looked at again.
        """
        lines, trees = list(range(len(self.lines))), list(self.tree_cells)
        while lines or trees:
            before = state.copy()
            for index in lines:
                self._line(state, index, log)
            for tree in trees:
                self._tree(state, tree, log)
            changed = changed_cells(before, state)
            if not changed and self._claimed_trees(state, log):
                changed = changed_cells(before, state)
            cols = self.camp.cols
            lines = sorted({i for c in changed for i in (c // cols, self.camp.rows + c % cols)})
            trees = sorted({tree for c in changed for tree in self.cell_trees.get(c, ())})
        self._check_matchings(state)

    def _line(self, state: list[int], index: int, log: Log) -> None:
        """The line rules on one row or column. Their outcome depends on that line's cells
        alone, so line contents that fix nothing are remembered and skipped: a search
        revisits them at every node."""
        cells = self.lines[index][1]
        key = (index, *map(state.__getitem__, cells))
        if key in self._settled:
            return
        self._apply_line(state, index, log)
        if all(state[cell] == was for cell, was in zip(cells, key[1:], strict=True)):
            self._settled.add(key)

    def _apply_line(self, state: list[int], index: int, log: Log) -> None:
        name, cells, need = self.lines[index]
        have, open_cells = tally(state, cells, need, f"{name}'s count of {n_tents(need)}")
        if not open_cells:
            return
        if have == need:
            for cell in open_cells:
                state[cell] = OFF
            if log:
                full = f"already has its {n_tents(need)}" if need else "needs no tents"
                empty = self.camp.cells_named(open_cells)
                log(f"{name.capitalize()} {full}, so the rest of it stays empty: {empty}.")
        elif have + len(open_cells) == need:
            why = f"{name.capitalize()} needs {n_tents(need)} and has only that many places left"
            self._place_all(state, open_cells, log, why)
        else:
            fill_runs(
                state,
                cells,
                need - have,
                "tent",
                (name, name.capitalize()),
                lambda forced, why: self._place_all(state, forced, log, why),
            )

    def _tree(self, state: list[int], tree: int, log: Log) -> None:
        cells = self.tree_cells[tree]
        if any(state[cell] == ON for cell in cells):
            return
        open_cells = [cell for cell in cells if state[cell] == UNKNOWN]
        if not open_cells:
            raise Contradiction(f"the tree at {self.cell_name(tree)} has no tent beside it")
        if len(open_cells) == 1:
            why = f"The tree at {self.cell_name(tree)} has one free neighbour left"
            self._place_all(state, open_cells, log, why)

    def _claimed_trees(self, state: list[int], log: Log) -> bool:
        """Empty the cells whose every adjacent tree is the only tree of some tent."""
        claimed = {}
        for cell, trees in self.cell_trees.items():
            if state[cell] == ON and len(trees) == 1:
                claimed[trees[0]] = cell
        emptied = False
        for cell, trees in self.cell_trees.items():
            if state[cell] == UNKNOWN and all(tree in claimed for tree in trees):
                state[cell] = OFF
                emptied = True
                if log:
                    owners = ", ".join(
                        f"the tree at {self.cell_name(t)} belongs to the tent at "
                        f"{self.cell_name(claimed[t])}"
                        for t in trees
                    )
                    log(f"{owners} (its only tree), so {self.cell_name(cell)} stays empty.")
        return emptied

    def _check_matchings(self, state: list[int]) -> None:
        """Every tree needs its own possible tent, and every tent its own tree."""
        tents = [cell for cell in self.candidates if state[cell] == ON]
        if not saturates(tents, self.cell_trees):
            raise Contradiction("the tents placed cannot each have their own tree")
        options = {
            tree: [cell for cell in cells if state[cell] != OFF]
            for tree, cells in self.tree_cells.items()
        }
        if not saturates(list(self.tree_cells), options):
            raise Contradiction("the trees cannot each get their own tent any more")

    def choose(self, state: list[int]) -> int:
        """The first open cell of the line with the least slack (open cells beyond the tents
        it still needs), fewest open cells on ties.

        Branching where a line is nearly decided settles it within a guess or two; the
        tree with the fewest free neighbours left whole lines open and, on some grids, made
        the search (and generation time) a hundred times the median.
        """
        best, best_key = -1, (0, 0)
        for _, cells, need in self.lines:
            open_cells = [cell for cell in cells if state[cell] == UNKNOWN]
            if open_cells:
                have = sum(state[cell] == ON for cell in cells)
                key = (len(open_cells) - need + have, len(open_cells))
                if best < 0 or key < best_key:
                    best, best_key = open_cells[0], key
        return best
