"""Bipartite matching: contract, networkx size cross-check, every maximum matching passes."""

from __future__ import annotations

import itertools

import networkx as nx

from generators.graphs.bipartite_matching import BipartiteMatching
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep

TASK = BipartiteMatching()
globals().update(contract_tests(TASK))


def graph_of(problem) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(problem.payload["names"])))
    graph.add_edges_from(map(tuple, problem.payload["links"]))
    return graph


def text(problem, pairs) -> str:
    names = problem.payload["names"]
    return ", ".join(f"{names[a]}-{names[b]}" for a, b in pairs)


def test_networkx_max_weight_matching_agrees_and_passes():
    for problem in sweep(TASK):
        graph, w = graph_of(problem), problem.payload["workers"]
        found = nx.max_weight_matching(graph, maxcardinality=True)
        assert len(found) == problem.payload["size"] == len(problem.answer.split(", "))
        oriented = [(a, b) if a < w else (b, a) for a, b in found]
        assert score(TASK, problem, text(problem, oriented)) == 1.0
        flipped = [(b, a) for a, b in oriented]  # Job-Person order is accepted too
        assert score(TASK, problem, text(problem, flipped)) == 1.0


def test_brute_force_every_matching_scores_by_its_size():
    problem = problem_at(TASK, 1, 0)
    links = [tuple(link) for link in problem.payload["links"]]
    best = problem.payload["size"]
    for size in range(1, best + 1):
        for pairs in itertools.combinations(links, size):
            ends = [v for pair in pairs for v in pair]
            if len(set(ends)) == len(ends):
                assert score(TASK, problem, text(problem, pairs)) == float(size == best)


def test_invalid_matchings_fail():
    problem = problem_at(TASK, 5, 1)
    p, w = problem.payload, problem.payload["workers"]
    pairs = problem.answer.split(", ")
    assert score(TASK, problem, ", ".join(pairs[:-1])) == 0.0  # too small
    assert "twice" in TASK.check_answer(problem, ", ".join([*pairs, pairs[0]]))[1]
    links = {tuple(link) for link in p["links"]}
    bad = next((a, b) for a in range(w) for b in range(w, len(p["names"])) if (a, b) not in links)
    assert "not a qualified" in TASK.check_answer(problem, text(problem, [bad]))[1]
    assert refuses(TASK, problem, p["names"][0])  # not pairs
    assert score(TASK, problem, TASK.trivial_answers(problem)["greedy alphabetical"]) == 0.0
