"""Difficulty knobs, their bounds, the level table and the role-word pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator

from generators.base import TaskConfig


@dataclass(frozen=True)
class RolePair:
    """The words for the two kinds of inhabitant: one always truthful, one always lying."""

    truthful: str
    liar: str
    truthful_plural: str
    liar_plural: str

    def word(self, truthful: bool) -> str:
        return self.truthful if truthful else self.liar

    def with_article(self, truthful: bool) -> str:
        """'a knight', 'an angel'."""
        word = self.word(truthful)
        return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


ROLE_PAIRS: dict[str, RolePair] = {
    "knight_knave": RolePair("knight", "knave", "knights", "knaves"),
    "angel_devil": RolePair("angel", "devil", "angels", "devils"),
    "saint_sinner": RolePair("saint", "sinner", "saints", "sinners"),
    "truthteller_liar": RolePair("truth-teller", "liar", "truth-tellers", "liars"),
    "hero_villain": RolePair("hero", "villain", "heroes", "villains"),
}
RANDOM_ROLES = "random"


class KnightsKnavesConfig(TaskConfig):
    """Knobs of one puzzle family.

    ``depth`` starts at 2: with depth 1 every statement is a single "X is a knight/knave",
    each person's role is tied to exactly one other's, and every cycle of such ties has
    either no consistent assignment or two (flip everyone on it), so no depth-1 puzzle
    has a unique solution. ``width`` stops at 4 so that two people always offer enough
    distinct leaves (four) for an and/or of distinct sub-statements.
    """

    n_people: int = Field(default=4, ge=2, le=20, description="number of inhabitants")
    depth: int = Field(default=2, ge=2, le=4, description="maximum nesting of a statement")
    width: int = Field(default=2, ge=2, le=4, description="maximum operands of an and/or")
    roles: str = Field(
        default="knight_knave",
        description=f"role pair: one of {', '.join(ROLE_PAIRS)}, or '{RANDOM_ROLES}' per puzzle",
    )
    partial_credit: bool = Field(
        default=False, description="guess-proof partial credit for a well-formed wrong answer"
    )
    max_attempts: int = Field(
        default=10_000, ge=1, le=1_000_000, description="puzzles sampled before giving up"
    )

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: str) -> str:
        if value != RANDOM_ROLES and value not in ROLE_PAIRS:
            choices = ", ".join([*ROLE_PAIRS, RANDOM_ROLES])
            raise ValueError(f"unknown role pair {value!r}; use one of {choices}")
        return value


LEVELS: dict[int, dict[str, Any]] = {
    1: {"n_people": 2, "depth": 2, "width": 2},
    2: {"n_people": 3, "depth": 2, "width": 2},
    3: {"n_people": 3, "depth": 3, "width": 2},
    4: {"n_people": 4, "depth": 3, "width": 2},
    5: {"n_people": 5, "depth": 3, "width": 2},
    6: {"n_people": 6, "depth": 3, "width": 2},
    7: {"n_people": 7, "depth": 3, "width": 2},
    8: {"n_people": 8, "depth": 3, "width": 3},
    9: {"n_people": 10, "depth": 3, "width": 3},
    10: {"n_people": 12, "depth": 3, "width": 3},
}
