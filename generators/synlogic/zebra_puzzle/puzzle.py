"""One puzzle as data: categories, values, clues, the solution; and its JSON payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Item = tuple[int, int]  # (category index, value index)


@dataclass(frozen=True)
class Clue:
    """A fact about the solution. ``house`` is 0-based (position/not_position only).

    Kinds: same, not_same (x, y); next_to (x, y); right_after (y is directly right of x);
    left_of (x is somewhere left of y); between (y strictly between x and z);
    position / not_position (x, house); at_end (x).
    """

    kind: str
    items: tuple[Item, ...]
    house: int | None = None

    def holds(self, house_of: dict[Item, int], n: int) -> bool:
        h = [house_of[item] for item in self.items]
        kind = self.kind
        if kind == "same":
            return h[0] == h[1]
        if kind == "not_same":
            return h[0] != h[1]
        if kind == "next_to":
            return abs(h[0] - h[1]) == 1
        if kind == "right_after":
            return h[1] == h[0] + 1
        if kind == "left_of":
            return h[0] < h[1]
        if kind == "between":
            return h[0] < h[1] < h[2] or h[2] < h[1] < h[0]
        if kind == "position":
            return h[0] == self.house
        if kind == "not_position":
            return h[0] != self.house
        if kind == "at_end":
            return h[0] in (0, n - 1)
        raise ValueError(f"unknown clue kind {kind!r}")

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "items": [list(item) for item in self.items],
            "house": self.house,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Clue:
        return cls(data["kind"], tuple((c, v) for c, v in data["items"]), data["house"])


@dataclass(frozen=True)
class Puzzle:
    """``values[c]`` lists category c's values in display order; ``grid[h][c]`` is the value
    index of category c in house h (the unique solution)."""

    categories: list[str]
    values: list[list[str]]
    grid: list[list[int]]
    clues: list[Clue]
    style: list[int]

    @property
    def n(self) -> int:
        return len(self.grid)

    def word(self, item: Item) -> str:
        return self.values[item[0]][item[1]]

    def solution_words(self) -> list[list[str]]:
        return [[self.values[c][v] for c, v in enumerate(row)] for row in self.grid]

    def to_payload(self) -> dict[str, Any]:
        return {
            "categories": list(self.categories),
            "values": [list(v) for v in self.values],
            "solution": self.solution_words(),
            "clues": [clue.to_payload() for clue in self.clues],
            "style": list(self.style),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Puzzle:
        values = [list(v) for v in payload["values"]]
        grid = [
            [values[c].index(word) for c, word in enumerate(row)] for row in payload["solution"]
        ]
        return cls(
            categories=list(payload["categories"]),
            values=values,
            grid=grid,
            clues=[Clue.from_payload(clue) for clue in payload["clues"]],
            style=list(payload["style"]),
        )
