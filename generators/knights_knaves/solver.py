"""Reference reasoning: a depth-first case analysis with propagation, written out in English.

The search assumes roles for the people in order (truthful first) and, after every
assumption, propagates to a fixpoint with two sound rules on the partial assignment,
evaluated in three-valued (Kleene) logic:

- forward: a statement whose truth value is settled fixes its speaker's role, or
  contradicts the role the speaker already has;
- backward: a speaker whose role is known needs their statement to have the matching
  truth value, so a person mentioned in it for whom one role would give the statement
  the wrong value must have the other role (if both roles would, that is a contradiction).

A contradiction undoes the innermost assumption and tries the other role; when both roles
of a person fail, the search backs up one more level.
"""

from __future__ import annotations

from generators.base import Solution
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import render_answer, series, statement_text
from generators.knights_knaves.statements import kleene, people_in


class _Contradiction(Exception):
    """The current assumptions are inconsistent (the trace already says why)."""


def _truth(value: bool) -> str:
    return "true" if value else "false"


class _CaseAnalysis:
    def __init__(self, puzzle: Puzzle) -> None:
        self.puzzle = puzzle
        self.quotes = [f'"{statement_text(puzzle, speaker)}"' for speaker in range(puzzle.n)]
        self.mentioned = [people_in(statement) for statement in puzzle.statements]
        self.lines: list[str] = []
        self.stats = {"effort": 0, "contradictions": 0, "backtracks": 0, "deductions": 0}

    def say(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def contradiction(self, depth: int, text: str) -> _Contradiction:
        self.stats["contradictions"] += 1
        self.say(depth, f"- {text} — contradiction.")
        return _Contradiction()

    def search(self, roles: list[bool | None], depth: int) -> list[bool] | None:
        """Complete the roles consistently below the current assumptions, or None."""
        undecided = [person for person, role in enumerate(roles) if role is None]
        if not undecided:
            return [bool(role) for role in roles]
        person = undecided[0]
        phrase, pair = self.puzzle.role_phrase, self.puzzle.role_pair
        for truthful in (True, False):
            self.stats["effort"] += 1
            if truthful:
                self.say(depth, f"Assume {phrase(person, True)}.")
            else:
                self.say(
                    depth,
                    f"So {self.puzzle.names[person]} cannot be {pair.with_article(True)}; "
                    f"back up and assume {phrase(person, False)} instead.",
                )
            trial = roles.copy()
            trial[person] = truthful
            try:
                self.propagate(trial, depth + 1)
            except _Contradiction:
                pass
            else:
                found = self.search(trial, depth + 1)
                if found is not None:
                    return found
            self.stats["backtracks"] += 1
        self.say(
            depth,
            f"Both roles for {self.puzzle.names[person]} lead to contradictions, "
            "so an earlier assumption is wrong.",
        )
        return None

    def propagate(self, roles: list[bool | None], depth: int) -> None:
        """Apply both rules until no role changes; raises :class:`_Contradiction`."""
        changed = True
        while changed:
            changed = False
            for speaker in range(self.puzzle.n):
                if self.check(speaker, roles, depth):
                    changed = True

    def check(self, speaker: int, roles: list[bool | None], depth: int) -> bool:
        """Apply the rules to one speaker's statement; True when it fixed some role."""
        value = kleene(self.puzzle.statements[speaker], roles)
        if value is not None:
            return self.forward(speaker, value, roles, depth)
        role = roles[speaker]
        return role is not None and self.backward(speaker, role, roles, depth)

    def statement(self, speaker: int) -> str:
        return f"{self.puzzle.names[speaker]}'s statement {self.quotes[speaker]}"

    def forward(self, speaker: int, value: bool, roles: list[bool | None], depth: int) -> bool:
        """The statement's truth value is settled: it fixes or contradicts the speaker's role."""
        role = roles[speaker]
        settled = f"{self.statement(speaker)} is {_truth(value)}"
        if role is None:
            roles[speaker] = value
            self.stats["deductions"] += 1
            self.say(depth, f"- {settled}, so {self.puzzle.role_phrase(speaker, value)}.")
            return True
        if role != value:
            raise self.contradiction(
                depth, f"{settled}, but {self.puzzle.role_phrase(speaker, role)}"
            )
        return False

    def backward(self, speaker: int, role: bool, roles: list[bool | None], depth: int) -> bool:
        """The speaker's role is known, so the statement's value is: who does that force?"""
        statement = self.puzzle.statements[speaker]
        must = (
            f"Since {self.puzzle.role_phrase(speaker, role)}, "
            f"{self.statement(speaker)} must be {_truth(role)}"
        )
        forced: dict[int, bool] = {}
        for person in self.mentioned[speaker]:
            if roles[person] is not None:
                continue
            wrong = []
            for truthful in (True, False):
                roles[person] = truthful
                if kleene(statement, roles) is (not role):
                    wrong.append(truthful)
            roles[person] = None
            if len(wrong) == 2:
                raise self.contradiction(
                    depth,
                    f"{must}, but it is {_truth(not role)} whatever role "
                    f"{self.puzzle.names[person]} has",
                )
            if wrong:
                forced[person] = not wrong[0]
        if not forced:
            return False
        for person, truthful in forced.items():
            roles[person] = truthful
        self.stats["deductions"] += len(forced)
        pair = self.puzzle.role_pair
        requirements = [
            f"{self.puzzle.names[person]} to be {pair.with_article(truthful)}"
            for person, truthful in forced.items()
        ]
        self.say(depth, f"- {must}, which requires {series(requirements, 'and')}.")
        return True


def solve(puzzle: Puzzle) -> Solution:
    """The role assignment with a readable case analysis and effort counts.

    ``effort`` counts assumptions (search nodes), ``backtracks`` the assumptions undone.
    """
    analysis = _CaseAnalysis(puzzle)
    pair = puzzle.role_pair
    analysis.say(
        0,
        f"I try roles person by person, assuming {pair.with_article(True)} first. Once some "
        "roles are known, a statement whose truth value is settled fixes its speaker's role, "
        f"and a speaker's statement must be true for {pair.with_article(True)} and false "
        f"for {pair.with_article(False)}.",
    )
    roles: list[bool | None] = [None] * puzzle.n
    try:
        analysis.propagate(roles, 0)
    except _Contradiction as error:
        raise ValueError("the puzzle has no consistent role assignment") from error
    found = analysis.search(roles, 0)
    if found is None:
        raise ValueError("the puzzle has no consistent role assignment")
    analysis.say(0, "Every statement is consistent with this assignment:")
    for person, truthful in enumerate(found):
        analysis.say(
            0,
            f"- {puzzle.role_phrase(person, truthful)}, and {puzzle.names[person]}'s statement "
            f"is {_truth(truthful)}.",
        )
    return Solution(render_answer(puzzle, found), "\n".join(analysis.lines), analysis.stats)
