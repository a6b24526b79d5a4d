"""Weighted shortest path: name a cheapest route between two nodes.

Any cheapest route passes: the verifier checks that the answer starts and ends at the
right nodes, follows existing edges, and that its total weight equals the distance
Dijkstra proves. Weights are positive, so such a walk never repeats a node.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import Instance, Solution
from generators.graphs import weighted_paths as wp
from generators.graphs.answers import node_sequence
from generators.graphs.sampling import weighted_adjacency
from generators.graphs.task import GraphTask, join_names
from schemas.records import Problem

FORMAT = (
    "Give the route as the names of the {nodes} it visits, in order from {s} to {t}, "
    "separated by commas."
)


class ShortestPath(GraphTask[wp.WeightedPathConfig]):
    name: ClassVar[str] = "shortest_path"
    version: ClassVar[str] = "1.3.0"
    description: ClassVar[str] = (
        "Weighted shortest path: give a route of least total weight between two nodes of an "
        "undirected graph described in words; any cheapest route passes."
    )
    Config = wp.WeightedPathConfig
    LEVELS = wp.LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: wp.WeightedPathConfig, rng: Random, index: int) -> Instance:
        prompt, names, payload, path = wp.instance_prompt(rng, config, FORMAT)
        return Instance(prompt, join_names(names, path), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        path, relaxed, lines = wp.narrate(names, p)
        reasoning = "\n".join(
            [
                f"Run Dijkstra's algorithm from {names[p['source']]}, settling the closest "
                f"unsettled node each time, until {names[p['target']]} is settled.",
                *lines,
                f"The distance is {p['distance']}; following the parents back gives the route.",
            ]
        )
        return Solution(join_names(names, path), reasoning, {"effort": relaxed})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        names, p = self.names(problem), problem.payload
        direct = f"{names[p['source']]}, {names[p['target']]}"
        return {**super().trivial_answers(problem), "straight from source to target": direct}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names, p = self.names(problem), problem.payload
        path = node_sequence(answer, names, len(names) + 1)
        if path[0] != p["source"] or path[-1] != p["target"]:
            return 0.0, f"the route must go from {names[p['source']]} to {names[p['target']]}"
        weight = wp.path_weight(weighted_adjacency(len(names), p["edges"]), path)
        if weight is None:
            return 0.0, "the route uses a connection that does not exist"
        if weight != p["distance"]:
            return 0.0, f"the route has total weight {weight}, the shortest has {p['distance']}"
        return 1.0, "a shortest route"
