"""Weighted shortest paths: the instance sampler and a narrated Dijkstra.

An instance is a connected graph with positive integer weights, a source and a target
whose cheapest route has more edges than the fewest-edge route: a policy that counts
hops instead of adding weights always fails. The property is made rather than waited
for: one edge weight is redrawn so that a route one edge longer than the fewest wins
(:func:`_plant`), and one Dijkstra then finds the distance. Every choice is a digit of a
number drawn from the problem's :class:`~generators.hashrandom.HashRandom`
(:class:`~generators.hashrandom.Draws`): a number per graph, per set of weights, per
source tried and for the prompt.

Where the C kernel :mod:`._paths` was compiled, :func:`sample` runs there (the Python
sampler walks every edge five times, most of a problem's time): the same algorithm over the
same random bits, so both give the same instance and the Python sampler is the reference.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from functools import cache
from itertools import chain, combinations
from math import ceil, comb
from random import Random
from types import ModuleType
from typing import Any

from pydantic import Field

from generators.base import GenerationError, TaskConfig, config_cached
from generators.graphs.names import name_pool
from generators.graphs.render import CABLES, ROADS, TRACKS, Theme, describe_bits, describe_drawn
from generators.graphs.sampling import adjacency, hop_distances, weighted_adjacency
from generators.graphs.task import MAX_ATTEMPTS, assemble, bounded
from generators.hashrandom import Draws, HashRandom

native: ModuleType | None
try:
    from generators.graphs import _paths as native
except ImportError:  # not compiled (no compiler at install): the Python sampler below
    native = None

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


Links = list[list[tuple[int, int]]]
"""Per node, (neighbour, edge index) pairs."""


def _plant(draws: Draws, links: Links, source: int, ws: list[int], max_weight: int) -> int | None:
    """A target for ``source`` whose every cheapest route has more edges than the fewest-edge
    route, made so by redrawing one edge weight, or None when this graph and these weights
    offer none.

    One breadth-first pass finds each node's hop count and the least weight ``best`` of its
    fewest-edge routes (a node's parents are all in the layer searched before it). An edge
    ``u - v`` between two nodes equally many edges (two or more) from the source is on no
    fewest-edge route, so its weight does not change ``best``. Redrawn uniformly among the
    weights below ``best[v] - best[u]`` (its distribution given the other weights and the
    property), it makes the route ``source .. u, v``, one edge longer than the fewest,
    cheaper than every fewest-edge route to ``v``."""
    hop, best = [-1] * len(links), [0] * len(links)
    hop[source] = 0
    order, lateral = [source], []
    for u in order:  # the list grows while it is walked: a queue without pops
        down, here = hop[u] + 1, best[u]
        for v, i in links[u]:
            if hop[v] < 0:
                hop[v], best[v] = down, here + ws[i]
                order.append(v)
            elif hop[v] == down:
                if here + ws[i] < best[v]:
                    best[v] = here + ws[i]
            elif hop[v] == down - 1 > 1 and u < v:
                lateral.append((u, v, i))
    candidates, depth = [], 0
    for a, b, i in reversed(lateral):  # only the deepest layer with a detour: harder problems
        if hop[a] < depth:
            break
        if best[b] - best[a] >= 2:
            candidates.append((a, b, i))
            depth = hop[a]
        elif best[a] - best[b] >= 2:
            candidates.append((b, a, i))
            depth = hop[a]
    if not candidates:
        return None
    u, v, i = draws.pick(candidates)
    ws[i] = 1 + draws.below(min(best[v] - best[u] - 1, max_weight))
    return v


def _cheapest(links: Links, ws: list[int], source: int, target: int) -> tuple[int, list[int]]:
    """(distance, a cheapest route) from ``source`` to ``target``: Dijkstra on edge indices."""
    dist, parent = [1 << 60] * len(links), [-1] * len(links)
    dist[source] = 0
    heap, pop, push = [(0, source)], heapq.heappop, heapq.heappush
    while heap:
        d, u = pop(heap)
        if u == target:
            break
        if d > dist[u]:
            continue
        for v, i in links[u]:
            if d + ws[i] < dist[v]:
                dist[v], parent[v] = d + ws[i], u
                push(heap, (d + ws[i], v))
    path = [target]
    while path[-1] != source:
        path.append(parent[path[-1]])
    return dist[target], path[::-1]


SMALL_TABLE = 2_000
"""Configs with at most this many edge sets draw their graph from a table of them all."""


def _links(n: int, pairs: Sequence[tuple[int, int]]) -> Links:
    links: Links = [[] for _ in range(n)]
    for i, (a, b) in enumerate(pairs):
        links[a].append((b, i))
        links[b].append((a, i))
    return links


Graph = tuple[list[tuple[int, int]], Links, list[int]]
"""(edges, links, the sources worth searching from)."""


@cache
def _small_graphs(n: int, m: int) -> tuple[Graph, ...]:
    """Every connected graph on ``n`` nodes with ``m`` edges that has a source with an edge
    between two nodes equally many edges (two or more) away (what :func:`_plant` needs),
    with those sources: ``(pairs, links, sources)``. Only for configs with few edge sets,
    where most random graphs and most of their nodes would be searched in vain."""
    table = []
    for pairs in combinations(combinations(range(n), 2), m):
        plain = adjacency(n, list(pairs))
        hops = [hop_distances(plain, source) for source in range(n)]
        if -1 in hops[0]:
            continue
        sources = [s for s, hop in enumerate(hops) if any(hop[a] == hop[b] >= 2 for a, b in pairs)]
        if sources:
            table.append((list(pairs), _links(n, pairs), sources))
    return tuple(table)


@cache
def _pair_codes(n: int) -> tuple[int, ...]:
    """``a * n + b`` for every pair ``a < b`` of ``n`` nodes."""
    return tuple(a * n + b for a, b in combinations(range(n), 2))


@cache
def _extra_draws(n: int, m: int) -> int:
    """Draws :func:`_graph` allows itself for the edges beyond the tree: twice the expected
    number (a draw repeats an edge already there with the share of pairs taken), plus 16.
    Running out is rare (the attempt is then redrawn whole)."""
    pairs = n * (n - 1) // 2
    expected = sum(pairs / (pairs - have) for have in range(n - 1, m))
    return 2 * ceil(expected) + 16


def _graph(draws: Draws, n: int, m: int, table: Sequence[Graph] | None) -> Graph | None:
    """(edges, links, the sources worth trying) of a random connected graph: from the table
    when there is one, else a fresh graph (a random tree, node ``i`` joining an earlier node,
    plus random other pairs: node labels carry no meaning, names are drawn) and all its
    nodes; None when the other pairs take more than :func:`_extra_draws` draws."""
    if table:
        pairs, links, sources = draws.pick(table)
        return pairs, links, list(sources)
    value, codes = draws.value, set()
    for i in range(1, n):  # node i joins an earlier node
        value, j = divmod(value, i)
        codes.add(j * n + i)
    every, budget = _pair_codes(n), _extra_draws(n, m)
    size = len(every)
    while len(codes) < m:
        if not budget:
            return None
        budget -= 1
        value, c = divmod(value, size)
        codes.add(every[c])
    draws.value = value
    pairs: list[tuple[int, int]] = []
    links: Links = [[] for _ in range(n)]
    for i, code in enumerate(sorted(codes)):
        a, b = divmod(code, n)
        pairs.append((a, b))
        links[a].append((b, i))
        links[b].append((a, i))
    return pairs, links, list(range(n))


@cache
def _bits(n: int, m: int, max_weight: int, table: bool) -> tuple[int, int, int]:
    """Random bits of a graph, of its weights, and of one source tried (the source, the edge
    redrawn and its weight): each digit bounded by its largest radix, and 64 to spare. Each
    is a number of its own, so that no digit is taken off a long one."""
    if table:
        graph = len(_small_graphs(n, m)).bit_length()
    else:
        tree = sum(i.bit_length() for i in range(1, n))
        graph = tree + _extra_draws(n, m) * (n * (n - 1) // 2).bit_length()
    source = n.bit_length() + m.bit_length() + max_weight.bit_length()
    return graph + 64, m * max_weight.bit_length() + 64, source + 64


@cache
def _plan(
    n: int, m: int, max_weight: int
) -> tuple[int, tuple[Graph, ...] | None, tuple[int, int, int]]:
    """(edges, the table of graphs or None, :func:`_bits`) of a config, looked up once."""
    m = min(m, n * (n - 1) // 2)
    table = _small_graphs(n, m) if comb(n * (n - 1) // 2, m) <= SMALL_TABLE else None
    return m, table, _bits(n, m, max_weight, table is not None)


Drawn = tuple[dict[str, Any], list[int]]
"""A payload (edges, source, target, distance) and a cheapest path."""


def sample(rng: Random, n: int, m: int, max_weight: int, python: bool = False) -> Drawn | None:
    """(a payload (edges, source, target, distance), Dijkstra's path) or None after too many
    draws: a random connected graph (drawn from :func:`_small_graphs` where the config has few
    edge sets) and weights, searched from its nodes in random order for a target
    :func:`_plant` can make; one Dijkstra then proves the distance and the route. Draws are
    digits of numbers from ``rng.getrandbits`` (a :class:`~generators.hashrandom.HashRandom`):
    one per graph, one per graph's weights, one per source tried. From a HashRandom the C
    kernel draws them unless ``python``."""
    m, table, (graph_bits, weight_bits, source_bits) = _plan(n, m, max_weight)
    if table == ():
        return None  # no graph of this size has such a target
    if native is not None and not python and type(rng) is HashRandom:
        args = _native_args(n, m, max_weight)
        if args is not None:
            return _sample_native(rng, *args)
    for _ in range(MAX_ATTEMPTS):
        graph = _graph(Draws(rng.getrandbits(graph_bits)), n, m, table)
        if graph is None:
            continue
        pairs, links, sources = graph
        ws = [w + 1 for w in Draws(rng.getrandbits(weight_bits)).belows(max_weight, m)]
        while sources:  # in random order, paying only for the sources tried
            draws = Draws(rng.getrandbits(source_bits))
            i = draws.below(len(sources))
            source = sources[i]
            sources[i] = sources[-1]
            sources.pop()
            target = _plant(draws, links, source, ws, max_weight)
            if target is not None:
                distance, path = _cheapest(links, ws, source, target)
                edges = [[a, b, w] for (a, b), w in zip(pairs, ws, strict=True)]
                payload = {"edges": edges, "source": source, "target": target, "distance": distance}
                return payload, path
    return None


def _sample_native(rng: HashRandom, args: tuple[Any, ...], size: int) -> Drawn | None:
    """:func:`sample` in C: it takes ``size`` bits ahead (one attempt with two sources; more
    when they run short: the kernel then starts again on the longer chunk) and puts back
    what it did not use, so the rng is left where the Python sampler leaves it."""
    assert native is not None
    chunk = rng.getrandbits(size)
    while (drawn := native.sample(chunk.to_bytes(-(-size // 8), "little"), size, *args)) is None:
        chunk |= rng.getrandbits(size) << size
        size *= 2
    used = drawn if type(drawn) is int else drawn[-1]  # an int: no instance in so many draws
    rng.unread(chunk >> used, size - used)
    if type(drawn) is int:
        return None
    edges, source, target, distance, path, _ = drawn
    return {"edges": edges, "source": source, "target": target, "distance": distance}, path


NATIVE_NODES, NATIVE_WEIGHT = 40, 1 << 20
"""The most nodes and the largest weight the kernel takes (the knobs allow 40 and 99)."""


@cache
def _native_args(n: int, m: int, max_weight: int) -> tuple[tuple[Any, ...], int] | None:
    """The kernel's arguments after the bits for a config and the bits it starts with, or
    None where the knobs are past it (more nodes or larger weights than it takes, fewer
    edges than a tree has: the Python sampler's behaviour there is the reference). The
    table goes as ``stride`` bytes a graph: its pairs, its number of sources, its sources."""
    m, table, (graph_bits, weight_bits, source_bits) = _plan(n, m, max_weight)
    if not (2 <= n <= NATIVE_NODES and 1 <= max_weight <= NATIVE_WEIGHT and m >= n - 1):
        return None
    blob, stride = None, 2 * m + 1 + n
    if table:
        blob = b"".join(
            bytes([*chain.from_iterable(pairs), len(sources), *sources]).ljust(stride, b"\0")
            for pairs, _, sources in table
        )
    extra = 0 if table else _extra_draws(n, m)
    args = (n, m, max_weight, graph_bits, weight_bits, source_bits, extra, MAX_ATTEMPTS)
    return (*args, blob, stride), graph_bits + weight_bits + 2 * source_bits


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
    draws = Draws(rng.getrandbits(_prompt_bits(config)))
    theme, pools, questions, answer_format = draws.pick(_wording(fmt))
    names = draws.sample(pools[config.nodes], config.nodes)
    ends = {"s": names[payload["source"]], "t": names[payload["target"]]}
    body = describe_drawn(draws, theme, names, payload["edges"], weighted=True)
    question = draws.pick(questions).format_map(ends)
    prompt = assemble(draws.pick(INTROS), body, question, answer_format.format_map(ends))
    return prompt, names, {"names": names, **payload}, path


@config_cached
def _prompt_bits(config: WeightedPathConfig) -> int:
    """Random bits of the prompt: theme, names, description, question and intro."""
    n, m = config.nodes, min(config.edges, config.nodes * (config.nodes - 1) // 2)
    names = max(len(name_pool(n, theme.scheme)) for theme in THEMES).bit_length() * n
    picks = sum(len(s).bit_length() for s in (THEMES, QUESTIONS, INTROS))
    return names + picks + describe_bits(n, m) + 64


class _PoolsByCount(dict):
    """A theme's name pool per node count (:func:`name_pool`), looked up once per count."""

    def __init__(self, scheme: str) -> None:
        super().__init__()
        self.scheme = scheme

    def __missing__(self, n: int) -> Sequence[str]:
        pool = self[n] = name_pool(n, self.scheme)
        return pool


@cache
def _wording(fmt: str) -> tuple[tuple[Theme, _PoolsByCount, tuple[str, ...], str], ...]:
    """Per theme of :data:`THEMES`: the theme, its name pools, the questions and the answer
    format with the theme's words in, ``{s}`` and ``{t}`` left to fill (formatted once)."""
    kits = []
    for theme in THEMES:
        words = {
            "s": "{s}",
            "t": "{t}",
            "nodes": theme.nodes,
            "weight": theme.weight,
            "edge": theme.edge,
        }
        questions = tuple(q.format_map(words) for q in QUESTIONS)
        kits.append((theme, _PoolsByCount(theme.scheme), questions, fmt.format_map(words)))
    return tuple(kits)
