"""When the answer-space audit fails a subset and level: the ``audit:`` section of a build
config (see ``factory.quality.audit``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuditThresholds(BaseModel):
    """When the audit fails a subset and level (the ``audit:`` section of a build config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chance_factor: float = Field(
        default=2.0, gt=0, description="a guess may win this many times the uniform chance..."
    )
    min_win_rate: float = Field(
        default=0.05, ge=0, le=1, description="...or this share of problems, if that is more"
    )
    label_tolerance: float = Field(
        default=0.05, ge=0, le=1, description="each of k labels keeps a share of 1/k ± this"
    )
    min_problems: int = Field(
        default=200,
        ge=1,
        description="groups with fewer problems are shown but not judged: at 30 problems a "
        "fair yes/no label strays 9 points on one standard deviation",
    )

    def win_limit(self, chance: float) -> float:
        return max(self.chance_factor * chance, self.min_win_rate)
