"""Minimum spanning tree: the least total weight of edges that keep every node connected.

Kruskal's algorithm, narrated, proves the weight. Instances where the n-1 lightest edges
already form a tree are redrawn, so that adding up the lightest edges without checking
for cycles (a declared guess) always fails.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import GenerationError, Instance, Solution
from generators.graphs import weighted_paths as wp
from generators.graphs.answers import score_number
from generators.graphs.names import node_names
from generators.graphs.render import describe
from generators.graphs.sampling import connected_edges
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose
from schemas.records import Problem

INTROS = (
    "The network below must be thinned out to save money.",
    "Here is a weighted, undirected graph.",
    "A planner wants to keep as little of this network as possible.",
)
QUESTIONS = (
    "Keep some of the {edge}s so that every {node} can still reach every other one. What "
    "is the smallest possible total {weight} of the {edge}s kept?",
    "What is the total {weight} of a minimum spanning tree of this network?",
    "Choose {edge}s that connect all {nodes} with the least total {weight}. What is that total?",
)
FORMAT = "Give the total {weight} as a single whole number."


def kruskal(
    names: list[str], edges: list[list[int]]
) -> tuple[int, list[list[int]], int, list[str]]:
    """(tree weight, tree edges, edges examined, trace lines)."""
    parent = list(range(len(names)))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    total, tree, examined, lines = 0, [], 0, []
    for a, b, w in sorted(edges, key=lambda e: (e[2], e[0], e[1])):
        if len(tree) == len(names) - 1:
            break
        examined += 1
        ra, rb = root(a), root(b)
        if ra == rb:
            lines.append(f"Skip {names[a]}-{names[b]} ({w}): it would close a cycle.")
            continue
        parent[ra] = rb
        total += w
        tree.append([a, b, w])
        lines.append(f"Take {names[a]}-{names[b]} ({w}); total {total}.")
    return total, tree, examined, bounded(lines)


def _lightest_sum(n: int, edges: list[list[int]]) -> int:
    return sum(sorted(w for _, _, w in edges)[: n - 1])


class MinimumSpanningTree(GraphTask[wp.WeightedPathConfig]):
    name: ClassVar[str] = "minimum_spanning_tree"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Minimum spanning tree: the least total weight of edges connecting all nodes of a "
        "weighted undirected graph described in words."
    )
    Config = wp.WeightedPathConfig
    LEVELS = wp.LEVELS

    def generate(self, config: wp.WeightedPathConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        for _ in range(MAX_ATTEMPTS):
            edges = [
                [a, b, rng.randint(1, config.max_weight)]
                for a, b in connected_edges(rng, n, config.edges)
            ]
            total = kruskal([""] * n, edges)[0]
            if total != _lightest_sum(n, edges):
                break
        else:
            raise GenerationError(f"{self.name}: every draw was a tree; raise 'edges'")
        theme = rng.choice(wp.THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {
            "node": theme.node,
            "nodes": theme.nodes,
            "edge": theme.edge,
            "weight": theme.weight,
        }
        body = describe(rng, theme, names, edges, weighted=True)
        prompt = compose(
            rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT.format(**words)
        )
        return Instance(prompt, str(total), {"names": names, "edges": edges, "weight": total})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        total, _, examined, lines = kruskal(names, problem.payload["edges"])
        reasoning = "\n".join(
            [
                "Kruskal's algorithm: go through the edges from lightest to heaviest and keep "
                f"each one that joins two separate groups, until {len(names) - 1} edges are kept.",
                *lines,
                f"The minimum spanning tree weighs {total}.",
            ]
        )
        return Solution(str(total), reasoning, {"effort": examined})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        n, edges = len(self.names(problem)), problem.payload["edges"]
        return {
            **super().trivial_answers(problem),
            "sum of the n-1 lightest edges": str(_lightest_sum(n, edges)),
            "sum of all edges": str(sum(w for _, _, w in edges)),
        }

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["weight"])
