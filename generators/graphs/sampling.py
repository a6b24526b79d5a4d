"""Random graph structures over nodes ``0..n-1`` (names are drawn separately).

Plain Python on small graphs: a sampled graph costs microseconds, so a generator can
afford to redraw until its problem has the property it wants.
"""

from __future__ import annotations

from random import Random

from generators.graphs.fastrand import shuffle

Edge = tuple[int, int]


def random_tree(rng: Random, n: int) -> list[Edge]:
    """A uniform-attachment random tree: node ``order[i]`` joins a random earlier node."""
    order = list(range(n))
    shuffle(rng, order)
    rand = rng.random
    return [_pair(order[i], order[int(rand() * i)]) for i in range(1, n)]


def connected_edges(rng: Random, n: int, m: int) -> list[Edge]:
    """A connected simple graph with ``min(m, n(n-1)/2)`` edges (at least a spanning tree)."""
    edges = set(random_tree(rng, n))
    return sorted(_add_random_edges(rng, n, edges, m))


def _add_random_edges(rng: Random, n: int, edges: set[Edge], m: int) -> set[Edge]:
    target = min(m, n * (n - 1) // 2)
    rand = rng.random
    while len(edges) < target:
        a, b = int(rand() * n), int(rand() * n)
        if a != b:
            edges.add((a, b) if a < b else (b, a))
    return edges


def dag_edges(rng: Random, order: list[int], m: int, connected: bool = True) -> list[Edge]:
    """``m`` directed edges that all point forward in ``order`` (so the graph is acyclic);
    with ``connected`` every node after the first gets an edge from an earlier one."""
    n, rand = len(order), rng.random
    edges = {(order[int(rand() * i)], order[i]) for i in range(1, n)} if connected else set()
    target = min(m, n * (n - 1) // 2)
    add = edges.add
    while len(edges) < target:
        i, j = int(rand() * n), int(rand() * n)
        if i < j:
            add((order[i], order[j]))
        elif i > j:
            add((order[j], order[i]))
    return sorted(edges)


def indirect_pairs(n: int, edges: list[Edge]) -> list[Edge]:
    """(a, b) where b is reachable from a by a directed path of two or more edges and no
    edge joins them directly: adding b -> a closes a cycle of three or more nodes."""
    adj = adjacency(n, edges, directed=True)
    direct = set(edges)
    pairs = []
    for a in range(n):
        seen, stack = {a}, list(adj[a])
        while stack:
            v = stack.pop()
            if v not in seen:
                seen.add(v)
                stack.extend(adj[v])
        pairs += [(a, b) for b in sorted(seen - {a}) if (a, b) not in direct]
    return pairs


def weights(rng: Random, count: int, low: int, high: int) -> list[int]:
    rand, span = rng.random, high - low + 1
    return [low + int(rand() * span) for _ in range(count)]


def adjacency(
    n: int, edges: list[Edge] | list[list[int]], directed: bool = False
) -> list[list[int]]:
    """Neighbour lists (sorted) of an edge list."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        if not directed:
            adj[b].append(a)
    for row in adj:
        row.sort()
    return adj


def weighted_adjacency(
    n: int, edges: list[list[int]], directed: bool = False
) -> list[list[tuple[int, int]]]:
    """(neighbour, weight) lists of ``[a, b, w]`` edges, sorted by neighbour."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for a, b, w in edges:
        adj[a].append((b, w))
        if not directed:
            adj[b].append((a, w))
    for row in adj:
        row.sort()
    return adj


def hop_distances(adj: list[list[int]], source: int) -> list[int]:
    """BFS hop counts from ``source`` (-1 where unreachable)."""
    dist = [-1] * len(adj)
    dist[source] = 0
    frontier = [source]
    while frontier:
        nxt = []
        for u in frontier:
            for v in adj[u]:
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    return dist


def _pair(a: int, b: int) -> Edge:
    return (a, b) if a < b else (b, a)
