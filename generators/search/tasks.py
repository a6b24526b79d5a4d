"""The registered search-trace tasks: base task + environment + combined config."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from generators.knights_knaves.config import LEVELS as KK_LEVELS
from generators.knights_knaves.config import KnightsKnavesConfig
from generators.nlsat.config import LEVELS as NLSAT_LEVELS
from generators.nlsat.config import NLSatConfig
from generators.search.countdown import Countdown
from generators.search.knights_knaves import KnightsKnaves
from generators.search.nlsat import NLSat
from generators.search.sudoku import Sudoku
from generators.search.task import SearchKnobs, SearchTask
from generators.synlogic.game_of_24.config import LEVELS as COUNTDOWN_LEVELS
from generators.synlogic.game_of_24.config import GameOf24Config
from generators.synlogic.sudoku.config import LEVELS as SUDOKU_LEVELS
from generators.synlogic.sudoku.config import SudokuConfig


class SearchCountdownConfig(SearchKnobs, GameOf24Config):
    paper_format: ClassVar[bool] = True


class SearchKnightsKnavesConfig(SearchKnobs, KnightsKnavesConfig):
    pass


class SearchSudokuConfig(SearchKnobs, SudokuConfig):
    pass


class SearchNLSatConfig(SearchKnobs, NLSatConfig):
    question: Literal["assignment"] = "assignment"


def _without(levels: dict[int, dict[str, Any]], knob: str) -> dict[int, dict[str, Any]]:
    return {level: {k: v for k, v in knobs.items() if k != knob} for level, knobs in levels.items()}


class SearchCountdown(SearchTask):
    name: ClassVar[str] = "search_countdown"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Countdown / game of 24 solved by MCTS (or DFS/BFS), traced with its dead ends"
    )
    base_task: ClassVar[str] = "game_of_24"
    Config = SearchCountdownConfig
    LEVELS = COUNTDOWN_LEVELS
    environment_class = Countdown


class SearchKnightsKnaves(SearchTask):
    name: ClassVar[str] = "search_knights_knaves"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Knights & Knaves solved by assigning roles with search"
    base_task: ClassVar[str] = "knights_knaves"
    Config = SearchKnightsKnavesConfig
    LEVELS = KK_LEVELS
    environment_class = KnightsKnaves


class SearchSudoku(SearchTask):
    name: ClassVar[str] = "search_sudoku"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Sudoku solved by filling cells with search"
    base_task: ClassVar[str] = "sudoku"
    Config = SearchSudokuConfig
    LEVELS = SUDOKU_LEVELS
    environment_class = Sudoku
    environment_options = {"most_constrained": True}


class SearchNLSat(SearchTask):
    name: ClassVar[str] = "search_nlsat"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Natural-language SAT (assignment) solved by deciding statements"
    base_task: ClassVar[str] = "nlsat"
    Config = SearchNLSatConfig
    LEVELS = _without(NLSAT_LEVELS, "question")
    environment_class = NLSat
