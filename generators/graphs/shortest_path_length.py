"""Weighted shortest path length: the least total weight between two nodes.

The cheapest route always has more edges than the fewest-edge route (see
:mod:`.weighted_paths`), so the weight of a fewest-hop route is a declared guess that
never wins.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import Instance, Solution
from generators.graphs import weighted_paths as wp
from generators.graphs.answers import score_number
from generators.graphs.sampling import weighted_adjacency
from generators.graphs.task import GraphTask, join_names
from schemas.records import Problem

FORMAT = "Give the total {weight} of the shortest route as a single whole number."


class ShortestPathLength(GraphTask[wp.WeightedPathConfig]):
    name: ClassVar[str] = "shortest_path_length"
    version: ClassVar[str] = "1.3.0"
    description: ClassVar[str] = (
        "Weighted shortest path length: the least total weight of a route between two nodes "
        "of an undirected graph described in words."
    )
    Config = wp.WeightedPathConfig
    LEVELS = wp.LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: wp.WeightedPathConfig, rng: Random, index: int) -> Instance:
        prompt, _, payload, _ = wp.instance_prompt(rng, config, FORMAT)
        return Instance(prompt, str(payload["distance"]), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        path, relaxed, lines = wp.narrate(names, p)
        reasoning = "\n".join(
            [
                f"Run Dijkstra's algorithm from {names[p['source']]} until "
                f"{names[p['target']]} is settled.",
                *lines,
                f"A cheapest route is {join_names(names, path, ' -> ')}, of total {p['distance']}.",
            ]
        )
        return Solution(str(p["distance"]), reasoning, {"effort": relaxed})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        adj = weighted_adjacency(len(self.names(problem)), p["edges"])
        hops, weight = wp.fewest_hops_weight(adj, p["source"], p["target"])
        return {
            **super().trivial_answers(problem),
            "weight of a fewest-hop route": str(weight),
            "number of hops": str(hops),
        }

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["distance"])
