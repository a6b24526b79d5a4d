"""Minimum spanning tree: contract, Prim (networkx) cross-check, lazy sums fail."""

from __future__ import annotations

import networkx as nx

from generators.graphs.minimum_spanning_tree import MinimumSpanningTree
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep, weighted_graph

TASK = MinimumSpanningTree()
globals().update(contract_tests(TASK))


def test_prim_agrees():
    for problem in sweep(TASK):
        tree = nx.minimum_spanning_tree(weighted_graph(problem.payload), algorithm="prim")
        assert int(problem.answer) == tree.size(weight="weight")
        assert tree.number_of_edges() == len(problem.payload["names"]) - 1


def test_near_misses_and_lazy_sums_fail():
    for problem in sweep(TASK):
        value = int(problem.answer)
        assert score(TASK, problem, str(value + 1)) == 0.0
        for guess in TASK.trivial_answers(problem).values():
            assert score(TASK, problem, guess) == 0.0


def test_formats():
    problem = problem_at(TASK, 10, 0)
    value = int(problem.answer)
    assert score(TASK, problem, f"{value:,}") == 1.0
    assert refuses(TASK, problem, f"{value} units") and refuses(TASK, problem, "")
