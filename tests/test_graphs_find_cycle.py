"""Find a directed cycle: contract, every networkx cycle passes, broken loops fail."""

from __future__ import annotations

import itertools

import networkx as nx

from generators.graphs.find_cycle import FindCycle
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import named, plain_graph, refuses, score, sweep

TASK = FindCycle()
globals().update(contract_tests(TASK))


def test_every_simple_cycle_passes_and_the_answer_is_one():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload, directed=True)
        cycles = list(itertools.islice(nx.simple_cycles(graph), 20))
        assert cycles and min(len(c) for c in cycles) >= 3
        for cycle in cycles:
            assert score(TASK, problem, named(problem, cycle)) == 1.0
            rotated = cycle[1:] + cycle[:1] + cycle[1:2]  # another start, closed
            assert score(TASK, problem, named(problem, rotated, " -> ")) == 1.0
        answer = [problem.payload["names"].index(x) for x in problem.answer.split(", ")]
        assert nx.is_simple_path(graph, answer) and graph.has_edge(answer[-1], answer[0])


def test_reversed_and_partial_cycles_fail():
    problem = problem_at(TASK, 4, 0)
    cycle = problem.answer.split(", ")
    assert score(TASK, problem, ", ".join(reversed(cycle))) == 0.0
    assert score(TASK, problem, ", ".join(cycle[:-1])) == 0.0
    assert "repeated" in TASK.check_answer(problem, ", ".join([*cycle, *cycle]))[1]
    assert "at least two" in TASK.check_answer(problem, cycle[0])[1]
    assert refuses(TASK, problem, "Q99, Q98")
