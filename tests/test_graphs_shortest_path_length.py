"""Weighted shortest path length: contract, Bellman-Ford cross-check, near misses fail."""

from __future__ import annotations

import networkx as nx

from generators.graphs.shortest_path_length import ShortestPathLength
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep, weighted_graph

TASK = ShortestPathLength()
globals().update(contract_tests(TASK))


def test_bellman_ford_agrees():
    for problem in sweep(TASK):
        p = problem.payload
        graph = weighted_graph(p)
        assert int(problem.answer) == nx.bellman_ford_path_length(graph, p["source"], p["target"])


def test_off_by_one_and_hop_counting_fail():
    for problem in sweep(TASK):
        value = int(problem.answer)
        assert score(TASK, problem, str(value + 1)) == 0.0
        assert score(TASK, problem, str(value - 1)) == 0.0
        guesses = TASK.trivial_answers(problem)
        assert score(TASK, problem, guesses["weight of a fewest-hop route"]) == 0.0


def test_number_formats():
    problem = problem_at(TASK, 2, 0)
    value = int(problem.answer)
    for text in (f" {value}. ", f"{value}.0", f"'{value}'"):
        assert score(TASK, problem, text) == 1.0, text
    for text in ("", "about 7", f"{value} or {value + 1}", f"{value}/2", "1e3"):
        assert refuses(TASK, problem, text) or score(TASK, problem, text) == 0.0, text
