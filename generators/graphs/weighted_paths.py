"""Weighted shortest paths: the instance sampler and a narrated Dijkstra.

An instance is a connected graph with positive integer weights, a source and a target
whose cheapest route has more edges than the fewest-edge route: a policy that counts
hops instead of adding weights always fails.
"""

from __future__ import annotations

import heapq
from random import Random
from typing import Any

from pydantic import Field

from generators.base import GenerationError, TaskConfig
from generators.graphs.fastrand import pick, shuffle
from generators.graphs.names import node_names
from generators.graphs.render import CABLES, ROADS, TRACKS, describe
from generators.graphs.sampling import connected_edges, hop_distances, weighted_adjacency
from generators.graphs.task import MAX_ATTEMPTS, bounded, compose

Adjacency = list[list[tuple[int, int]]]


def dijkstra(
    adj: Adjacency, source: int, target: int, names: list[str] | None = None
) -> tuple[list[int], list[int], int, list[str]]:
    """(distances, a cheapest path, edges relaxed, trace lines), stopping once ``target``
    is settled. Ties are broken by fewer edges, then by node index, so the path is
    deterministic. The trace is only written when ``names`` are given."""
    n = len(adj)
    inf = float("inf")
    dist: list[Any] = [inf] * n
    hops = [0] * n
    parent = [-1] * n
    dist[source] = 0
    heap = [(0, 0, source)]
    done = [False] * n
    relaxed, lines = 0, []
    while heap:
        d, h, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        if u == target:
            break
        improved = []
        for v, w in adj[u]:
            if done[v]:
                continue
            relaxed += 1
            if (d + w, h + 1) < (dist[v], hops[v]):
                dist[v], hops[v], parent[v] = d + w, h + 1, u
                heapq.heappush(heap, (d + w, h + 1, v))
                improved.append(v)
        if names is not None:
            news = ", ".join(f"{names[v]} = {dist[v]}" for v in improved) or "no improvement"
            lines.append(f"Settle {names[u]} at distance {d}; update: {news}.")
    path = [target]
    while path[-1] != source:
        path.append(parent[path[-1]])
    return dist, path[::-1], relaxed, lines


def path_weight(adj: Adjacency, path: list[int]) -> int | None:
    """Total weight of a walk, or None when two consecutive nodes are not joined."""
    total = 0
    for a, b in zip(path, path[1:], strict=False):
        for v, w in adj[a]:
            if v == b:
                total += w
                break
        else:
            return None
    return total


def fewest_hops_weight(adj: Adjacency, source: int, target: int) -> tuple[int, int]:
    """(hop count, least weight among the fewest-hop routes) from source to target: what a
    policy that counts edges instead of adding weights would answer."""
    hop = hop_distances([[v for v, _ in row] for row in adj], source)
    best = [0] * len(adj)
    for v in sorted(range(len(adj)), key=hop.__getitem__):
        if hop[v] > 0:
            best[v] = min(best[u] + w for u, w in adj[v] if hop[u] == hop[v] - 1)
    return hop[target], best[target]


def _settle_all(adj: Adjacency, source: int) -> tuple[list[int], list[int], list[int]]:
    """(distance, edges on the fewest-edge cheapest route, parent) of every node: Dijkstra
    ordered by (distance, edges) with the tie-breaks of :func:`dijkstra`, run to the end."""
    n = len(adj)
    dist, hops, parent = [1 << 60] * n, [0] * n, [-1] * n
    dist[source] = 0
    heap, done = [(0, 0, source)], [False] * n
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, h, u = pop(heap)
        if done[u]:
            continue
        done[u] = True
        for v, w in adj[u]:
            if not done[v] and (d + w < dist[v] or (d + w == dist[v] and h + 1 < hops[v])):
                dist[v], hops[v], parent[v] = d + w, h + 1, u
                push(heap, (d + w, h + 1, v))
    return dist, hops, parent


