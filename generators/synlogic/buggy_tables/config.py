"""Difficulty knobs of the buggy-tables task, their bounds and the level table."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from generators.base import TaskConfig

BUG_KINDS = ("scale", "offset", "sign", "null", "swap", "duplicate")
STATS = ("sum", "max", "min", "count_above", "mean")


class BuggyTablesConfig(TaskConfig):
    """``n_rows`` clean rows are drawn, ``n_bugs`` distinct bugs corrupt them; the question
    asks for one of the first ``n_stats`` statistics of :data:`STATS` over the repaired table."""

    n_rows: int = Field(default=8, ge=3, le=60, description="clean rows before duplication")
    n_bugs: int = Field(default=1, ge=1, le=4, description="bugs applied to the table")
    bug_kinds: int = Field(
        default=2, ge=1, le=len(BUG_KINDS), description="bug kinds allowed (prefix of list)"
    )
    n_stats: int = Field(default=1, ge=1, le=len(STATS), description="statistics allowed")
    filtered: bool = Field(default=False, description="restrict the statistic to some rows")


def _level(rows: int, bugs: int, kinds: int, stats: int, filtered: bool) -> dict[str, Any]:
    return {
        "n_rows": rows,
        "n_bugs": bugs,
        "bug_kinds": kinds,
        "n_stats": stats,
        "filtered": filtered,
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(5, 1, 1, 1, False),
    2: _level(6, 1, 3, 2, False),
    3: _level(8, 1, 4, 3, False),
    4: _level(10, 2, 5, 3, False),
    5: _level(12, 2, 6, 4, True),
    6: _level(14, 2, 6, 5, True),
    7: _level(18, 3, 6, 5, True),
    8: _level(22, 3, 6, 5, True),
    9: _level(26, 4, 6, 5, True),
    10: _level(30, 4, 6, 5, True),
}
