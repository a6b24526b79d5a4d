"""Directed reachability: contract, networkx cross-check, 'no' targets linked undirected."""

from __future__ import annotations

import networkx as nx

from generators.graphs.reachability import Reachability
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = Reachability()
globals().update(contract_tests(TASK))


def test_networkx_agrees_and_direction_matters():
    for problem in sweep(TASK):
        p = problem.payload
        graph = plain_graph(p, directed=True)
        reachable = nx.has_path(graph, p["source"], p["target"])
        assert problem.answer == ("yes" if reachable else "no")
        assert nx.has_path(graph.to_undirected(), p["source"], p["target"])
        if reachable:
            assert nx.shortest_path_length(graph, p["source"], p["target"]) >= 2


def test_the_trace_path_is_real_and_labels_balance():
    answers = []
    for index in range(60):
        problem = problem_at(TASK, 4, index)
        answers.append(problem.answer)
        if problem.answer == "yes" and index < 10:
            trace = TASK.solve(problem).reasoning
            names = trace.rsplit(": ", 1)[1].rstrip(".").split(" -> ")
            index_of = {n: i for i, n in enumerate(problem.payload["names"])}
            edges = {tuple(e) for e in problem.payload["edges"]}
            assert all(
                (index_of[a], index_of[b]) in edges for a, b in zip(names, names[1:], strict=False)
            )
    assert abs(answers.count("yes") - 30) <= 3


def test_flips_and_malformed():
    problem = problem_at(TASK, 1, 0)
    other = "no" if problem.answer == "yes" else "yes"
    assert score(TASK, problem, other) == 0.0
    assert score(TASK, problem, f"**{problem.answer.capitalize()}**".strip("*")) == 1.0
    assert refuses(TASK, problem, "yes, via B")
