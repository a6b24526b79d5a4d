"""The reasoning log of the calcudoko, kukurasu and survo solvers: capped, then summarised."""

from __future__ import annotations


class SearchLog:
    """Deduction and search steps in order; past ``limit`` lines they are only counted."""

    def __init__(self, limit: int = 150) -> None:
        self.lines: list[str] = []
        self.limit = limit
        self.left_out = 0

    def note(self, line: str) -> None:
        if len(self.lines) < self.limit:
            self.lines.append(line)
        else:
            self.left_out += 1

    def render(self, intro: str, guesses: int, refuted: int, thing: str, answer: str) -> str:
        """The whole reasoning: ``intro``, the steps, how the search ended, the ``answer``."""
        lines = [intro, *self.lines]
        if self.left_out:
            lines.append(
                f"({self.left_out} further steps of the same kinds (placements, guesses and "
                "refuted branches) are not listed.)"
            )
        if guesses:
            lines.append(
                f"The search made {guesses} guesses and refuted {refuted} of them; every other "
                f"branch fails, so this {thing} is the only solution:"
            )
        else:
            lines.append(
                f"Deduction alone settles every cell, so this {thing} is the only solution:"
            )
        lines.append(answer)
        return "\n".join(lines)


def search_stats(eliminations: int, guesses: int, dead_ends: int) -> dict[str, int]:
    """Stats of a propagate-and-guess solver; effort = candidates eliminated + guesses."""
    return {
        "effort": eliminations + guesses,
        "eliminations": eliminations,
        "guesses": guesses,
        "dead_ends": dead_ends,
    }
