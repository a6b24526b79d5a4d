"""Counting shortest paths: contract, networkx enumeration and brute-force DFS cross-checks,
an even spread of counts, near misses fail."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from generators.graphs.count_shortest_paths import CountShortestPaths
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = CountShortestPaths()
globals().update(contract_tests(TASK))


def brute_force_count(graph: nx.Graph, source: int, target: int) -> int:
    """Every simple path by depth-first search, keeping those of the least length."""
    best, found = None, 0
    for path in nx.all_simple_paths(graph, source, target):
        if best is None or len(path) < best:
            best, found = len(path), 1
        elif len(path) == best:
            found += 1
    return found


def test_networkx_enumeration_agrees():
    for problem in sweep(TASK):
        p = problem.payload
        paths = list(nx.all_shortest_paths(plain_graph(p), p["source"], p["target"]))
        assert len(paths) == int(problem.answer)
        assert len(paths[0]) >= 3  # the target is at least two edges away


def test_brute_force_agrees_on_small_levels():
    for level in (1, 2, 3):
        for index in range(6):
            problem = problem_at(TASK, level, index)
            p = problem.payload
            graph = plain_graph(p)
            assert brute_force_count(graph, p["source"], p["target"]) == int(problem.answer)


def test_counts_spread_evenly():
    counts = Counter(int(problem_at(TASK, 5, i).answer) for i in range(80))
    assert sorted(counts) == list(range(1, 9))
    assert max(counts.values()) <= 12


def test_near_misses_and_declared_guesses():
    for index in range(10):
        problem = problem_at(TASK, 7, index)
        value = int(problem.answer)
        assert score(TASK, problem, str(value + 1)) == 0.0
        assert score(TASK, problem, str(value - 1)) == 0.0
        guesses = TASK.trivial_answers(problem)
        distance = nx.shortest_path_length(
            plain_graph(problem.payload), problem.payload["source"], problem.payload["target"]
        )
        assert guesses["distance in edges"] == str(distance)


def test_number_formats():
    problem = problem_at(TASK, 4, 2)
    value = int(problem.answer)
    assert score(TASK, problem, f"{value}.") == 1.0
    assert refuses(TASK, problem, "many")
    assert refuses(TASK, problem, f"{value} or {value + 1}")
