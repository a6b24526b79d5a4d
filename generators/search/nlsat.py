"""NLSat (assignment question) as a search space: decide the statements in listed order.

A state is the tuple of truth values given so far to variables ``1..k``. A move decides
the next variable, true first. With ``prune`` (the default) a move is legal only if it
falsifies no clause whose variables are then all decided; answers are the one-line-per-
statement assignment the nlsat verifier reads.
"""

from __future__ import annotations

from generators.nlsat.formula import Formula
from generators.nlsat.render import assignment_answer, describe_clause, statement
from generators.search.env import TaskEnvironment
from schemas.records import Problem

SatState = tuple[bool, ...]
Decide = tuple[int, bool]  # (variable, 1-based; value)


class NLSat(TaskEnvironment):
    """Search space of an nlsat problem generated with ``question="assignment"``."""

    def __init__(self, problem: Problem, *, prune: bool = True) -> None:
        if problem.payload.get("question") != "assignment":
            raise ValueError("the NLSat environment needs an assignment-question problem")
        super().__init__(problem)
        self.formula = Formula.from_payload(problem.payload)
        self.prune = prune
        # Clauses whose last variable is k, checked when variable k is decided.
        self.closing: dict[int, list[tuple[int, ...]]] = {}
        for clause in self.formula.clauses:
            self.closing.setdefault(max(abs(lit) for lit in clause), []).append(clause)

    @property
    def n(self) -> int:
        return len(self.formula.variables)

    def initial(self) -> SatState:
        return ()

    def complete(self, state: SatState) -> bool:
        return len(state) == self.n

    def falsified(self, state: SatState) -> bool:
        """Whether a clause closed by the last decision has no true literal."""
        return any(not self.holds(state, clause) for clause in self.closing.get(len(state), []))

    @staticmethod
    def holds(state: SatState, clause: tuple[int, ...]) -> bool:
        return any(state[abs(lit) - 1] == (lit > 0) for lit in clause)

    def broken(self, state: SatState) -> tuple[int, ...] | None:
        """The first decided clause with no true literal, if any."""
        return next(
            (
                clause
                for k in range(1, len(state) + 1)
                for clause in self.closing.get(k, [])
                if not self.holds(state, clause)
            ),
            None,
        )

    def failure(self, state: SatState) -> str:
        variables = self.formula.variables
        if self.complete(state):
            clause = self.broken(state)
            if clause is None:
                return super().failure(state)
            return f"the rule {describe_clause(variables, clause)} is broken"
        options = (self.broken((*state, value)) for value in (True, False))
        rules = " / ".join(describe_clause(variables, c) for c in options if c is not None)
        name = statement(variables[len(state)], True)
        return f'"{name}" can be neither true nor false without breaking a rule ({rules})'

    def moves(self, state: SatState) -> list[Decide]:
        if self.complete(state):
            return []
        var = len(state) + 1
        return [
            (var, value)
            for value in (True, False)
            if not self.prune or not self.falsified((*state, value))
        ]

    def apply(self, state: SatState, move: Decide) -> SatState:
        var, value = move
        if var != len(state) + 1:
            raise ValueError(f"variable {var} is not next to decide after {len(state)}")
        return (*state, value)

    def answer(self, state: SatState) -> str:
        if not self.complete(state):
            raise ValueError("an answer needs every statement decided")
        true_vars = frozenset(i for i, value in enumerate(state, start=1) if value)
        return assignment_answer(self.formula.variables, true_vars)

    def describe(self, state: SatState) -> str:
        if not state:
            return "nothing decided"
        return "; ".join(statement(self.formula.variables[i], v) for i, v in enumerate(state))

    def describe_move(self, move: Decide) -> str:
        return statement(self.formula.variables[move[0] - 1], move[1])

    def heuristic(self, state: SatState, move: Decide) -> float:
        """Clauses the literal satisfies minus ten per clause the move falsifies."""
        var, value = move
        literal = var if value else -var
        after = (*state, value)
        satisfied = sum(literal in clause for clause in self.formula.clauses)
        return satisfied - 10.0 * self.falsified(after)
