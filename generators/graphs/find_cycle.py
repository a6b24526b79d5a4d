"""Find a directed cycle: name nodes that lead round in a circle along one-way edges.

The graph is a DAG plus ``back_edges`` edges, each from a node back to one of its
indirect ancestors, so every cycle has at least three nodes. Any directed cycle passes.
The reference trace is a depth-first search that stops at the first edge back into the
current path.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import node_sequence
from generators.graphs.names import node_names
from generators.graphs.render import CABLES, LINKS, ROADS, describe
from generators.graphs.sampling import adjacency, dag_edges, indirect_pairs
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose, join_names
from schemas.records import Problem

THEMES = (ROADS, LINKS, CABLES)


class CycleConfig(TaskConfig):
    nodes: int = Field(default=10, ge=3, le=40, description="nodes in the graph")
    edges: int = Field(default=14, ge=3, le=150, description="directed edges in all")
    back_edges: int = Field(default=1, ge=1, le=5, description="edges that close a cycle")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 5, "edges": 6, "back_edges": 1},
    2: {"nodes": 6, "edges": 8, "back_edges": 1},
    3: {"nodes": 7, "edges": 10, "back_edges": 1},
    4: {"nodes": 9, "edges": 13, "back_edges": 1},
    5: {"nodes": 11, "edges": 16, "back_edges": 1},
    6: {"nodes": 13, "edges": 19, "back_edges": 1},
    7: {"nodes": 15, "edges": 23, "back_edges": 2},
    8: {"nodes": 17, "edges": 27, "back_edges": 2},
    9: {"nodes": 19, "edges": 31, "back_edges": 2},
    10: {"nodes": 22, "edges": 36, "back_edges": 2},
}

INTROS = (
    "The one-way network below contains at least one loop.",
    "Here is a directed graph.",
    "A dispatcher suspects that traffic in this one-way network can go round in circles.",
)
QUESTIONS = (
    "Find a cycle: distinct {nodes} such that each has a one-way {edge} to the next, and "
    "the last has one back to the first.",
    "Give a directed cycle of this graph.",
    "Starting from some {node}, follow one-way {edge}s and come back to it without "
    "visiting any {node} twice. Which {nodes} does such a loop pass through?",
)
FORMAT = (
    "List the {nodes} of the cycle in travel order, separated by commas, starting anywhere "
    "on it and without repeating the first one at the end. Any directed cycle is accepted."
)


def dfs_cycle(names: list[str], edges: list[list[int]]) -> tuple[list[int], int, list[str]]:
    """(a directed cycle, edges scanned, trace lines); roots and neighbours in name order."""
    n = len(names)
    adj = adjacency(n, edges, directed=True)
    for row in adj:
        row.sort(key=names.__getitem__)
    state = [0] * n  # 0 new, 1 on the current path, 2 finished
    scanned, lines = 0, []
    for root in sorted(range(n), key=names.__getitem__):
        if state[root]:
            continue
        path, cursor = [root], [0]
        state[root] = 1
        lines.append(f"Start at {names[root]}.")
        while path:
            u = path[-1]
            if cursor[-1] == len(adj[u]):
                state[u] = 2
                path.pop()
                cursor.pop()
                lines.append(f"{names[u]} leads to no cycle; back up.")
                continue
            v = adj[u][cursor[-1]]
            cursor[-1] += 1
            scanned += 1
            if state[v] == 1:
                cycle = path[path.index(v) :]
                lines.append(f"{names[u]} -> {names[v]} returns to the current path: a cycle.")
                return cycle, scanned, bounded(lines)
            if state[v] == 0:
                state[v] = 1
                path.append(v)
                cursor.append(0)
                lines.append(f"{names[u]} -> {names[v]}.")
    raise ValueError("the graph has no cycle")


class FindCycle(GraphTask[CycleConfig]):
    name: ClassVar[str] = "find_cycle"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Find a directed cycle: name nodes that lead round in a loop along one-way edges of a "
        "directed graph; any directed cycle passes."
    )
    Config = CycleConfig
    LEVELS = LEVELS

    def generate(self, config: CycleConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        order = list(range(n))
        for _ in range(MAX_ATTEMPTS):
            rng.shuffle(order)
            dag = dag_edges(rng, order, max(config.edges - config.back_edges, n - 1))
            pairs = indirect_pairs(n, dag)
            if pairs:
                break
        else:
            raise self.give_up("edges")
        back = rng.sample(pairs, min(config.back_edges, len(pairs)))
        edges = sorted([list(e) for e in dag] + [[b, a] for a, b in back])
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {"node": theme.node, "nodes": theme.nodes, "edge": theme.edge}
        body = describe(rng, theme, names, edges, directed=True)
        prompt = compose(
            rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT.format(**words)
        )
        cycle, _, _ = dfs_cycle(names, edges)
        return Instance(prompt, join_names(names, cycle), {"names": names, "edges": edges})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        cycle, scanned, lines = dfs_cycle(names, problem.payload["edges"])
        reasoning = "\n".join(
            [
                "Depth-first search, keeping the current path: an edge into a node on the "
                "path closes a cycle.",
                *lines,
                f"The cycle is {join_names(names, [*cycle, cycle[0]], ' -> ')}.",
            ]
        )
        return Solution(join_names(names, cycle), reasoning, {"effort": scanned + len(names)})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names = self.names(problem)
        cycle = node_sequence(answer, names, len(names) + 1)
        if len(cycle) > 1 and cycle[0] == cycle[-1]:
            cycle = cycle[:-1]  # the first node repeated at the end
        if len(cycle) < 2:
            return 0.0, "a cycle needs at least two nodes"
        if len(set(cycle)) < len(cycle):
            return 0.0, "a node is repeated inside the cycle"
        edges = {(a, b) for a, b in problem.payload["edges"]}
        for u, v in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            if (u, v) not in edges:
                return 0.0, f"there is no one-way connection from {names[u]} to {names[v]}"
        return 1.0, "a directed cycle"
