"""The DPLL search told in the puzzle's words: the reference reasoning trace."""

from __future__ import annotations

from collections.abc import Sequence

from generators.nlsat.dpll import SearchResult
from generators.nlsat.formula import Variable
from generators.nlsat.render import phrases

_OPENING = (
    "I decide the statements one at a time. After each choice I apply every rule that "
    "now forces another statement, and when a rule is violated I go back and take the "
    "other choice."
)


def _search_lines(result: SearchResult, words: dict[int, str]) -> list[str]:
    """One line per event; a refutation right after a conflict joins the conflict's line."""
    lines: list[str] = []
    previous = ""
    for event in result.events:
        match event:
            case ("decide", lit):
                lines.append(f"Suppose {words[lit]}.")
            case ("imply", lit, clause):
                lines.append(f"By rule {clause + 1}, {words[lit]}.")
            case ("conflict", clause):
                lines.append(f"Rule {clause + 1} is violated — contradiction")
            case ("refuted", lit) if previous == "conflict":
                lines[-1] += f", so {words[-lit]}."
            case ("refuted", lit):
                lines.append(f"So supposing {words[lit]} fails either way: {words[-lit]}.")
            case ("exhausted", lit):
                if previous == "conflict":
                    lines[-1] += "."
                lines.append(f'Both "{words[lit]}" and "{words[-lit]}" lead to contradictions.')
        previous = event[0]
    return lines


def _check_lines(
    result: SearchResult, words: dict[int, str], clauses: Sequence[Sequence[int]]
) -> list[str]:
    """Each rule with the statement that makes it hold."""
    true_vars = result.true_vars
    lines = []
    for number, clause in enumerate(clauses, start=1):
        witness = next(x for x in clause if (x > 0) == (abs(x) in true_vars))
        lines.append(f"Rule {number} holds: {words[witness]}.")
    return lines


def narrate(
    result: SearchResult, variables: Sequence[Variable], clauses: Sequence[Sequence[int]]
) -> str:
    """Reasoning for a search recorded with ``record=True``."""
    words = phrases(variables)
    lines = [_OPENING, "", *_search_lines(result, words), ""]
    if not result.satisfiable:
        lines.append(
            "Every case leads to a contradiction, so the rules cannot all be true at the same time."
        )
        return "\n".join(lines)
    lines.append("Every rule is now satisfied.")
    if result.open_vars:
        free = ", ".join(words[-v] for v in result.open_vars)
        lines.append(f"The statements not yet decided can be taken as false: {free}.")
    chosen = [words[v if v in result.true_vars else -v] for v in range(1, len(variables) + 1)]
    lines += ["", f"So: {'; '.join(chosen)}.", "Checking every rule against this assignment:"]
    lines += _check_lines(result, words, clauses)
    lines.append(f"All {len(clauses)} rules hold, so the rules are consistent.")
    return "\n".join(lines)
