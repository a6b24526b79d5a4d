"""Backtracking fill of wordscapes slots, most constrained slot first, with a search log."""

from __future__ import annotations

from generators.synlogic.wordscapes.layout import BLOCK, Slot, slot_cells


def search(
    slots: list[Slot], bank: list[str], rows: int, cols: int
) -> tuple[list[list[str]] | None, int, list[str]]:
    """Fill the slots with distinct bank words, most constrained slot first.

    Returns (grid or None, nodes, trace lines).
    """
    grid = [[BLOCK] * cols for _ in range(rows)]
    for slot in slots:
        for r, c in slot_cells(slot):
            grid[r][c] = "_"
    used: set[str] = set()
    filled: dict[int, str] = {}
    lines: list[str] = []
    nodes = 0

    def fitting(i: int) -> list[str]:
        cells = slot_cells(slots[i])
        return [
            w
            for w in bank
            if len(w) == len(cells)
            and w not in used
            and all(grid[r][c] in ("_", ch) for (r, c), ch in zip(cells, w, strict=True))
        ]

    def step(depth: int) -> bool:
        nonlocal nodes
        open_slots = [i for i in range(len(slots)) if i not in filled]
        if not open_slots:
            return True
        choices = {i: fitting(i) for i in open_slots}
        i = min(open_slots, key=lambda j: (len(choices[j]), j))
        slot, pad = slots[i], "  " * depth
        cells = slot_cells(slot)
        pattern = "".join(grid[r][c] for r, c in cells)
        if not choices[i]:
            lines.append(f"{pad}{slot['label']} ({pattern}): no word fits - dead end, back up.")
            return False
        lines.append(f"{pad}{slot['label']} ({pattern}): fits {', '.join(choices[i]).upper()}.")
        for word in choices[i]:
            nodes += 1
            saved = [grid[r][c] for r, c in cells]
            for (r, c), ch in zip(cells, word, strict=True):
                grid[r][c] = ch
            used.add(word)
            filled[i] = word
            if len(choices[i]) > 1:
                lines.append(f"{pad}  try {word.upper()}")
            if step(depth + 1):
                return True
            del filled[i]
            used.discard(word)
            for (r, c), ch in zip(cells, saved, strict=True):
                grid[r][c] = ch
        return False

    try:
        found = step(0)
    finally:
        step = None  # empties the cell that points back at the closure: no reference cycle
    return (grid if found else None), nodes, lines
