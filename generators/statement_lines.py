"""The fast path of verifiers whose answer is a list of statements, one a line."""

from __future__ import annotations

from collections.abc import Mapping


def listed_decisions(answer: str, lines: Mapping[str, tuple[int, bool]]) -> dict[int, bool] | None:
    """Each item's decision, when every non-blank line of ``answer`` (stripped) is a key of
    ``lines`` (a line as the reference writes it → its item and decision) and no item is
    decided twice; None otherwise, and for a blank answer: the caller's general parser then
    reads the answer and names what is wrong. One pass, a dict lookup a line."""
    decided: dict[int, bool] = {}
    for raw in answer.splitlines():
        line = raw.strip()
        if not line:
            continue
        hit = lines.get(line)
        if hit is None or hit[0] in decided:
            return None
        decided[hit[0]] = hit[1]
    return decided or None
