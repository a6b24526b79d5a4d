"""One puzzle as data, and its JSON payload (the only thing the solver and verifier read)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from generators.knights_knaves.config import RolePair
from generators.knights_knaves.statements import Tree


@dataclass(frozen=True)
class Style:
    """Which phrasing the prompt and statements use: template indices (see ``render``)."""

    intro: int
    claim: int
    question: int
    connectives: int


@dataclass(frozen=True)
class Puzzle:
    """People, their statements, and the unique role assignment (True = truthful)."""

    names: list[str]
    roles: str
    role_pair: RolePair
    statements: list[Tree]
    solution: list[bool]
    style: Style
    partial_credit: bool

    @property
    def n(self) -> int:
        return len(self.names)

    def role_phrase(self, person: int, truthful: bool) -> str:
        """'Alice is a knight'."""
        return f"{self.names[person]} is {self.role_pair.with_article(truthful)}"

    def to_payload(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "roles": self.roles,
            "role_words": asdict(self.role_pair),
            "statements": self.statements,
            "solution": list(self.solution),
            "style": asdict(self.style),
            "partial_credit": self.partial_credit,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Puzzle:
        return cls(
            names=list(payload["names"]),
            roles=payload["roles"],
            role_pair=RolePair(**payload["role_words"]),
            statements=payload["statements"],
            solution=list(payload["solution"]),
            style=Style(**payload["style"]),
            partial_credit=payload["partial_credit"],
        )
