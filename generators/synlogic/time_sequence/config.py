"""Difficulty knobs of the meeting-scheduling task, their bounds and the level table."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from generators.base import TaskConfig


class TimeSequenceConfig(TaskConfig):
    n_people: int = Field(default=3, ge=2, le=10, description="people who must attend")
    appointments: int = Field(default=2, ge=1, le=8, description="busy slots per person")
    n_rules: int = Field(default=1, ge=0, le=10, description="'not before'/'done by' rules")
    n_breaks: int = Field(default=0, ge=0, le=10, description="people needing breaks")
    step: int = Field(default=15, ge=5, le=60, description="clock granularity in minutes")
    day_start: int = Field(default=9, ge=0, le=12, description="working day start hour")
    day_end: int = Field(default=17, ge=13, le=24, description="working day end hour")
    max_length: int = Field(default=120, ge=15, le=240, description="longest appointment")
    max_meeting: int = Field(default=90, ge=15, le=240, description="longest meeting")
    duration_phrasing: bool = Field(default=False, description="'from 10:00 for 45 minutes'")
    none_share: float = Field(default=0.0, ge=0.0, le=1.0, description="share of 'none' kept")

    @model_validator(mode="after")
    def _fits(self) -> TimeSequenceConfig:
        if self.n_rules > self.n_people or self.n_breaks > self.n_people:
            raise ValueError("n_rules and n_breaks must not exceed n_people")
        shortest = max(self.step, 15)
        if min(self.max_length, self.max_meeting) < shortest:
            raise ValueError("max_length and max_meeting must be at least max(step, 15)")
        day = (self.day_end - self.day_start) * 60
        if self.appointments * shortest + self.max_meeting + 160 > day:
            raise ValueError("the day is too short for the appointments and the meeting")
        return self


def _level(people: int, busy: int, rules: int, breaks: int, step: int, **more: Any) -> dict:
    return {
        "n_people": people,
        "appointments": busy,
        "n_rules": rules,
        "n_breaks": breaks,
        "step": step,
        **more,
    }


# 'none' is one answer among about a hundred start times: kept rare, near its fair share, so
# that answering 'none' is no strategy
_NONE_SHARE = 0.02

# levels 8-10: a longer day, shorter appointments and meetings
_LATE: dict[str, Any] = {
    "duration_phrasing": True,
    "none_share": _NONE_SHARE,
    "day_start": 8,
    "day_end": 18,
    "max_length": 60,
    "max_meeting": 60,
}

LEVELS: dict[int, dict[str, Any]] = {
    # long appointments at levels 1-2 spread the earliest start over the day
    1: _level(2, 1, 0, 0, 30, max_length=240, max_meeting=60),
    2: _level(2, 2, 1, 0, 30, max_length=240),
    3: _level(3, 2, 1, 0, 15),
    4: _level(3, 3, 2, 0, 15, none_share=_NONE_SHARE),
    5: _level(4, 3, 2, 1, 15, duration_phrasing=True, none_share=_NONE_SHARE),
    6: _level(4, 4, 3, 1, 15, duration_phrasing=True, none_share=_NONE_SHARE),
    7: _level(5, 4, 3, 2, 5, duration_phrasing=True, none_share=_NONE_SHARE, max_length=90),
    8: _level(6, 4, 4, 2, 5, **{**_LATE, "day_start": 9}),
    9: _level(7, 5, 4, 3, 5, **_LATE),
    10: _level(8, 5, 5, 3, 5, **_LATE),
}
