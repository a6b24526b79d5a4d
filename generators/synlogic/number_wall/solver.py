"""Number Wall search: one island shape per clue, counted up to a limit.

Every island holds exactly one clue, so a solution is a choice of one polyomino per clue
(of the clue's size, containing its cell) such that no two chosen islands overlap or
touch; all other cells are wall, which must be connected and free of 2×2 blocks.

Each search node first propagates to a fixpoint: the cells shared by all remaining shapes
of a clue are surely its island, so other clues drop every shape overlapping or touching
them; a 2×2 block without a sure island cell must get one, so if only one clue can still
reach it, that clue keeps only shapes reaching it (none: dead end). Cells no shape can
reach are wall; if they cannot all be joined through non-island cells, dead end. Then the
clue with the fewest shapes (at least two) is branched on.
"""

from __future__ import annotations

from generators.synlogic.number_wall.bits import Board, cells_of
from generators.synlogic.search_budget import BudgetedSearch


def island_shapes(board: Board, cell: int, size: int, forbidden: int) -> list[int]:
    """All connected sets of ``size`` cells containing ``cell`` and avoiding ``forbidden``."""
    level = {1 << cell}
    for _ in range(size - 1):
        level = {
            shape | (1 << y)
            for shape in level
            for y in cells_of(board.grow(shape) & ~shape & ~forbidden)
        }
    return sorted(level)


class IslandSearch(BudgetedSearch[list[int]]):
    max_events = 100  # search events kept for the reasoning trace

    def __init__(self, board: Board, clues: list[tuple[int, int]], log: bool = False) -> None:
        """``clues``: (cell, size) pairs."""
        super().__init__(log)
        self.board, self.clues = board, clues
        clue_mask = sum(1 << cell for cell, _ in clues)
        self.shapes = [
            island_shapes(board, cell, size, board.grow(clue_mask & ~(1 << cell)))
            for cell, size in clues
        ]
        # per 2×2 block (by top-left cell), the clues with some shape reaching it
        unions = [_union_inter(shapes)[0] if shapes else 0 for shapes in self.shapes]
        self.block_clues = [
            [j for j, union in enumerate(unions) if block & union] for block in board.blocks
        ]
        self.rounds = 0

    def _start(self) -> None:
        """Solutions are island masks per clue."""
        if all(self.shapes):
            self._search(self.shapes, set(range(len(self.clues))))
        else:
            self._note("some clue has no possible island at all")

    def _clue(self, index: int) -> str:
        cell, size = self.clues[index]
        return f"the {size} at {self.board.name(cell)}"

    def _propagate(
        self, live: list[list[int]], dirty: set[int]
    ) -> tuple[list[list[int]], int, int] | None:
        """Shapes left after propagation, with the sure-island and reachable masks.

        ``dirty``: clues whose shapes changed since the last fixpoint.
        """
        board, k = self.board, len(live)
        live = live[:]
        unions, inters = [0] * k, [0] * k
        for i, shapes in enumerate(live):
            unions[i], inters[i] = _union_inter(shapes)
        while True:
            while dirty:
                i = min(dirty)
                dirty.discard(i)
                self.rounds += 1
                halo = board.grow(inters[i])
                for j in range(k):
                    if j != i and unions[j] & halo:
                        kept = [s for s in live[j] if not s & halo]
                        if not kept:
                            self._note(f"{self._clue(j)} has no room left: dead end")
                            return None
                        live[j] = kept
                        unions[j], inters[j] = _union_inter(kept)
                        dirty.add(j)
            sure, reachable = 0, 0
            for i in range(k):
                sure |= inters[i]
                reachable |= unions[i]
            for corner in cells_of(board.square_corners(board.full & ~sure)):
                block = board.blocks[corner]
                reaching = [j for j in self.block_clues[corner] if unions[j] & block]
                if not reaching:
                    self._note(f"the 2x2 block at {board.name(corner)} must be all wall: dead end")
                    return None
                j = reaching[0]
                if len(reaching) == 1:
                    kept = [s for s in live[j] if s & block]
                    if len(kept) < len(live[j]):
                        live[j] = kept
                        unions[j], inters[j] = _union_inter(kept)
                        dirty.add(j)
            if not dirty:
                return live, sure, reachable

    def _search(self, live: list[list[int]], dirty: set[int]) -> bool:
        """True when the solution limit is reached."""
        self._count_node()
        board = self.board
        result = self._propagate(live, dirty)
        if result is None:
            return False
        live, sure, reachable = result
        surely_wall = board.full & ~reachable
        if surely_wall:
            seed = surely_wall & -surely_wall
            if board.component(seed, board.full & ~sure) & surely_wall != surely_wall:
                self._note("the wall can no longer be connected: dead end")
                return False
        open_clues = [i for i, shapes in enumerate(live) if len(shapes) > 1]
        if not open_clues:
            self._note("every island fixed, wall connected without 2x2 blocks: a solution")
            self.solutions.append([shapes[0] for shapes in live])
            return len(self.solutions) >= self.limit
        index = min(open_clues, key=lambda i: len(live[i]))
        options = live[index]
        if self.events is not None:
            fixed = len(live) - len(open_clues)
            self._note(
                f"{fixed} of {len(live)} islands are forced; {self._clue(index)} has "
                f"{len(options)} possible islands left"
            )
        for shape in options:
            if self.events is not None:
                cells = " ".join(board.name(c) for c in cells_of(shape))
                self._note(f"try {self._clue(index)} as {{{cells}}}")
            if self._search([*live[:index], [shape], *live[index + 1 :]], {index}):
                return True
        return False


def _union_inter(shapes: list[int]) -> tuple[int, int]:
    union, inter = 0, shapes[0]
    for shape in shapes:
        union |= shape
        inter &= shape
    return union, inter
