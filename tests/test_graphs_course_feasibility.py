"""Course feasibility: contract, networkx cycle check, balanced labels, named cycles."""

from __future__ import annotations

import networkx as nx

from generators.graphs.course_feasibility import CourseFeasibility
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = CourseFeasibility()
globals().update(contract_tests(TASK))


def test_networkx_agrees_and_cycles_are_long():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload, directed=True)
        acyclic = nx.is_directed_acyclic_graph(graph)
        assert problem.answer == ("yes" if acyclic else "no")
        if not acyclic:
            assert min(len(c) for c in nx.simple_cycles(graph)) >= 3


def test_labels_are_balanced_at_every_level_of_a_round_robin_build():
    for position in range(3):
        answers = [problem_at(TASK, 1 + 4 * position, i).answer for i in range(position, 300, 3)]
        assert abs(answers.count("yes") - 50) <= 3


def test_the_trace_names_a_real_cycle():
    for index in range(6):
        problem = problem_at(TASK, 5, index)
        if problem.answer == "no":
            trace = TASK.solve(problem).reasoning
            chain = trace.split("the cycle ")[1].split(":")[0].split(" -> ")
            names = problem.payload["names"]
            links = {(names[a], names[b]) for a, b in problem.payload["edges"]}
            assert chain[0] == chain[-1] and len(chain) >= 4
            assert all(pair in links for pair in zip(chain, chain[1:], strict=False))


def test_flipped_and_malformed_answers():
    problem = problem_at(TASK, 3, 0)
    other = "no" if problem.answer == "yes" else "yes"
    assert score(TASK, problem, other) == 0.0
    assert score(TASK, problem, problem.answer.upper() + ".") == 1.0
    assert refuses(TASK, problem, "maybe")
    assert refuses(TASK, problem, "yes no")
