"""Arrow Maze geometry and search.

A number N sends straight strings of arrows ("rays") out of its cell in any of the 8
directions: a ray of length L covers the L cells next to the number along that direction,
each holding an arrow pointing away from the number, and the lengths of a number's rays
add up to N. Every empty cell is covered by exactly one ray. A ray stops before the next
number or the grid edge.

The search keeps bounds ``lo..hi`` on every ray length and propagates to a fixpoint: a
number's ray lengths must add up to N (each ray's bounds follow from the others'); a cell
already covered by one ray cuts every other ray that could reach it short of it; a cell
that only one ray can reach makes that ray long enough to cover it. Then it branches on
the undecided ray with the fewest possible lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.synlogic.search_budget import BudgetedSearch

# (row step, col step, symbol, letters)
DIRECTIONS = (
    (-1, 0, "↑", "U"),
    (1, 0, "↓", "D"),
    (0, -1, "←", "L"),
    (0, 1, "→", "R"),
    (-1, -1, "↖", "UL"),
    (-1, 1, "↗", "UR"),
    (1, -1, "↙", "DL"),
    (1, 1, "↘", "DR"),
)


def cell_name(cols: int, cell: int) -> str:
    return f"r{cell // cols + 1}c{cell % cols + 1}"


def line_from(rows: int, cols: int, numbers: dict[int, int], cell: int, d: int) -> list[int]:
    """The cells after ``cell`` in direction ``d`` up to the next number or the edge."""
    dr, dc = DIRECTIONS[d][:2]
    r, c = divmod(cell, cols)
    cells = []
    r, c = r + dr, c + dc
    while 0 <= r < rows and 0 <= c < cols and r * cols + c not in numbers:
        cells.append(r * cols + c)
        r, c = r + dr, c + dc
    return cells


def origin(rows: int, cols: int, arrows: dict[int, int], cell: int) -> int | None:
    """The cell where the string of equal arrows through ``cell`` starts, walking back.

    Returns the first cell behind the string (a number, if the arrow is covered), or None
    when the walk leaves the grid.
    """
    d = arrows[cell]
    dr, dc = DIRECTIONS[d][:2]
    r, c = divmod(cell, cols)
    while True:
        r, c = r - dr, c - dc
        if not (0 <= r < rows and 0 <= c < cols):
            return None
        if arrows.get(r * cols + c) != d:
            return r * cols + c


@dataclass(frozen=True)
class Ray:
    number: int  # the numbered cell it leaves
    direction: int
    cells: list[int]  # the cells it may cover, nearest first


class RaySearch(BudgetedSearch[dict[int, int]]):
    """Counts ray-length assignments that satisfy every number, up to a limit."""

    def __init__(
        self,
        rows: int,
        cols: int,
        numbers: dict[int, int],
        givens: dict[int, int],
        log: bool = False,
    ) -> None:
        """``numbers``: cell → N; ``givens``: cell → direction of arrows already drawn."""
        super().__init__(log)
        self.rows, self.cols, self.numbers = rows, cols, numbers
        self.rays = [
            Ray(u, d, cells)
            for u in sorted(numbers)
            for d in range(len(DIRECTIONS))
            if (cells := line_from(rows, cols, numbers, u, d)[: numbers[u]])
        ]
        self.rays_of: dict[int, list[int]] = {u: [] for u in numbers}
        # empty cell → (ray index, 1-based position of the cell on the ray)
        self.reach: dict[int, list[tuple[int, int]]] = {
            x: [] for x in range(rows * cols) if x not in numbers
        }
        for i, ray in enumerate(self.rays):
            self.rays_of[ray.number].append(i)
            for k, x in enumerate(ray.cells, start=1):
                self.reach[x].append((i, k))
        self.lo = [0] * len(self.rays)
        self.hi = [len(ray.cells) for ray in self.rays]
        self.feasible = all(self.reach.values())  # every empty cell lies on some ray
        for x, d in givens.items():
            ks = [(i, k) for i, k in self.reach[x] if self.rays[i].direction == d]
            if ks:
                self.lo[ks[0][0]] = max(self.lo[ks[0][0]], ks[0][1])
            else:
                self.feasible = False
        self.steps = 0

    def _start(self) -> None:
        """Solutions are cell → direction index."""
        if self.feasible:
            self._search(self.lo[:], self.hi[:], list(range(len(self.rays))))

    def _ray(self, i: int) -> str:
        ray = self.rays[i]
        arrow, where = DIRECTIONS[ray.direction][2], cell_name(self.cols, ray.number)
        return f"the {arrow} ray of the {self.numbers[ray.number]} at {where}"

    def _propagate(self, lo: list[int], hi: list[int], changed: list[int]) -> bool:
        """Tighten the bounds in place after the rays ``changed`` moved; False on conflict."""
        cols, logging = self.cols, self.events is not None
        numbers: set[int] = set()
        cells: set[int] = set()

        def moved(i: int) -> None:
            self.steps += 1
            numbers.add(self.rays[i].number)
            cells.update(self.rays[i].cells)

        for i in changed:
            moved(i)
        while numbers or cells:
            while numbers:
                u = min(numbers)
                numbers.discard(u)
                need, rays = self.numbers[u], self.rays_of[u]
                low, high = sum(lo[i] for i in rays), sum(hi[i] for i in rays)
                if not low <= need <= high:
                    if logging:
                        self._note(f"the {need} at {cell_name(cols, u)} cannot be met: dead end")
                    return False
                for i in rays:
                    new_lo = max(lo[i], need - (high - hi[i]))
                    new_hi = min(hi[i], need - (low - lo[i]))
                    if (new_lo, new_hi) != (lo[i], hi[i]):
                        if logging:
                            self._note(
                                f"{self._ray(i)} has {new_lo}..{new_hi} arrows "
                                "(the number's other rays allow no more or less)"
                            )
                        low += new_lo - lo[i]
                        high += new_hi - hi[i]
                        lo[i], hi[i] = new_lo, new_hi
                        moved(i)
            while cells and not numbers:
                x = min(cells)
                cells.discard(x)
                options = self.reach[x]
                covering = [(i, k) for i, k in options if lo[i] >= k]
                possible = [(i, k) for i, k in options if hi[i] >= k]
                if len(covering) > 1 or not possible:
                    if logging:
                        why = "two rays cover it" if covering else "no ray can reach it"
                        self._note(f"{cell_name(cols, x)}: {why}: dead end")
                    return False
                if covering:
                    for i, k in possible:
                        if (i, k) != covering[0]:
                            if logging:
                                self._note(
                                    f"{cell_name(cols, x)} is taken by {self._ray(covering[0][0])}"
                                    f", so {self._ray(i)} stops before it (at most {k - 1})"
                                )
                            hi[i] = k - 1
                            moved(i)
                elif len(possible) == 1:
                    i, k = possible[0]
                    if logging:
                        self._note(
                            f"only {self._ray(i)} can reach {cell_name(cols, x)}, "
                            f"so it has at least {k} arrows"
                        )
                    lo[i] = k
                    moved(i)
        return True

    def _search(self, lo: list[int], hi: list[int], changed: list[int]) -> bool:
        """True when the solution limit is reached."""
        self._count_node()
        if not self._propagate(lo, hi, changed):
            return False
        open_rays = [i for i in range(len(self.rays)) if lo[i] < hi[i]]
        if not open_rays:
            self._note("every ray length is fixed and every cell covered once: a solution")
            arrows = {}
            for i, ray in enumerate(self.rays):
                for x in ray.cells[: lo[i]]:
                    arrows[x] = ray.direction
            self.solutions.append(dict(sorted(arrows.items())))
            return len(self.solutions) >= self.limit
        i = min(open_rays, key=lambda j: (hi[j] - lo[j], j))
        if self.events is not None:
            self._note(f"guess: {self._ray(i)} has between {lo[i]} and {hi[i]} arrows")
        for length in range(lo[i], hi[i] + 1):
            self._note(f"try {self._ray(i)} with {length} arrows")
            low, high = [*lo[:i], length, *lo[i + 1 :]], [*hi[:i], length, *hi[i + 1 :]]
            if self._search(low, high, [i]):
                return True
        return False
