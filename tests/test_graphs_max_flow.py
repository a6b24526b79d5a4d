"""Maximum flow: contract, min-cut and Edmonds-Karp cross-checks, lazy guesses fail."""

from __future__ import annotations

import networkx as nx
from networkx.algorithms.flow import edmonds_karp, shortest_augmenting_path

from generators.graphs.max_flow import MaxFlow
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep

TASK = MaxFlow()
globals().update(contract_tests(TASK))


def network(payload) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(payload["names"])))
    graph.add_weighted_edges_from(payload["edges"], weight="capacity")
    return graph


def test_min_cut_and_other_flow_algorithms_agree():
    for problem in sweep(TASK):
        graph, sink = network(problem.payload), len(problem.payload["names"]) - 1
        cut, (side, _) = nx.minimum_cut(graph, 0, sink, flow_func=shortest_augmenting_path)
        assert int(problem.answer) == cut
        crossing = sum(c for a, b, c in problem.payload["edges"] if a in side and b not in side)
        assert crossing == cut
        assert nx.maximum_flow_value(graph, 0, sink, flow_func=edmonds_karp) == cut
        assert nx.maximum_flow_value(graph, 0, sink) == cut  # preflow-push


def test_near_misses_and_end_capacities_fail():
    for problem in sweep(TASK):
        value = int(problem.answer)
        assert score(TASK, problem, str(value - 1)) == 0.0
        for guess in TASK.trivial_answers(problem).values():
            assert score(TASK, problem, guess) == 0.0


def test_source_and_sink_are_named_and_formats():
    problem = problem_at(TASK, 3, 0)
    names = problem.payload["names"]
    assert f"from {names[0]} to {names[-1]}" in problem.prompt
    assert score(TASK, problem, problem.answer + ".") == 1.0
    assert refuses(TASK, problem, "infinite")
