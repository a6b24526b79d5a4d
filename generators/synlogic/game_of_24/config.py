"""Difficulty knobs, their bounds and the level table."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from generators.base import TaskConfig


class GameOf24Config(TaskConfig):
    """Knobs of one puzzle family.

    Numbers are drawn from ``1..max_number`` and the target from
    ``target_min..target_max``; a draw is kept when the solver reaches the target within
    ``max_nodes`` states and needs at least ``min_effort`` of them (puzzles whose first
    solution sits deep in the search: few solutions, or only ones through fractions).
    """

    n_numbers: int = Field(default=4, ge=3, le=6, description="how many numbers to combine")
    max_number: int = Field(default=13, ge=2, le=999, description="largest number drawn")
    target_min: int = Field(default=24, ge=1, le=9999, description="smallest target")
    target_max: int = Field(default=24, ge=1, le=9999, description="largest target")
    min_effort: int = Field(
        default=0, ge=0, le=100_000, description="least solver states to the first solution"
    )
    max_nodes: int = Field(
        default=300, ge=10, le=1_000_000, description="solver states tried per draw"
    )
    max_attempts: int = Field(
        default=2000, ge=1, le=1_000_000, description="draws before giving up"
    )

    @model_validator(mode="after")
    def _consistent(self) -> GameOf24Config:
        if self.target_min > self.target_max:
            raise ValueError("target_min must not exceed target_max")
        if self.min_effort >= self.max_nodes:
            raise ValueError("min_effort must be below max_nodes")
        return self


def _level(
    n: int, largest: int, targets: tuple[int, int], effort: tuple[int, int]
) -> dict[str, Any]:
    return {
        "n_numbers": n,
        "max_number": largest,
        "target_min": targets[0],
        "target_max": targets[1],
        "min_effort": effort[0],
        "max_nodes": effort[1],
    }


# The acceptance windows min_effort..max_nodes overlap little from level to level, so the
# solver effort of a level's puzzles rises with the level, not only on average.
LEVELS: dict[int, dict[str, Any]] = {
    1: _level(4, 10, (24, 24), (0, 300)),
    2: _level(4, 13, (24, 24), (5, 300)),
    3: _level(4, 13, (10, 60), (8, 300)),
    4: _level(4, 20, (20, 100), (14, 300)),
    5: _level(5, 13, (20, 100), (25, 70)),
    6: _level(5, 20, (20, 150), (45, 110)),
    7: _level(6, 13, (24, 100), (70, 150)),
    8: _level(6, 13, (50, 200), (95, 200)),
    9: _level(6, 15, (50, 250), (125, 280)),
    10: _level(6, 20, (50, 300), (170, 400)),
}
