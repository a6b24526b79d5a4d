"""Wordscapes: fill a small crossword from a word bank spelt with one set of letters.

Generation picks a base word of ``letters`` letters from the shipped list
(``generators/data/wordscapes_words.txt``); the word bank is every listed word of three
or more letters that those letters can spell. ``words`` bank words are then laid out as
a connected crossword (each new word crosses a placed one; no two letters touch unless
they belong to a crossing), and the grid is cropped. Any fill obeying the rules is
accepted, so the verifier checks the rules: blocked cells as shown, every slot a bank
word, no word twice (crossings agree because the answer is a grid). The solver is a
backtracking search that always fills the slot with the fewest fitting words; effort is
its search nodes (words tried).
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    GenerationError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.grid import format_grid, parse_grid
from generators.synlogic.wordscapes.layout import (
    BLOCK,
    bank_for,
    layout,
    slot_cells,
    slots_and_grid,
    word_list,
)
from generators.synlogic.wordscapes.solver import search
from schemas.records import Problem


class WordscapesConfig(TaskConfig):
    letters: int = Field(default=5, ge=4, le=6, description="letters given (base word length)")
    words: int = Field(default=4, ge=2, le=10, description="slots in the crossword")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"letters": 4, "words": 2},
    2: {"letters": 4, "words": 3},
    3: {"letters": 5, "words": 3},
    4: {"letters": 5, "words": 4},
    5: {"letters": 5, "words": 5},
    6: {"letters": 6, "words": 5},
    7: {"letters": 6, "words": 6},
    8: {"letters": 6, "words": 7},
    9: {"letters": 6, "words": 8},
    10: {"letters": 6, "words": 9},
}

INTROS = (
    "Word puzzle: fill the crossword below using words spelt from a set of letters.",
    "Here is a small crossword to complete with words made from the given letters.",
    "Complete this letter-wheel crossword.",
)
MAX_ATTEMPTS = 200


class WordscapesGenerationError(GenerationError):
    """No crossword of the requested size was laid out within the attempt bound."""


def _cell(text: str) -> str:
    if text in (BLOCK, "."):
        return BLOCK
    if len(text) == 1 and text.isascii() and text.isalpha():
        return text.upper()
    raise ValueError(f"{text!r} is not a letter or {BLOCK}")


class Wordscapes(Task[WordscapesConfig]):
    name: ClassVar[str] = "wordscapes"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Fill a small crossword with distinct words from a bank spelt with given letters."
    )
    Config: ClassVar[type[TaskConfig]] = WordscapesConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: WordscapesConfig, rng: Random, index: int) -> Instance:
        bases = [w for w in word_list() if len(w) == config.letters]
        for _ in range(MAX_ATTEMPTS):
            base = rng.choice(bases)
            bank = bank_for(base)
            if len(bank) < config.words:
                continue
            placed = layout(rng, bank, config.words)
            if placed is not None:
                break
        else:
            raise WordscapesGenerationError(f"no layout for {config}")
        slots, solution = slots_and_grid(placed)
        letters = sorted(base.upper())
        rng.shuffle(letters)
        template = [["_" if ch != BLOCK else BLOCK for ch in row] for row in solution]
        upper = [[ch.upper() for ch in row] for row in solution]
        slot_lines = [f"- {s['label']}: {s['length']} letters" for s in slots]
        prompt = "\n".join(
            [
                rng.choice(INTROS),
                f"Letters: {' '.join(letters)}",
                "Word bank (every word that may be used): " + ", ".join(w.upper() for w in bank),
                "",
                "Grid (_ is a square to fill, # is a blocked square):",
                format_grid(template),
                "",
                "Slots (numbered from the top-left, like a crossword):",
                *slot_lines,
                "",
                "Rules: write one letter in every _ square so that each slot reads a word from "
                "the word bank; no word may be used twice; crossing slots share their letter.",
                rng.choice(
                    (
                        "Give the completed grid.",
                        "What is the filled grid?",
                        "Fill in the grid.",
                    )
                ),
                f"Answer format: the full grid, one row per line, one character per square "
                f"(letters, and {BLOCK} for blocked squares), separated by spaces.",
                ANSWER_INSTRUCTION,
            ]
        )
        payload = {"letters": base, "bank": bank, "slots": slots, "rows": len(solution)}
        payload["cols"] = len(solution[0])
        payload["blocked"] = [[ch == BLOCK for ch in row] for row in solution]
        return Instance(prompt=prompt, answer=format_grid(upper), payload=payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        grid, nodes, lines = search(p["slots"], p["bank"], p["rows"], p["cols"])
        assert grid is not None, "generated puzzles always have a fill"
        if len(lines) > 120:
            lines = [*lines[:60], f"(... {len(lines) - 110} more search steps ...)", *lines[-50:]]
        answer = format_grid([[ch.upper() for ch in row] for row in grid])
        reasoning = "\n".join(
            [
                "Fill the slot with the fewest fitting bank words first; back up on a dead end.",
                *lines,
                f"All slots filled after trying {nodes} words.",
            ]
        )
        return Solution(answer=answer, reasoning=reasoning, stats={"effort": nodes})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        p = problem.payload
        grid = parse_grid(answer, p["rows"], p["cols"], _cell, compact=True)
        for r, row in enumerate(p["blocked"]):
            for c, blocked in enumerate(row):
                if blocked != (grid[r][c] == BLOCK):
                    kind = "blocked" if blocked else "open"
                    return 0.0, f"row {r + 1}, column {c + 1} should be {kind}"
        bank = set(p["bank"])
        seen: set[str] = set()
        for slot in p["slots"]:
            word = "".join(grid[r][c] for r, c in slot_cells(slot)).lower()
            if word not in bank:
                return 0.0, f"{slot['label']} reads {word.upper()}, not a bank word"
            if word in seen:
                return 0.0, f"{word.upper()} is used twice"
            seen.add(word)
        return 1.0, "every slot is a distinct bank word"
