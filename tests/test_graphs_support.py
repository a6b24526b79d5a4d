"""Helpers the graph-task tests share (no tests of its own)."""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from generators.base import AnswerFormatError, Task
from schemas.records import Problem
from tests.contract import problem_at

SWEEP = ((1, 4), (3, 3), (5, 3), (7, 3), (10, 4))
"""(level, problems) pairs the cross-checks visit: a few dozen problems across levels."""


def sweep(task: Task, plan: tuple[tuple[int, int], ...] = SWEEP) -> Iterator[Problem]:
    for level, count in plan:
        for index in range(count):
            yield problem_at(task, level, index)


def score(task: Task, problem: Problem, answer: str) -> float:
    return task.check_answer(problem, answer)[0]


def refuses(task: Task, problem: Problem, answer: str) -> bool:
    """Whether ``check_answer`` calls the answer malformed."""
    try:
        task.check_answer(problem, answer)
    except AnswerFormatError:
        return True
    return False


def weighted_graph(payload: dict, directed: bool = False) -> nx.Graph:
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(range(len(payload["names"])))
    graph.add_weighted_edges_from(payload["edges"])
    return graph


def plain_graph(payload: dict, directed: bool = False) -> nx.Graph:
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(range(len(payload["names"])))
    graph.add_edges_from(tuple(e[:2]) for e in payload["edges"])
    return graph


def named(problem: Problem, nodes, sep: str = ", ") -> str:
    return sep.join(problem.payload["names"][v] for v in nodes)
