"""Latin-square solver shared by futoshiki and skyscraper_puzzle.

Cells are numbered ``r * n + c``; a domain is a bitmask with bit ``v - 1`` set when the
value ``v`` is still possible. Every row and column is an all-different :class:`Unit`
(naked singles plus hidden singles, to a fixpoint) unless the task covers them itself
(``units=False``); tasks plug in extra :class:`Constraint` objects (inequality signs,
visibility tables). Propagation runs a queue of constraints woken by the cells they
watch; search branches on a cell with the fewest candidates (MRV) and counts solutions
up to a limit, which proves uniqueness.

The same search, with a log attached, writes the reference reasoning: every cell that
becomes fixed, with the rule that fixed it, every guess and every dead end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from random import Random

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError, Solution
from generators.synlogic.grid import format_grid, int_cell, parse_grid

Grid = list[list[int]]
Log = list[tuple[int, str]]


def _values(mask: int) -> tuple[int, ...]:
    return tuple(v + 1 for v in range(mask.bit_length()) if mask >> v & 1)


_VALUES = [_values(mask) for mask in range(1 << 9)]


def values_of(mask: int) -> tuple[int, ...]:
    """The values (1-based) whose bits are set in ``mask``, ascending."""
    return _VALUES[mask] if mask < 512 else _values(mask)


def cell_name(n: int, cell: int) -> str:
    return f"({cell // n + 1},{cell % n + 1})"


class Constraint:
    """A rule over some cells; ``filter`` narrows their domains in place.

    ``filter`` returns the cells it changed, or None when some domain would be empty
    (a contradiction). It must be idempotent: running it twice in a row changes nothing.
    """

    cells: tuple[int, ...]
    label: str

    def filter(self, dom: list[int]) -> list[int] | None:
        raise NotImplementedError

    def why(self, dom: list[int], cell: int, value: int) -> str:
        """Why ``cell`` was fixed to ``value`` by this rule (for the reasoning trace).

        ``dom`` shows the cells fixed so far; the rule's other new placements come later.
        """
        raise NotImplementedError


class Unit(Constraint):
    """One row or column: its values are all different, so each of 1..n appears once."""

    def __init__(self, cells: Sequence[int], label: str, full: int) -> None:
        self.cells = tuple(cells)
        self.label = label
        self.full = full

    def filter(self, dom: list[int]) -> list[int] | None:
        cells, full = self.cells, self.full
        changed: list[int] = []
        while True:
            fixed = clash = 0
            for c in cells:
                d = dom[c]
                if not d & (d - 1):
                    clash |= fixed & d
                    fixed |= d
            if clash:
                return None
            once = twice = 0
            progress = False
            for c in cells:
                d = dom[c]
                if d & fixed and d & (d - 1):
                    d &= ~fixed
                    if not d:
                        return None
                    dom[c] = d
                    changed.append(c)
                    progress = True
                twice |= once & d
                once |= d
            if once != full:
                return None
            lonely = once & ~twice & ~fixed
            if lonely:
                for c in cells:
                    d = dom[c]
                    hit = d & lonely
                    if hit and d != hit:
                        if hit & (hit - 1):
                            return None
                        dom[c] = hit
                        changed.append(c)
                        progress = True
            if not progress:
                return changed

    def why(self, dom: list[int], cell: int, value: int) -> str:
        others = 0
        for c in self.cells:
            if c != cell and not dom[c] & (dom[c] - 1):
                others |= dom[c]
        if others | (1 << (value - 1)) == self.full:
            return f"it is the only number missing from {self.label}"
        return f"{self.label} needs a {value} and this is the only cell left that can hold it"


@dataclass
class Effort:
    """Deterministic work counters of one search."""

    nodes: int = 0
    guesses: int = 0
    dead_ends: int = 0
    revisions: int = 0
    eliminations: int = 0  # candidates removed; counted only while a log is kept

    def as_stats(self) -> dict[str, int]:
        return {
            "nodes": self.nodes,
            "guesses": self.guesses,
            "dead_ends": self.dead_ends,
            "revisions": self.revisions,
            "eliminations": self.eliminations,
        }


@dataclass
class LatinSolver:
    """Solutions of an n×n Latin square under extra constraints, by propagation and MRV search."""

    n: int
    extras: Sequence[Constraint] = ()
    effort: Effort = field(default_factory=Effort)
    units: bool = True  # False when ``extras`` already cover every row and column

    def __post_init__(self) -> None:
        n = self.n
        self.full = (1 << n) - 1
        units: list[Constraint] = []
        if self.units:
            units += [Unit(range(r * n, (r + 1) * n), f"row {r + 1}", self.full) for r in range(n)]
            units += [Unit(range(c, n * n, n), f"column {c + 1}", self.full) for c in range(n)]
        self.constraints: list[Constraint] = units + list(self.extras)
        self.watch: list[list[int]] = [[] for _ in range(n * n)]
        for k, constraint in enumerate(self.constraints):
            for cell in constraint.cells:
                self.watch[cell].append(k)
        self.log: Log | None = None

    def propagate(self, dom: list[int], depth: int = 0, cells: Sequence[int] | None = None) -> bool:
        """Narrow ``dom`` to a fixpoint; False on a contradiction.

        Starts from the constraints on ``cells`` (those just changed) or, without them, all.
        """
        constraints, watch, log = self.constraints, self.watch, self.log
        queued = [cells is None] * len(constraints)
        if cells is None:
            queue = list(range(len(constraints)))
        else:
            queue = []
            for cell in cells:
                for k in watch[cell]:
                    if not queued[k]:
                        queued[k] = True
                        queue.append(k)
        head = 0
        while head < len(queue):
            k = queue[head]
            head += 1
            queued[k] = False
            constraint = constraints[k]
            before = [dom[c] for c in constraint.cells] if log is not None else None
            changed = constraint.filter(dom)
            self.effort.revisions += 1
            if changed is None:
                if log is not None:
                    log.append((depth, f"Contradiction: {constraint.label} cannot be satisfied."))
                return False
            if before is not None:
                self._log_fixed(dom, constraint, before, depth)
            for cell in changed:
                for j in watch[cell]:
                    if not queued[j] and j != k:
                        queued[j] = True
                        queue.append(j)
        return True

    def _log_fixed(
        self, dom: list[int], constraint: Constraint, before: list[int], depth: int
    ) -> None:
        assert self.log is not None
        self.effort.eliminations += sum(old.bit_count() for old in before) - sum(
            dom[cell].bit_count() for cell in constraint.cells
        )
        # Explain the cells one at a time: each explanation sees the cells fixed before it
        # (earlier, or earlier in this list), not those it goes on to fix.
        view = list(dom)
        fixed_now = []
        for cell, old in zip(constraint.cells, before, strict=True):
            new = dom[cell]
            if new != old and not new & (new - 1):
                view[cell] = old
                fixed_now.append(cell)
        for cell in fixed_now:
            value = dom[cell].bit_length()
            reason = constraint.why(view, cell, value)
            view[cell] = dom[cell]
            self.log.append((depth, f"{cell_name(self.n, cell)} = {value}: {reason}."))

    def solve(self, dom: list[int], limit: int = 2, rng: Random | None = None) -> list[list[int]]:
        """Up to ``limit`` solutions (flat value lists) extending ``dom``.

        With ``rng`` the values of each branch are tried in random order (used to draw
        random Latin squares); otherwise ascending, so the search is deterministic.
        """
        solutions: list[list[int]] = []
        dom = list(dom)
        if self.log is not None:
            self.log.append((0, "Start from the givens and fill in everything that is forced."))
        if self.propagate(dom):
            self._search(dom, limit, rng, solutions, 0)
        elif self.log is not None:
            self.log.append((0, "The clues contradict each other: there is no solution."))
        return solutions

    def _choose(self, dom: list[int]) -> int:
        """A cell with the fewest candidates (first such), or -1 when all are fixed."""
        best, best_size = -1, self.n + 1
        for cell, d in enumerate(dom):
            if d & (d - 1):
                size = d.bit_count()
                if size < best_size:
                    best, best_size = cell, size
                    if size == 2:
                        break
        return best

    def force_unique(self, dom: list[int], target: list[int], rng: Random) -> dict[int, int]:
        """Givens from ``target`` that make it the only solution extending ``dom``.

        One search over all solutions: whenever it reaches a solution other than
        ``target`` it gives the target's value at a random branch cell of the current path
        where they differ (there is one: propagation is sound, so the same guesses as the
        target's would have led to the target), which cuts the search there. Adding a
        given only removes solutions, so the branches already searched stay free of other
        solutions, and the search simply goes on under the new given.
        """
        added: list[tuple[int, int]] = []
        root = list(dom)
        if not self.propagate(root):
            raise ValueError("the target does not satisfy the constraints")
        self._force(root, 0, target, added, rng, [])
        return {cell: target[cell] for cell, _ in added}

    def _force(
        self,
        dom: list[int],
        known: int,
        target: list[int],
        added: list[tuple[int, int]],
        rng: Random,
        path: list[int],
    ) -> None:
        self.effort.nodes += 1
        best = self._choose(dom)
        if best < 0:
            differ = [cell for cell in path if dom[cell].bit_length() != target[cell]]
            if differ:
                cell = rng.choice(differ)
                added.append((cell, 1 << (target[cell] - 1)))
            return
        for value in values_of(dom[best]):
            self.effort.guesses += 1
            child = list(dom)
            child[best] = 1 << (value - 1)
            touched = [best]
            consistent = True
            for cell, bit in added[known:]:
                if child[cell] != bit:
                    if not child[cell] & bit:
                        consistent = False
                        break
                    child[cell] = bit
                    touched.append(cell)
            if consistent and self.propagate(child, 0, touched):
                path.append(best)
                self._force(child, len(added), target, added, rng, path)
                path.pop()

    def _search(
        self,
        dom: list[int],
        limit: int,
        rng: Random | None,
        solutions: list[list[int]],
        depth: int,
    ) -> None:
        self.effort.nodes += 1
        best = self._choose(dom)
        log = self.log
        if best < 0:
            solutions.append([d.bit_length() for d in dom])
            if log is not None:
                log.append((depth, "Every cell is filled and all rules hold: a solution."))
            return
        candidates = list(values_of(dom[best]))
        if rng is not None:
            rng.shuffle(candidates)
        name = cell_name(self.n, best)
        for value in candidates:
            self.effort.guesses += 1
            child = list(dom)
            child[best] = 1 << (value - 1)
            if log is not None:
                options = ", ".join(map(str, candidates))
                log.append((depth, f"Guess {name} = {value} (candidates {options})."))
            if self.propagate(child, depth + 1, (best,)):
                self._search(child, limit, rng, solutions, depth + 1)
            else:
                self.effort.dead_ends += 1
                if log is not None:
                    log.append((depth + 1, f"Dead end: {name} = {value} is impossible."))
            if len(solutions) >= limit:
                return


def random_latin_square(n: int, rng: Random) -> Grid:
    """A Latin square drawn by a randomised search (every Latin square is reachable)."""
    flat = LatinSolver(n).solve([(1 << n) - 1] * (n * n), limit=1, rng=rng)[0]
    return [flat[r * n : (r + 1) * n] for r in range(n)]


def with_givens(n: int, givens: dict[int, int]) -> list[int]:
    dom = [(1 << n) - 1] * (n * n)
    for cell, value in givens.items():
        dom[cell] = 1 << (value - 1)
    return dom


def fix_uniqueness(
    solver: LatinSolver, solution: Grid, givens: dict[int, int], rng: Random
) -> None:
    """Add givens from ``solution`` (in place) until it is the puzzle's only solution."""
    target = [v for row in solution for v in row]
    givens.update(solver.force_unique(with_givens(solver.n, givens), target, rng))


def drop_redundant_givens(
    solver: LatinSolver, givens: dict[int, int], keep: int, rng: Random
) -> None:
    """Remove givens (in place, random order) while the solution stays unique, down to ``keep``.

    A given ``v`` at a cell of a puzzle with a unique solution is redundant exactly when
    the puzzle without it but with the cell forbidden to be ``v`` has no solution.
    """
    order = sorted(givens)
    rng.shuffle(order)
    for cell in order:
        if len(givens) <= keep:
            return
        value = givens.pop(cell)
        dom = with_givens(solver.n, givens)
        dom[cell] &= ~(1 << (value - 1))
        if solver.solve(dom, limit=1):
            givens[cell] = value


def pad_givens(solution: Grid, givens: dict[int, int], target: int, rng: Random) -> None:
    """Add random givens from ``solution`` (in place) until there are ``target`` of them."""
    n = len(solution)
    free = [cell for cell in range(n * n) if cell not in givens]
    rng.shuffle(free)
    for cell in free[: max(0, target - len(givens))]:
        givens[cell] = solution[cell // n][cell % n]


def write_trace(
    log: Log, intro: Sequence[str], answer: Grid, n_solutions: int, limit: int = 12_000
) -> str:
    """The reasoning text: intro, the logged steps (long middles summarised), the grid."""
    lines = [*intro, ""]
    steps = ["  " * depth + text for depth, text in log]
    if sum(len(s) + 1 for s in steps) > limit:
        head, tail, size = [], [], 0
        while steps and size + len(steps[0]) < limit * 2 // 3:
            size += len(steps[0]) + 1
            head.append(steps.pop(0))
        while steps and size + len(steps[-1]) < limit:
            size += len(steps[-1]) + 1
            tail.insert(0, steps.pop())
        kinds = [step.lstrip().split(" ", 1)[0] for step in steps]
        guesses, dead = kinds.count("Guess"), kinds.count("Dead")
        contradictions, solved = kinds.count("Contradiction:"), kinds.count("Every")
        placed = len(steps) - guesses - dead - contradictions - solved
        summary = (
            f"(… {len(steps)} further steps of the same search, not written out: "
            f"{guesses} guesses, {dead} dead ends, {contradictions} contradictions, "
            f"{placed} forced placements, {solved} solutions reached …)"
        )
        steps = [*head, summary, *tail]
    lines += steps
    if n_solutions == 1:
        lines.append("")
        lines.append("Every other branch ended in a contradiction, so the solution is unique:")
    lines.append(format_grid(answer))
    return "\n".join(lines)


def solve_with_trace(solver: LatinSolver, givens: dict[int, int], intro: str) -> Solution:
    """Solve (proving uniqueness by looking for a second solution) and write the reasoning.

    Effort is the number of candidates eliminated over the whole search, dead ends
    included: it grows with the number of empty cells and their candidates, and with
    every branch the search has to try and refute.
    """
    n = solver.n
    solver.log = []
    found = solver.solve(with_givens(n, givens), limit=2)
    grid = [found[0][r * n : (r + 1) * n] for r in range(n)]
    effort = solver.effort
    return Solution(
        answer=format_grid(grid),
        reasoning=write_trace(solver.log, [intro], grid, len(found)),
        stats={"effort": effort.eliminations, **effort.as_stats()},
    )


def givens_to_payload(givens: dict[int, int]) -> list[list[int]]:
    return sorted([cell, value] for cell, value in givens.items())


def givens_from_payload(payload: dict) -> dict[int, int]:
    return {cell: value for cell, value in payload["givens"]}


def compose_prompt(
    rng: Random,
    n: int,
    intros: Sequence[str],
    rules: Sequence[str],
    body: str,
    questions: Sequence[str],
) -> str:
    """Intro and rules (phrasings drawn from ``rng``), the puzzle, the question and the format."""
    intro = rng.choice(intros).format(n=n)
    rule = rng.choice(rules).format(n=n)
    question = rng.choice(questions)
    fmt = (
        f"Give the answer as {n} lines, one per row from top to bottom, each with the {n} "
        "numbers of that row separated by spaces."
    )
    return f"{intro} {rule}\n\n{body}\n\n{question} {fmt}\n\n{ANSWER_INSTRUCTION}"


def parse_square(answer: str, n: int) -> Grid:
    """An n×n grid of integers 1..n; raises :class:`AnswerFormatError` otherwise."""
    return parse_grid(answer, n, n, int_cell(1, n), compact=True)


def latin_violation(grid: Grid, givens: dict[int, int]) -> str | None:
    """The first broken Latin-square rule or given, named; None when all hold."""
    n = len(grid)
    for r, row in enumerate(grid):
        if len(set(row)) != n:
            return f"row {r + 1} repeats a number"
    for c in range(n):
        if len({grid[r][c] for r in range(n)}) != n:
            return f"column {c + 1} repeats a number"
    for cell, value in sorted(givens.items()):
        if grid[cell // n][cell % n] != value:
            return f"cell {cell_name(n, cell)} must be the given {value}"
    return None


def check_square(
    answer: str, n: int, givens: dict[int, int], extra: Callable[[Grid], str | None]
) -> tuple[float, str]:
    """Score a grid answer against the Latin rules, the givens and the task's ``extra`` rules."""
    if not answer.strip():
        raise AnswerFormatError("empty answer")
    grid = parse_square(answer, n)
    broken = latin_violation(grid, givens) or extra(grid)
    if broken:
        return 0.0, f"rule broken: {broken}"
    return 1.0, "all rules hold"
