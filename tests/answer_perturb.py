"""Wrong answers that look right: one task-aware edit of a reference answer.

Each edit is wrong by construction, not by luck: the tasks below promise unique answers
(K&K, sudoku, zebra), or the edit breaks a rule every answer must keep (a NLSat verdict
flipped or an assignment left incomplete; a Game-of-24 expression using a number too
many). Shared by the reward tests and ``bench/bench_rewards.py``.
"""

from __future__ import annotations

from typing import Any


def perturb(task: str, answer: str, payload: dict[str, Any]) -> str:
    """``answer`` with one wrong edit; KeyError for a task without a known edit."""
    return _EDITS[task](answer, payload)


def _flip_first_role(answer: str, payload: dict[str, Any]) -> str:
    """One knight/knave (or the puzzle's own role words) swapped on the first line."""
    words = payload["role_words"]
    first, *rest = answer.split("\n")
    head, _, role = first.rpartition(" ")
    other = words["liar"] if role == words["truthful"] else words["truthful"]
    return "\n".join([f"{head} {other}", *rest])


def _nlsat(answer: str, payload: dict[str, Any]) -> str:
    """yes ↔ no; an assignment loses its last statement (a variable left undecided)."""
    if payload["question"] != "assignment":
        return {"yes": "no", "no": "yes"}[answer.strip().lower()]
    return "\n".join(answer.strip().split("\n")[:-1])


def _swap_first_row(answer: str, payload: dict[str, Any]) -> str:
    """The first two cells of row 1 swapped: their columns now repeat a digit."""
    first, *rest = answer.split("\n")
    cells = first.split()
    cells[0], cells[1] = cells[1], cells[0]
    return "\n".join([" ".join(cells), *rest])


def _swap_first_attribute(answer: str, payload: dict[str, Any]) -> str:
    """Houses 1 and 2 trade their first attribute (e.g. nationalities)."""
    lines = answer.split("\n")
    (label1, values1), (label2, values2) = (line.split(": ", 1) for line in lines[:2])
    first, second = values1.split(", "), values2.split(", ")
    first[0], second[0] = second[0], first[0]
    lines[:2] = [f"{label1}: {', '.join(first)}", f"{label2}: {', '.join(second)}"]
    return "\n".join(lines)


def _extra_number(answer: str, payload: dict[str, Any]) -> str:
    return f"{answer} + 1"


_EDITS = {
    "knights_knaves": _flip_first_role,
    "nlsat": _nlsat,
    "sudoku": _swap_first_row,
    "zebra_puzzle": _swap_first_attribute,
    "game_of_24": _extra_number,
}
