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

# Symbolic math tasks: module generators.math.<name>, class as given.
_MATH: dict[str, str] = {
    "antiderivative": "Antiderivative",
    "complex_arithmetic": "ComplexArithmetic",
    "crt": "Crt",
    "derivative": "Derivative",
    "gcd_lcm": "GcdLcm",
    "linear_equation": "LinearEquation",
    "limit": "Limit",
    "linear_system": "LinearSystem",
    "matrix_determinant": "MatrixDeterminant",
    "modular_inverse": "ModularInverse",
    "polynomial_factor": "PolynomialFactor",
    "polynomial_roots": "PolynomialRoots",
    "prime_factorization": "PrimeFactorization",
}
_TASKS.update({name: f"generators.math.{name}:{cls}" for name, cls in _MATH.items()})

# Graph reasoning tasks: module generators.graphs.<name>, class as given.
_GRAPHS: dict[str, str] = {
    "shortest_path": "ShortestPath",
    "shortest_path_length": "ShortestPathLength",
    "course_schedule": "CourseSchedule",
    "course_feasibility": "CourseFeasibility",
    "graph_coloring": "GraphColoring",
    "minimum_spanning_tree": "MinimumSpanningTree",
    "max_flow": "MaxFlow",
    "bipartite_matching": "BipartiteMatching",
    "connected_components": "ConnectedComponents",
    "largest_island": "LargestIsland",
    "euler_path": "EulerPath",
    "find_cycle": "FindCycle",
    "bipartite_check": "BipartiteCheck",
    "reachability": "Reachability",
    "graph_diameter": "GraphDiameter",
    "count_shortest_paths": "CountShortestPaths",
    "family_relationships": "FamilyRelationships",
}
_TASKS.update({name: f"generators.graphs.{name}:{cls}" for name, cls in _GRAPHS.items()})

_FAMILY_MEMBERS: dict[str, list[str]] = {
    "logic": ["knights_knaves", "nlsat"],
    "synlogic": sorted(_SYNLOGIC),
    "search": sorted(_SEARCH),
    "math": sorted(_MATH),
    "graphs": sorted(_GRAPHS),
}
_FAMILY_OF: dict[str, str] = {
    name: family for family, names in _FAMILY_MEMBERS.items() for name in names
}


class UnknownTaskError(KeyError):
    def __str__(self) -> str:
        return f"unknown task '{self.args[0]}'; known tasks: {', '.join(task_names())}"


def task_names() -> list[str]:
    return sorted(_TASKS)


def synlogic_task_names() -> list[str]:
    return sorted(_SYNLOGIC)


def family_names() -> list[str]:
    """The task families, in the order ``factory tasks`` lists them."""
    return list(_FAMILY_MEMBERS)


def task_family(name: str) -> str:
    """The family a task belongs to; plug-in tasks registered at run time are ``plugin``."""
    if name not in _TASKS:
        raise UnknownTaskError(name)
    return _FAMILY_OF.get(name, "plugin")


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
