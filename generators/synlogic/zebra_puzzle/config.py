"""Difficulty knobs, their bounds, the level table and the clue kinds each set allows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from generators.base import TaskConfig

# Attribute categories, each with a word list generators/data/zebra_<category>.txt.
CATEGORIES = ("nationality", "colour", "pet", "drink", "job", "hobby", "food", "sport")

CLUE_SETS: dict[str, tuple[str, ...]] = {
    "basic": ("same", "position", "next_to", "right_after"),
    "standard": ("same", "position", "next_to", "right_after", "left_of", "not_same", "at_end"),
    "full": (
        "same",
        "position",
        "next_to",
        "right_after",
        "left_of",
        "not_same",
        "at_end",
        "between",
        "not_position",
    ),
}


class ZebraConfig(TaskConfig):
    """Knobs of one puzzle family.

    With ``guessing`` off every puzzle is solvable by the solver's propagation alone
    (clue by clue eliminations plus "each value lives in exactly one house"). With it on,
    clues are pruned as long as the solution stays unique under full search, so some
    puzzles need a case split (the trace shows the guess and the dead end).
    """

    n_houses: int = Field(default=4, ge=3, le=6, description="houses in the row")
    n_categories: int = Field(
        default=4, ge=3, le=len(CATEGORIES), description="attribute categories per house"
    )
    clue_set: Literal["basic", "standard", "full"] = Field(
        default="standard", description="which clue kinds may appear"
    )
    guessing: bool = Field(default=False, description="allow puzzles that need a case split")


def _level(houses: int, categories: int, clues: str, guessing: bool = False) -> dict[str, Any]:
    return {
        "n_houses": houses,
        "n_categories": categories,
        "clue_set": clues,
        "guessing": guessing,
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(3, 3, "basic"),
    2: _level(3, 4, "standard"),
    3: _level(4, 3, "standard"),
    4: _level(4, 4, "standard"),
    5: _level(4, 5, "full"),
    6: _level(5, 4, "full"),
    7: _level(5, 5, "full"),
    8: _level(5, 6, "full"),
    9: _level(6, 5, "full"),
    10: _level(6, 6, "full"),
}
