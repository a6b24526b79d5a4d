"""Graph diameter: contract, networkx cross-checks, the drawn hop diameter, near misses fail."""

from __future__ import annotations

from collections import Counter
from random import Random

import networkx as nx

from generators.graphs.graph_diameter import GraphDiameter, _draw
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep, weighted_graph

TASK = GraphDiameter()
globals().update(contract_tests(TASK))


def is_weighted(problem) -> bool:
    return len(problem.payload["edges"][0]) == 3


def test_networkx_agrees_hop_and_weighted():
    for problem in sweep(TASK):
        p = problem.payload
        if is_weighted(problem):
            lengths = dict(nx.all_pairs_dijkstra_path_length(weighted_graph(p)))
            expected = max(max(row.values()) for row in lengths.values())
        else:
            expected = nx.diameter(plain_graph(p))
        assert nx.is_connected(plain_graph(p))
        assert int(problem.answer) == expected


def test_the_construction_keeps_the_drawn_hop_diameter():
    rng = Random(5)
    for n, hops, extra in [(6, 2, 3), (8, 4, 10), (12, 6, 40), (20, 9, 15), (24, 13, 30)]:
        for _ in range(5):
            graph = nx.Graph()
            graph.add_nodes_from(range(n))
            graph.add_edges_from(_draw(rng, n, hops, extra))
            assert nx.is_connected(graph) and nx.diameter(graph) == hops


def test_hop_diameters_spread_evenly_and_never_equal_nodes_minus_one():
    answers = [problem_at(TASK, 4, i) for i in range(60)]
    counts = Counter(int(p.answer) for p in answers)
    assert sorted(counts) == list(range(2, 8))
    assert max(counts.values()) <= 12
    assert all(int(p.answer) < len(p.payload["names"]) - 1 for p in answers)


def test_declared_guesses_and_near_misses_fail_on_weighted_levels():
    for index in range(8):
        problem = problem_at(TASK, 8, index)
        value = int(problem.answer)
        guesses = TASK.trivial_answers(problem)
        assert score(TASK, problem, guesses["hop diameter"]) == 0.0
        assert score(TASK, problem, str(value + 1)) == 0.0
        assert score(TASK, problem, str(value - 1)) == 0.0


def test_number_formats():
    problem = problem_at(TASK, 3, 1)
    value = int(problem.answer)
    for text in (f" {value}. ", f"'{value}'", f"{value}.0"):
        assert score(TASK, problem, text) == 1.0, text
    for text in ("", "far", f"{value}, {value + 1}", "1e3"):
        assert refuses(TASK, problem, text) or score(TASK, problem, text) == 0.0, text
