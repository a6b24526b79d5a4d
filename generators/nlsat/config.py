"""NLSat knobs, their bounds, and the level table."""

from __future__ import annotations

from math import comb
from typing import Any, Literal

from pydantic import Field, model_validator

from generators.base import TaskConfig


class NLSatConfig(TaskConfig):
    """Difficulty knobs of a random k-SAT instance told as rules about people.

    ``alpha`` (clauses per variable) is the main hardness knob: instances are hardest
    around the satisfiability threshold (≈ 4.26 for large 3-SAT, higher for small
    ``n_vars``). ``two_sat_fraction`` of the clauses have two literals instead of ``k``,
    which makes easy instances.

    ``balanced`` (consistency questions only): the target label is a balanced choice of
    the index (every level of a build gets each label half the time, within a few
    problems) and instances are redrawn until the label matches; generation raises
    ``ValueError`` naming the knobs when the label is out of reach (e.g. inconsistent
    at a tiny ``alpha``). Assignment questions keep only consistent instances that
    neither the all-true nor the all-false assignment satisfies, whatever ``balanced`` says.
    """

    n_vars: int = Field(12, ge=3, le=60, description="statements 'X is P' drawn for the pool")
    alpha: float = Field(4.26, gt=0, le=10, description="clauses per variable: m = round(α·n)")
    k: int = Field(3, ge=2, le=5, description="literals per clause")
    two_sat_fraction: float = Field(0.0, ge=0, le=1, description="share of 2-literal clauses")
    question: Literal["consistency", "assignment"] = "consistency"
    balanced: bool = Field(True, description="draw consistent/inconsistent with equal odds")

    @property
    def n_clauses(self) -> int:
        return round(self.alpha * self.n_vars)

    @property
    def n_two_literal(self) -> int:
        """How many clauses have two literals (all of them when ``k`` is 2)."""
        return self.n_clauses if self.k == 2 else round(self.two_sat_fraction * self.n_clauses)

    @model_validator(mode="after")
    def _drawable(self) -> NLSatConfig:
        """Refuse configs whose clauses cannot be drawn: clauses are distinct literal sets."""
        if self.k > self.n_vars:
            raise ValueError(f"k={self.k} exceeds n_vars={self.n_vars}")
        if self.n_clauses < 1:
            raise ValueError(f"alpha={self.alpha} · n_vars={self.n_vars} rounds to no clauses")
        two, wide = self.n_two_literal, self.n_clauses - self.n_two_literal
        if two > 4 * comb(self.n_vars, 2) or wide > 2**self.k * comb(self.n_vars, self.k):
            raise ValueError(
                f"alpha={self.alpha} asks for {self.n_clauses} distinct clauses, more than "
                f"n_vars={self.n_vars}, k={self.k}, two_sat_fraction={self.two_sat_fraction} allow"
            )
        return self


# n_vars grows every level; alpha climbs to the 3-SAT threshold 4.26 (reached at
# level 7) while the 2-SAT share that makes the first levels easy fades out.
LEVELS: dict[int, dict[str, Any]] = {
    1: {"n_vars": 4, "alpha": 2.0, "two_sat_fraction": 0.5},
    2: {"n_vars": 5, "alpha": 2.4, "two_sat_fraction": 0.4},
    3: {"n_vars": 6, "alpha": 2.8, "two_sat_fraction": 0.25},
    4: {"n_vars": 8, "alpha": 3.4, "two_sat_fraction": 0.0},
    5: {"n_vars": 10, "alpha": 3.8, "two_sat_fraction": 0.0},
    6: {"n_vars": 12, "alpha": 4.0, "two_sat_fraction": 0.0},
    7: {"n_vars": 14, "alpha": 4.26, "two_sat_fraction": 0.0},
    8: {"n_vars": 16, "alpha": 4.26, "two_sat_fraction": 0.0},
    9: {"n_vars": 18, "alpha": 4.26, "two_sat_fraction": 0.0},
    10: {"n_vars": 20, "alpha": 4.26, "two_sat_fraction": 0.0},
}
