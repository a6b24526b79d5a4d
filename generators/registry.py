"""Task registry: name → task class, imported on first use."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from generators.base import Task

_TASKS: dict[str, str] = {
    "knights_knaves": "generators.knights_knaves:KnightsKnaves",
    "nlsat": "generators.nlsat:NLSat",
}

# SynLogic tasks: module generators.synlogic.<name>, class as given.
_SYNLOGIC: dict[str, str] = {
    "arc_agi": "ArcAgi",
    "arrow_maze": "ArrowMaze",
    "boolean_expressions": "BooleanExpressions",
    "buggy_tables": "BuggyTables",
    "calcudoko": "Calcudoko",
    "campsite": "Campsite",
    "cipher": "Cipher",
    "cryptarithm": "Cryptarithm",
    "dyck_language": "DyckLanguage",
    "dyck_language_errors": "DyckLanguageErrors",
    "dyck_language_reasoning_errors": "DyckLanguageReasoningErrors",
    "futoshiki": "Futoshiki",
    "game_of_24": "GameOf24",
    "goods_exchange": "GoodsExchange",
    "kukurasu": "Kukurasu",
    "math_path": "MathPath",
    "minesweeper": "Minesweeper",
    "norinori": "Norinori",
    "number_wall": "NumberWall",
    "numbrix": "Numbrix",
    "object_counting": "ObjectCounting",
    "object_properties": "ObjectProperties",
    "operation": "Operation",
    "skyscraper_puzzle": "SkyscraperPuzzle",
    "space_reasoning": "SpaceReasoning",
    "space_reasoning_tree": "SpaceReasoningTree",
    "star_placement_puzzle": "StarPlacementPuzzle",
    "sudoku": "Sudoku",
    "survo": "Survo",
    "time_sequence": "TimeSequence",
    "web_of_lies": "WebOfLies",
    "word_sorting": "WordSorting",
    "word_sorting_mistake": "WordSortingMistake",
    "wordscapes": "Wordscapes",
    "zebra_puzzle": "ZebraPuzzle",
}
_TASKS.update({name: f"generators.synlogic.{name}:{cls}" for name, cls in _SYNLOGIC.items()})

# Search-trace tasks: a base task's problems, solved and traced by search.
_SEARCH: dict[str, str] = {
    "search_countdown": "SearchCountdown",
    "search_knights_knaves": "SearchKnightsKnaves",
    "search_nlsat": "SearchNLSat",
    "search_sudoku": "SearchSudoku",
}
_TASKS.update({name: f"generators.search.tasks:{cls}" for name, cls in _SEARCH.items()})


class UnknownTaskError(KeyError):
    def __str__(self) -> str:
        return f"unknown task '{self.args[0]}'; known tasks: {', '.join(task_names())}"


def task_names() -> list[str]:
    return sorted(_TASKS)


def synlogic_task_names() -> list[str]:
    return sorted(_SYNLOGIC)


def register(name: str, target: str) -> None:
    """Register ``module:Class`` under ``name`` (for plug-in tasks and tests)."""
    _TASKS[name] = target
    get_task.cache_clear()


@cache
def get_task(name: str) -> Task:
    if name not in _TASKS:
        raise UnknownTaskError(name)
    module, cls = _TASKS[name].split(":")
    return getattr(import_module(module), cls)()
