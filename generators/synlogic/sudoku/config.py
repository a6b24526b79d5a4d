"""Difficulty knobs, their bounds and the level table."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from generators.base import TaskConfig

# The fewest givens a top-down removal pass reaches often enough to be worth asking for
# (in 10,000 9×9 passes about 2 in 100 end at 22 or fewer; 17 is the proven minimum).
MIN_CLUES: dict[int, int] = {4: 4, 6: 9, 9: 22}


class SudokuConfig(TaskConfig):
    """Knobs of one Sudoku family: fewer givens means more to deduce and more guessing."""

    size: Literal[4, 6, 9] = Field(default=9, description="grid side: 4 (2×2 boxes), 6 (2×3), 9")
    clues: int = Field(
        default=30,
        ge=4,
        le=81,
        description="at most this many givens (the removal stops on reaching it)",
    )
    symmetric: bool = Field(
        default=False, description="givens symmetric under a half turn of the grid"
    )
    max_attempts: int = Field(
        default=200, ge=1, le=100_000, description="removal passes tried before giving up"
    )

    @model_validator(mode="after")
    def _clues_fit_the_size(self) -> SudokuConfig:
        low, high = MIN_CLUES[self.size], self.size * self.size
        if not low <= self.clues <= high:
            raise ValueError(f"clues must be in {low}..{high} for size {self.size}")
        return self


LEVELS: dict[int, dict[str, Any]] = {
    1: {"size": 4, "clues": 6},
    2: {"size": 6, "clues": 13},
    3: {"size": 9, "clues": 40},
    4: {"size": 9, "clues": 36},
    5: {"size": 9, "clues": 33},
    6: {"size": 9, "clues": 31},
    7: {"size": 9, "clues": 29},
    8: {"size": 9, "clues": 28},
    9: {"size": 9, "clues": 27},
    10: {"size": 9, "clues": 25},
}
