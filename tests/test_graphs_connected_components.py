"""Connected components: contract, networkx and union-find cross-checks, spread of counts."""

from __future__ import annotations

import networkx as nx

from generators.graphs.connected_components import ConnectedComponents
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = ConnectedComponents()
globals().update(contract_tests(TASK))


def union_find_count(n: int, edges) -> int:
    parent = list(range(n))

    def root(v):
        while parent[v] != v:
            v = parent[v]
        return v

    for a, b in edges:
        parent[root(a)] = root(b)
    return len({root(v) for v in range(n)})


def test_networkx_and_union_find_agree():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload)
        count = int(problem.answer)
        assert nx.number_connected_components(graph) == count
        assert union_find_count(len(problem.payload["names"]), problem.payload["edges"]) == count


def test_counts_cover_the_range_evenly():
    counts = [int(problem_at(TASK, 5, i).answer) for i in range(90)]
    assert sorted(set(counts)) == list(range(1, 10))
    assert max(counts.count(c) for c in set(counts)) <= 12


def test_every_node_is_named_so_isolated_ones_count():
    for index in range(12):
        problem = problem_at(TASK, 3, index)
        assert all(name in problem.prompt for name in problem.payload["names"])


def test_wrong_counts_fail_and_formats():
    problem = problem_at(TASK, 6, 3)
    count = int(problem.answer)
    assert score(TASK, problem, str(count + 1)) == 0.0
    assert score(TASK, problem, f"{count}.") == 1.0
    assert refuses(TASK, problem, "several")
