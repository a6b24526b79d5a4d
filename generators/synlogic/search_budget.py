"""Shared bookkeeping of the arrow maze, number wall and numbrix searches.

Each search counts solutions up to a limit, may give up past a node budget, and (when
asked to log) keeps its first ``max_events`` events for the reasoning trace.
"""

from __future__ import annotations

from typing import Generic, TypeVar

S = TypeVar("S")  # one solution


class SearchBudgetExceeded(Exception):
    pass


class BudgetedSearch(Generic[S]):
    """Solution limit, node budget and capped event log; subclasses define ``_start``."""

    max_events = 120

    def __init__(self, log: bool) -> None:
        self.nodes = 0
        self.solutions: list[S] = []
        self.events: list[str] | None = [] if log else None
        self.hidden_events = 0

    def run(self, limit: int = 2, budget: int | None = None) -> list[S]:
        """Solutions found, at most ``limit``; raises SearchBudgetExceeded past ``budget``."""
        self.limit, self.budget = limit, budget
        self._start()
        return self.solutions

    def _start(self) -> None:
        raise NotImplementedError

    def _count_node(self) -> None:
        self.nodes += 1
        if self.budget is not None and self.nodes > self.budget:
            raise SearchBudgetExceeded

    def _note(self, text: str) -> None:
        if self.events is not None:
            if len(self.events) < self.max_events:
                self.events.append(text)
            else:
                self.hidden_events += 1
