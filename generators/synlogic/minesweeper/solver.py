"""Which hidden cells are mines in every layout consistent with the revealed counts.

The hidden cells next to a revealed number (the frontier) are 0/1 variables; each revealed
number says how many of its hidden neighbours are mines. Counting constraints propagate
(a number whose mines are all placed clears its other neighbours; one that needs all its
remaining neighbours fills them). A frontier cell is certainly a mine exactly when the
assumption "it is safe" has no consistent completion, which a backtracking search with that
propagation decides; every layout found on the way also clears the cells it leaves safe.
Hidden cells off the frontier are unconstrained (the total number of mines is not given).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = tuple[int, int]


def neighbours(cell: Cell, rows: int, cols: int) -> list[Cell]:
    r, c = cell
    return [
        (r + dr, c + dc)
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < cols
    ]


@dataclass
class Deduction:
    """Certain mines, the forced steps found without assumptions, and search effort."""

    mines: list[Cell]
    forced: list[tuple[Cell, int, Cell]] = field(default_factory=list)
    """(cell, 1 for mine / 0 for safe, the revealed number that forces it), in order."""
    refuted: list[tuple[Cell, Cell | None]] = field(default_factory=list)
    """(cell, number contradicted at once, or None if only a search refutes it) for mines
    found by refuting "this cell is safe"."""
    nodes: int = 0
    """Search effort: cell assignments plus number checks."""


class BudgetExceeded(RuntimeError):
    """The search needed more steps than allowed (the generator then draws another board)."""


class _Search:
    def __init__(self, board: list[list[int | None]], budget: int | None) -> None:
        self.budget = budget
        rows, cols = len(board), len(board[0])
        self.constraints: list[tuple[Cell, list[Cell], int]] = []
        for r in range(rows):
            for c in range(cols):
                if board[r][c] is None:
                    continue
                hidden = [n for n in neighbours((r, c), rows, cols) if board[n[0]][n[1]] is None]
                if hidden:
                    self.constraints.append(((r, c), hidden, board[r][c]))
        self.cells = list(dict.fromkeys(n for _, hidden, _ in self.constraints for n in hidden))
        self.watch: dict[Cell, list[int]] = {cell: [] for cell in self.cells}
        for k, (_, hidden, _) in enumerate(self.constraints):
            for cell in hidden:
                self.watch[cell].append(k)
        self.nodes = 0
        self.component: dict[Cell, list[Cell]] = {}
        self._numbers: dict[Cell, list[int]] = {}
        for cell in self.cells:
            if cell not in self.component:
                self._collect(cell)

    def numbers_of(self, cells: list[Cell]) -> list[int]:
        """The numbers (constraint indices) that touch a component, in board order."""
        key = cells[0]
        if key not in self._numbers:
            self._numbers[key] = sorted({k for cell in cells for k in self.watch[cell]})
        return self._numbers[key]

    def _collect(self, start: Cell) -> None:
        """The cells linked to ``start`` through shared numbers, in breadth-first order.

        Components are searched separately: a failure in one must not make the search
        retry choices in another.
        """
        order = [start]
        self.component[start] = order
        for cell in order:
            for k in self.watch[cell]:
                for n in self.constraints[k][1]:
                    if n not in self.component:
                        self.component[n] = order
                        order.append(n)

    def propagate(
        self, value: dict[Cell, int], queue: list[int], log: list | None = None
    ) -> Cell | None:
        """Apply forced values until nothing changes; the contradicted number, if any."""
        while queue:
            k = queue.pop()
            self.nodes += 1
            origin, hidden, need = self.constraints[k]
            mines = sum(value.get(n, 0) for n in hidden)
            free = [n for n in hidden if n not in value]
            if mines > need or mines + len(free) < need:
                return origin
            if free and (mines == need or mines + len(free) == need):
                forced = 0 if mines == need else 1
                for n in free:
                    value[n] = forced
                    self.nodes += 1
                    if log is not None:
                        log.append((n, forced, origin))
                    queue.extend(self.watch[n])
        return None

    def extend(self, value: dict[Cell, int], cells: list[Cell]) -> dict[Cell, int] | None:
        """A consistent completion of ``value`` over ``cells`` (one component), or None.

        Branches on a free cell of the number with the fewest free cells left, so that
        propagation bites early.
        """
        if self.budget is not None and self.nodes > self.budget:
            raise BudgetExceeded(f"more than {self.budget} search steps")
        best: list[Cell] = []
        for k in self.numbers_of(cells):
            free = [n for n in self.constraints[k][1] if n not in value]
            if free and (not best or len(free) < len(best)):
                best = free
        if not best:
            return value
        free = best[0]
        for guess in (0, 1):
            trial = dict(value)
            trial[free] = guess
            self.nodes += 1
            clash = self.propagate(trial, list(self.watch[free]))
            if clash is None and (done := self.extend(trial, cells)) is not None:
                return done
        return None


def deduce(board: list[list[int | None]], budget: int | None = None) -> Deduction:
    """Certain mines of ``board`` (a number per revealed cell, None per hidden one).

    Raises :class:`BudgetExceeded` once the search passes ``budget`` steps (if given).
    """
    search = _Search(board, budget)
    root: dict[Cell, int] = {}
    forced: list[tuple[Cell, int, Cell]] = []
    if search.propagate(root, list(range(len(search.constraints))), forced) is not None:
        raise ValueError("the revealed numbers contradict each other")
    can_be_safe = {cell for cell, v in root.items() if v == 0}
    refuted = []
    for cell in search.cells:
        if cell in root or cell in can_be_safe:
            continue
        trial = dict(root)
        trial[cell] = 0
        search.nodes += 1
        clash = search.propagate(trial, list(search.watch[cell]))
        layout = search.extend(trial, search.component[cell]) if clash is None else None
        if layout is None:
            refuted.append((cell, clash))
        else:
            can_be_safe.update(n for n, v in layout.items() if v == 0)
    mines = sorted(cell for cell in search.cells if cell not in can_be_safe)
    return Deduction(mines=mines, forced=forced, refuted=refuted, nodes=search.nodes)
