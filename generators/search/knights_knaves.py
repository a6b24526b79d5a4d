"""Knights & Knaves as a search space: assign roles person by person, in order.

A state is the tuple of roles assigned so far (True = truthful) to persons ``0..k-1``.
A move gives the next person a role, truthful first. With ``prune`` (the default) a move
is legal only if it contradicts no statement whose speaker and mentioned people are all
assigned (evaluated with the task's own statement trees), so every complete state is
consistent; without it every complete assignment is reachable and the verifier alone
tells right from wrong.
"""

from __future__ import annotations

from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import render_answer, statement_text
from generators.knights_knaves.statements import kleene, people_in
from generators.search.env import TaskEnvironment
from schemas.records import Problem

KKState = tuple[bool, ...]
Assign = tuple[int, bool]  # (person, truthful)


class KnightsKnaves(TaskEnvironment):
    """Search space of a knights_knaves problem."""

    def __init__(self, problem: Problem, *, prune: bool = True) -> None:
        super().__init__(problem)
        self.puzzle = Puzzle.from_payload(problem.payload)
        self.prune = prune
        # Speakers whose statement becomes checkable once k people are assigned.
        self.ready: dict[int, list[int]] = {}
        for speaker, tree in enumerate(self.puzzle.statements):
            last = max([speaker, *people_in(tree)])
            self.ready.setdefault(last + 1, []).append(speaker)

    def initial(self) -> KKState:
        return ()

    def complete(self, state: KKState) -> bool:
        return len(state) == self.puzzle.n

    def consistent(self, state: KKState) -> bool:
        """No statement that became checkable with the last assignment is contradicted."""
        roles = list(state)
        return all(
            kleene(self.puzzle.statements[speaker], roles) == roles[speaker]
            for speaker in self.ready.get(len(state), [])
        )

    def moves(self, state: KKState) -> list[Assign]:
        if self.complete(state):
            return []
        person = len(state)
        return [
            (person, truthful)
            for truthful in (True, False)
            if not self.prune or self.consistent((*state, truthful))
        ]

    def apply(self, state: KKState, move: Assign) -> KKState:
        person, truthful = move
        if person != len(state):
            raise ValueError(f"person {person + 1} is not next to assign in {state}")
        return (*state, truthful)

    def answer(self, state: KKState) -> str:
        if not self.complete(state):
            raise ValueError("an answer needs every role assigned")
        return render_answer(self.puzzle, list(state))

    def describe(self, state: KKState) -> str:
        if not state:
            return "no roles assigned"
        return "; ".join(self.puzzle.role_phrase(p, truthful) for p, truthful in enumerate(state))

    def describe_move(self, move: Assign) -> str:
        return self.puzzle.role_phrase(*move)

    def _roles(self, state: KKState) -> list[bool | None]:
        return [*state, *[None] * (self.puzzle.n - len(state))]

    def contradicted(self, state: KKState) -> int | None:
        """The first assigned speaker whose statement, decided by ``state``, contradicts
        their role."""
        roles = self._roles(state)
        for speaker in range(len(state)):
            value = kleene(self.puzzle.statements[speaker], roles)
            if value is not None and value != state[speaker]:
                return speaker
        return None

    def clash(self, state: KKState) -> str:
        """The statement ``state`` contradicts, in words."""
        speaker = self.contradicted(state)
        if speaker is None:
            return "the assignment does not match the puzzle"
        said = statement_text(self.puzzle, speaker)
        value = kleene(self.puzzle.statements[speaker], self._roles(state))
        return (
            f'{self.puzzle.names[speaker]} says "{said}", which would be '
            f"{'true' if value else 'false'}, yet "
            f"{self.puzzle.role_phrase(speaker, state[speaker])}"
        )

    def failure(self, state: KKState) -> str:
        if self.complete(state):
            return self.clash(state)
        person = self.puzzle.names[len(state)]
        reasons = "; and ".join(self.clash((*state, role)) for role in (True, False))
        return f"{person} fits neither role: {reasons}"

    def heuristic(self, state: KKState, move: Assign) -> float:
        """Statements settled consistently minus ten per one Kleene logic already refutes."""
        roles: list[bool | None] = [*state, move[1]]
        roles += [None] * (self.puzzle.n - len(roles))
        score = 0.0
        for speaker, tree in enumerate(self.puzzle.statements):
            value, role = kleene(tree, roles), roles[speaker]
            if value is not None and role is not None:
                score += 1.0 if value == role else -10.0
        return score
