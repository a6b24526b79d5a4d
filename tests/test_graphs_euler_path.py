"""Euler trail: contract, networkx trails pass, reversed trails pass, broken walks fail."""

from __future__ import annotations

import networkx as nx

from generators.graphs.euler_path import EulerPath
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import named, plain_graph, refuses, score, sweep

TASK = EulerPath()
globals().update(contract_tests(TASK))


def test_networkx_confirms_and_its_trails_pass():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload)
        graph.remove_nodes_from([v for v in list(graph) if graph.degree(v) == 0])
        assert nx.has_eulerian_path(graph)
        trail = [u for u, _ in nx.eulerian_path(graph)] + [list(nx.eulerian_path(graph))[-1][1]]
        assert score(TASK, problem, named(problem, trail)) == 1.0
        reference = problem.answer.split(", ")
        assert score(TASK, problem, ", ".join(reversed(reference))) == 1.0


def test_broken_walks_fail():
    problem = problem_at(TASK, 5, 0)
    walk = problem.answer.split(", ")
    assert "never used" in TASK.check_answer(problem, ", ".join(walk[:-1]))[1]
    assert "twice" in TASK.check_answer(problem, ", ".join([*walk, walk[-2]]))[1]
    assert score(TASK, problem, ", ".join(walk[1:] + walk[:1])) == 0.0  # rotated
    names = problem.payload["names"]
    edges = {tuple(e) for e in problem.payload["edges"]}
    a, b = next(
        (x, y) for x in range(len(names)) for y in range(x + 1, len(names)) if (x, y) not in edges
    )
    assert "does not exist" in TASK.check_answer(problem, f"{names[a]}, {names[b]}")[1]
    assert refuses(TASK, problem, ", ".join(walk * 30))  # longer than any trail


def test_formats():
    problem = problem_at(TASK, 2, 1)
    assert score(TASK, problem, problem.answer.replace(", ", " -> ")) == 1.0
