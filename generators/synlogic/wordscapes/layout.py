"""Word bank and crossword layout for wordscapes: placing words that cross, numbering slots."""

from __future__ import annotations

from collections import Counter
from random import Random
from typing import Any

from generators.wordlists import load_words

BLOCK = "#"
Slot = dict[str, Any]  # label, row, col, across (bool), length
Cell = tuple[int, int]
Dirs = dict[Cell, set[bool]]  # which directions (across=True) pass through a cell


def word_list() -> tuple[str, ...]:
    return load_words("wordscapes_words")


def bank_for(letters: str) -> list[str]:
    """Listed words of three or more letters that ``letters`` (a multiset) can spell."""
    have = Counter(letters)
    return [w for w in word_list() if len(w) >= 3 and not Counter(w) - have]


def _fits(grid: dict[Cell, str], dirs: Dirs, word: str, r: int, c: int, across: bool) -> bool:
    """Crossword placement rule: crosses at least one letter, touches nothing else."""
    dr, dc = (0, 1) if across else (1, 0)
    if (r - dr, c - dc) in grid or (r + dr * len(word), c + dc * len(word)) in grid:
        return False
    crossings = 0
    for k, ch in enumerate(word):
        cell = (r + dr * k, c + dc * k)
        if cell in grid:
            if grid[cell] != ch or across in dirs[cell]:
                return False
            crossings += 1
        elif (cell[0] + dc, cell[1] + dr) in grid or (cell[0] - dc, cell[1] - dr) in grid:
            return False
    return crossings > 0


def _placements(grid: dict[Cell, str], dirs: Dirs, word: str) -> list[tuple[int, int, bool]]:
    """Every legal (row, col, across) start of ``word`` crossing the grid, in a fixed order."""
    starts = [
        (r - k * (not across), c - k * across, across)
        for (r, c), ch in sorted(grid.items())
        for across in (False, True)
        for k, letter in enumerate(word)
        if letter == ch
    ]
    return [start for start in starts if _fits(grid, dirs, word, *start)]


def layout(rng: Random, bank: list[str], count: int) -> list[tuple[str, int, int, bool]] | None:
    """``count`` bank words placed as a connected crossword, or None when stuck."""
    first = rng.choice(bank)
    placed = [(first, 0, 0, True)]
    grid = {(0, k): ch for k, ch in enumerate(first)}
    dirs: Dirs = {cell: {True} for cell in grid}
    while len(placed) < count:
        unused = [w for w in bank if all(w != p[0] for p in placed)]
        rng.shuffle(unused)
        for word in unused:
            options = _placements(grid, dirs, word)
            if options:
                break
        else:
            return None
        r, c, across = rng.choice(options)
        placed.append((word, r, c, across))
        for k, ch in enumerate(word):
            cell = (r, c + k) if across else (r + k, c)
            grid[cell] = ch
            dirs.setdefault(cell, set()).add(across)
    return placed


def slots_and_grid(placed: list[tuple[str, int, int, bool]]) -> tuple[list[Slot], list[list[str]]]:
    """Cropped solution grid and the slots, numbered like a crossword (row-major starts)."""
    cells = {}
    for word, r, c, across in placed:
        for k, ch in enumerate(word):
            cells[(r, c + k) if across else (r + k, c)] = ch
    top = min(r for r, _ in cells)
    left = min(c for _, c in cells)
    rows = max(r for r, _ in cells) - top + 1
    cols = max(c for _, c in cells) - left + 1
    grid = [[cells.get((r + top, c + left), BLOCK) for c in range(cols)] for r in range(rows)]
    starts = sorted({(r - top, c - left) for _, r, c, _ in placed})
    number = {start: i for i, start in enumerate(starts, start=1)}
    slots = [
        {
            "label": f"{number[(r - top, c - left)]}-{'Across' if across else 'Down'}",
            "row": r - top,
            "col": c - left,
            "across": across,
            "length": len(word),
        }
        for word, r, c, across in sorted(placed, key=lambda p: (p[1], p[2], not p[3]))
    ]
    return slots, grid


def slot_cells(slot: Slot) -> list[Cell]:
    r, c = slot["row"], slot["col"]
    return [(r, c + k) if slot["across"] else (r + k, c) for k in range(slot["length"])]
