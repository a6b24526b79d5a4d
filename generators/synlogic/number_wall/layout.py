"""Random valid Number Wall (Nurikabe) layouts: islands grown until no 2×2 wall remains."""

from __future__ import annotations

from random import Random

from generators.synlogic.number_wall.bits import Board


def random_layout(board: Board, max_island: int, grow_chance: float, rng: Random) -> list[int]:
    """Island masks of a layout whose wall is connected and has no 2×2 block.

    Starting from an all-wall grid, each step either grows a random island by one cell
    (with probability ``grow_chance``) or opens a cell of a random 2×2 wall block, as a new
    island or as part of the one island it touches; a step is taken only if the wall stays
    connected and no island exceeds ``max_island`` cells. Restarts on a dead end.
    """
    while True:
        islands = _attempt(board, max_island, grow_chance, rng)
        if islands is not None:
            return islands


def _attempt(board: Board, max_island: int, grow_chance: float, rng: Random) -> list[int] | None:
    owner = [-1] * board.size
    islands: list[int] = []
    wall = board.full

    def open_cell(cell: int) -> bool:
        nonlocal wall
        touching = {owner[y] for y in board.nbrs[cell] if owner[y] >= 0}
        if len(touching) > 1:
            return False
        island = touching.pop() if touching else len(islands)
        if island < len(islands) and islands[island].bit_count() >= max_island:
            return False
        rest = wall & ~(1 << cell)
        if not board.connected(rest):
            return False
        wall = rest
        owner[cell] = island
        if island == len(islands):
            islands.append(0)
        islands[island] |= 1 << cell
        return True

    while True:
        if islands and rng.random() < grow_chance:
            island = rng.randrange(len(islands))
            frontier = sorted(
                y
                for x in range(board.size)
                if owner[x] == island
                for y in board.nbrs[x]
                if owner[y] < 0
            )
            if frontier and open_cell(rng.choice(frontier)):
                continue
        corners = board.square_corners(wall)
        if not corners:
            return islands
        blocks = [c for c in range(board.size) if corners >> c & 1]
        rng.shuffle(blocks)
        for corner in blocks:
            cells = [corner, corner + 1, corner + board.cols, corner + board.cols + 1]
            rng.shuffle(cells)
            if any(open_cell(cell) for cell in cells):
                break
        else:
            return None
