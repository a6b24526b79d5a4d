"""Course schedule: contract, every topological order passes, broken orders fail."""

from __future__ import annotations

import itertools

import networkx as nx

from generators.graphs.course_schedule import CourseSchedule
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import named, plain_graph, refuses, score, sweep

TASK = CourseSchedule()
globals().update(contract_tests(TASK))


def test_the_catalogue_is_acyclic_and_the_answer_topological():
    for problem in sweep(TASK):
        graph = plain_graph(problem.payload, directed=True)
        assert nx.is_directed_acyclic_graph(graph)
        order = [problem.payload["names"].index(c) for c in problem.answer.split(", ")]
        position = {c: i for i, c in enumerate(order)}
        assert all(position[a] < position[b] for a, b in graph.edges)


def test_other_topological_orders_pass_and_permutations_that_break_a_link_fail():
    problem = problem_at(TASK, 2, 0)
    graph = plain_graph(problem.payload, directed=True)
    valid = {tuple(o) for o in itertools.islice(nx.all_topological_sorts(graph), 30)}
    assert len(valid) > 1
    for order in valid:
        assert score(TASK, problem, named(problem, order)) == 1.0
    n = len(problem.payload["names"])
    tried = 0
    for order in itertools.islice(itertools.permutations(range(n)), 2000):
        if order not in valid and not _respects(graph, order):
            assert score(TASK, problem, named(problem, order)) == 0.0
            tried += 1
    assert tried > 100


def _respects(graph, order) -> bool:
    position = {c: i for i, c in enumerate(order)}
    return all(position[a] < position[b] for a, b in graph.edges)


def test_missing_repeated_and_unknown_courses():
    problem = problem_at(TASK, 4, 1)
    names = problem.answer.split(", ")
    assert "never taken" in TASK.check_answer(problem, ", ".join(names[:-1]))[1]
    assert "twice" in TASK.check_answer(problem, ", ".join([*names, names[0]]))[1]
    assert refuses(TASK, problem, problem.answer + ", CS999X")
    assert score(TASK, problem, "\n".join(names)) == 1.0
    assert score(TASK, problem, " -> ".join(n.lower() for n in names)) == 1.0


def test_lazy_orders_rarely_pass():
    wins = 0
    problems = [problem_at(TASK, 1, i) for i in range(60)]
    for problem in problems:
        wins += sum(score(TASK, problem, guess) for guess in TASK.trivial_answers(problem).values())
    assert wins <= 6
