"""Bipartiteness: contract, networkx cross-check, long odd cycles, balanced labels."""

from __future__ import annotations

import networkx as nx

from generators.graphs.bipartite_check import BipartiteCheck
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = BipartiteCheck()
globals().update(contract_tests(TASK))


def test_networkx_agrees_and_graphs_are_connected():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload)
        assert nx.is_connected(graph)
        assert problem.answer == ("yes" if nx.is_bipartite(graph) else "no")


def test_odd_cycles_are_not_triangles_on_larger_graphs():
    for index in range(20):
        problem = problem_at(TASK, 8, index)
        if problem.answer == "no":
            cycle = nx.find_cycle(plain_graph(problem.payload))  # any cycle, check odd girth
            assert cycle
            trace = TASK.solve(problem).reasoning
            size = int(trace.split("(")[-1].split(" nodes")[0])
            assert size % 2 == 1 and size >= 5


def test_labels_balance_and_flips_fail():
    answers = [problem_at(TASK, 2, i).answer for i in range(100)]
    assert abs(answers.count("yes") - 50) <= 3
    problem = problem_at(TASK, 2, 0)
    other = "no" if problem.answer == "yes" else "yes"
    assert score(TASK, problem, other) == 0.0
    assert refuses(TASK, problem, "bipartite")
