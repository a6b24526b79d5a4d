"""Our own DPLL solver: unit propagation, chronological backtracking, exact effort counts.

Branching rule (deterministic, Jeroslow–Wang style): every clause not yet satisfied
gives each of its open literals the weight 2^(L − open), where L is the longest clause
length and ``open`` its number of unassigned literals, so nearly-falsified clauses
count most. Branch on the variable with the largest total weight of both literals
(ties: lowest number), trying first the literal with the larger weight (ties: true).

Effort counts:
- ``decisions``: splits (the first branch of each); the second branch is forced by
  the refutation of the first, so it is not a decision;
- ``conflicts``: clauses found falsified;
- ``propagations``: literals set by unit propagation.

After propagation every unsatisfied clause has two or more open literals, so there
is something to branch on exactly while some clause is unsatisfied: the search stops
as soon as every clause is satisfied, and variables still open then are set false.

With ``record=True`` the search is also kept as a list of events that
:mod:`generators.nlsat.narrate` turns into words:

- ``("decide", lit)``: suppose ``lit``;
- ``("imply", lit, clause)``: clause index ``clause`` forces ``lit``;
- ``("conflict", clause)``: clause index ``clause`` is falsified;
- ``("refuted", lit)``: supposing ``lit`` failed, so ``-lit`` holds (and propagates);
- ``("exhausted", lit)``: both values of ``abs(lit)`` failed, ``lit`` was tried first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

Event = tuple[str, int] | tuple[str, int, int]


@dataclass(frozen=True)
class SearchResult:
    satisfiable: bool
    true_vars: frozenset[int]  # of a satisfying assignment; empty when unsatisfiable
    open_vars: tuple[int, ...]  # left undecided by a successful search (and set false)
    decisions: int
    conflicts: int
    propagations: int
    events: tuple[Event, ...]

    @property
    def effort(self) -> int:
        """The primary hardness figure: decisions + conflicts."""
        return self.decisions + self.conflicts

    def stats(self) -> dict[str, int]:
        return {
            "effort": self.effort,
            "decisions": self.decisions,
            "conflicts": self.conflicts,
            "propagations": self.propagations,
        }


class _Search:
    """State of one run. Per-literal tables are lists of length 2n + 1 indexed by the
    signed literal itself: Python's negative indices put ``-v`` at ``2n + 1 - v``, a slot
    no positive literal uses."""

    def __init__(self, n_vars: int, clauses: Sequence[Sequence[int]], record: bool) -> None:
        self.n_vars = n_vars
        self.clauses = [tuple(c) for c in clauses]
        longest = max((len(c) for c in self.clauses), default=0)
        self.weight_of = [1 << (longest - size) for size in range(longest + 1)]
        # values_of[i](value): the tuple of clause i's literal values, read in C (2+ literals)
        self.values_of = [itemgetter(*c) for c in self.clauses]
        self.value = [0] * (2 * n_vars + 1)  # 1 true, -1 false, 0 open
        self.occurs: list[list[int]] = [[] for _ in range(2 * n_vars + 1)]
        for index, clause in enumerate(self.clauses):
            for lit in clause:
                self.occurs[lit].append(index)
        self.trail: list[int] = []
        self.events: list[Event] | None = [] if record else None
        self.decisions = self.conflicts = self.propagations = 0

    def _note(self, event: Event) -> None:
        if self.events is not None:
            self.events.append(event)

    def _set(self, lit: int) -> None:
        self.value[lit] = 1
        self.value[-lit] = -1
        self.trail.append(lit)

    def _undo(self, mark: int) -> None:
        value, trail = self.value, self.trail
        while len(trail) > mark:
            lit = trail.pop()
            value[lit] = value[-lit] = 0

    def _assume(self, lit: int) -> bool:
        """Set ``lit`` and propagate; False (after recording it) on a conflict."""
        value, clauses, occurs, trail, events = (
            self.value,
            self.clauses,
            self.occurs,
            self.trail,
            self.events,
        )
        head = len(trail)
        self._set(lit)
        while head < len(trail):
            falsified = -trail[head]
            head += 1
            for index in occurs[falsified]:
                open_count, open_lit = 0, 0
                for x in clauses[index]:
                    v = value[x]
                    if v == 1:
                        break
                    if v == 0:
                        open_count += 1
                        open_lit = x
                else:
                    if open_count == 0:
                        self.conflicts += 1
                        self._note(("conflict", index))
                        return False
                    if open_count == 1:
                        self._set(open_lit)
                        self.propagations += 1
                        if events is not None:  # inline: this is the hot loop
                            events.append(("imply", open_lit, index))
        return True

    def _choose(self) -> int:
        """The literal to suppose next, or 0 when every clause is satisfied."""
        value, weight_of = self.value, self.weight_of
        weight = [0] * len(value)
        for clause, values_of in zip(self.clauses, self.values_of, strict=True):
            values = values_of(value)
            if 1 in values:
                continue
            w = weight_of[values.count(0)]
            for x, v in zip(clause, values, strict=True):
                if not v:
                    weight[x] += w
        best, best_weight = 0, 0
        for var in range(1, self.n_vars + 1):
            total = weight[var] + weight[-var]
            if total > best_weight:
                best, best_weight = var, total
        return best if weight[best] >= weight[-best] else -best

    def search(self) -> bool:
        lit = self._choose()
        if lit == 0:
            return True
        self.decisions += 1
        mark = len(self.trail)
        self._note(("decide", lit))
        if self._assume(lit) and self.search():
            return True
        self._undo(mark)
        self._note(("refuted", lit))
        if self._assume(-lit) and self.search():
            return True
        self._undo(mark)
        self._note(("exhausted", lit))
        return False


def solve(n_vars: int, clauses: Sequence[Sequence[int]], record: bool = False) -> SearchResult:
    """Decide ``clauses`` over variables 1..``n_vars``; clauses must have 2+ literals."""
    state = _Search(n_vars, clauses, record)
    satisfiable = state.search()
    variables = range(1, n_vars + 1)
    return SearchResult(
        satisfiable=satisfiable,
        true_vars=frozenset(v for v in variables if state.value[v] == 1),
        open_vars=tuple(v for v in variables if satisfiable and state.value[v] == 0),
        decisions=state.decisions,
        conflicts=state.conflicts,
        propagations=state.propagations,
        events=tuple(state.events or ()),
    )