def sample(rng: Random, n: int, m: int, max_weight: int) -> tuple[dict[str, Any], list[int]] | None:
    """(a payload (edges, source, target, distance), Dijkstra's path) or None after too many
    draws. Each graph is searched from its nodes in random order for targets whose every cheapest
    route has more edges than the fewest-edge route."""
    rand = rng.random
    for attempt in range(MAX_ATTEMPTS):
        if attempt % 3 == 0:  # a new structure every third draw, new weights in between
            pairs = connected_edges(rng, n, m)
            plain = [[] for _ in range(n)]
            for a, b in pairs:
                plain[a].append(b)
                plain[b].append(a)
            sources = list(range(n))
            hops_from: dict[int, list[int]] = {}
        edges = [[a, b, 1 + int(rand() * max_weight)] for a, b in pairs]
        adj = weighted_adjacency(n, edges)
        shuffle(rng, sources)
        for i, source in enumerate(sources):
            hop = hops_from.get(source) or hops_from.setdefault(
                source, hop_distances(plain, source)
            )
            # (s, t) qualifies exactly when (t, s) does, so the sources already searched
            # are no targets: only the later ones two or more edges away are in question
            wanted = [t for t in sources[i + 1 :] if hop[t] >= 2]
            if not wanted:
                continue
            dist, hops, parent = _settle_all(adj, source)
            targets = sorted([t for t in wanted if hops[t] > hop[t]])
            if targets:
                target = pick(rng, targets)
                path = [target]
                while path[-1] != source:
                    path.append(parent[path[-1]])
                payload = {"edges": edges, "source": source, "target": target}
                return {**payload, "distance": dist[target]}, path[::-1]
    return None


def narrate(names: list[str], payload: dict[str, Any]) -> tuple[list[int], int, list[str]]:
    """(a cheapest path, edges relaxed, trace lines) of Dijkstra on a payload."""
    adj = weighted_adjacency(len(names), payload["edges"])
    source, target = payload["source"], payload["target"]
    _, path, relaxed, lines = dijkstra(adj, source, target, names)
    return path, relaxed, bounded(lines)


class WeightedPathConfig(TaskConfig):
    nodes: int = Field(default=10, ge=4, le=40, description="nodes in the graph")
    edges: int = Field(
        default=15, ge=3, le=150, description="edges (at least nodes - 1: the graph is connected)"
    )
    max_weight: int = Field(default=20, ge=2, le=99, description="edge weights are 1..max_weight")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 5, "edges": 6, "max_weight": 40},
    2: {"nodes": 6, "edges": 8, "max_weight": 50},
    3: {"nodes": 7, "edges": 10, "max_weight": 60},
    4: {"nodes": 8, "edges": 12, "max_weight": 70},
    5: {"nodes": 10, "edges": 15, "max_weight": 80},
    6: {"nodes": 12, "edges": 18, "max_weight": 90},
    7: {"nodes": 14, "edges": 22, "max_weight": 99},
    8: {"nodes": 16, "edges": 26, "max_weight": 99},
    9: {"nodes": 18, "edges": 30, "max_weight": 99},
    10: {"nodes": 20, "edges": 34, "max_weight": 99},
}

INTROS = (
    "Plan the cheapest trip through the network below.",
    "Here is a weighted, undirected graph.",
    "A traveller wants the shortest route between two places in this network.",
)
QUESTIONS = (
    "What is the shortest route from {s} to {t}? A route's length is the sum of the "
    "{weight}s of its {edge}s.",
    "Going from {s} to {t}, which route has the least total {weight}?",
    "Find a route from {s} to {t} whose {edge}s add up to the smallest total {weight}.",
)
THEMES = (ROADS, TRACKS, CABLES)


def instance_prompt(
    rng: Random, config: WeightedPathConfig, fmt: str
) -> tuple[str, list[str], dict[str, Any], list[int]]:
    """(prompt, names, payload, a cheapest path) of one shortest-path instance; ``fmt``
    states the answer format and may use ``{s}``, ``{t}``, ``{nodes}``, ``{weight}``."""
    drawn = sample(rng, config.nodes, config.edges, config.max_weight)
    if drawn is None:
        raise GenerationError(
            f"no instance in {MAX_ATTEMPTS} draws with {config}; raise 'edges' or 'max_weight'"
        )
    payload, path = drawn
    theme = pick(rng, THEMES)
    names = node_names(rng, config.nodes, theme.scheme)
    words = {
        "s": names[payload["source"]],
        "t": names[payload["target"]],
        "nodes": theme.nodes,
        "weight": theme.weight,
        "edge": theme.edge,
    }
    body = describe(rng, theme, names, payload["edges"], weighted=True)
    question = pick(rng, QUESTIONS).format(**words)
    prompt = compose(rng, INTROS, body, question, fmt.format(**words))
    return prompt, names, {"names": names, **payload}, path
