"""Weighted shortest path: contract, networkx cross-check, every cheapest route passes; the
C sampler against the Python one."""

from __future__ import annotations

import hashlib
import itertools
from math import comb
from random import Random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.base import make_problem
from generators.graphs import weighted_paths as wp
from generators.graphs.shortest_path import ShortestPath
from generators.graphs.shortest_path_length import ShortestPathLength
from generators.hashrandom import Draws, HashRandom
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import named, refuses, score, sweep, weighted_graph

TASK = ShortestPath()
globals().update(contract_tests(TASK))


def test_bellman_ford_agrees_and_the_route_is_cheapest():
    for problem in sweep(TASK):
        p, graph = problem.payload, weighted_graph(problem.payload)
        expected = nx.bellman_ford_path_length(graph, p["source"], p["target"])
        assert p["distance"] == expected
        route = [p["names"].index(name) for name in problem.answer.split(", ")]
        assert nx.path_weight(graph, route, "weight") == expected
        # the fewest-hop route is never cheapest, by construction
        assert nx.shortest_path_length(graph, p["source"], p["target"]) < len(route) - 1


def test_every_cheapest_route_has_more_edges_than_the_fewest():
    for problem in sweep(TASK):
        p, graph = problem.payload, weighted_graph(problem.payload)
        hops = nx.shortest_path_length(graph, p["source"], p["target"])
        assert hops >= 2
        cheapest = nx.all_shortest_paths(graph, p["source"], p["target"], weight="weight")
        assert all(len(route) - 1 > hops for route in cheapest)


def test_drawn_and_tabled_graphs_are_simple_and_connected():
    rng = Random(3)
    for n, m in ((4, 4), (5, 6), (6, 15), (20, 34), (12, 11), (10, 40)):
        table = wp._small_graphs(n, m) if comb(n * (n - 1) // 2, m) <= wp.SMALL_TABLE else None
        bits = wp._bits(n, m, 9, bool(table))[0]  # an empty table: sample() draws none
        drawn = [wp._graph(Draws(rng.getrandbits(bits)), n, m, table) for _ in range(50)]
        assert sum(graph is None for graph in drawn) <= 1  # the draw budget is rarely short
        for edges, links, sources in filter(None, drawn):
            assert len(set(edges)) == len(edges) == m
            assert all(0 <= a < b < n for a, b in edges)
            graph = nx.Graph(edges)
            assert graph.number_of_nodes() == n and nx.is_connected(graph)
            assert sorted((a, b) for a in range(n) for b, _ in links[a] if a < b) == sorted(edges)
            assert set(sources) <= set(range(n))
    assert len(wp._small_graphs(5, 6)) > 100  # level 1 draws from a table


def test_every_cheapest_route_passes_and_dearer_ones_fail():
    seen_alternatives = 0
    for index in range(40):
        problem = problem_at(TASK, None, index, nodes=8, edges=13, max_weight=4)  # many ties
        p, graph = problem.payload, weighted_graph(problem.payload)
        cheapest = list(nx.all_shortest_paths(graph, p["source"], p["target"], weight="weight"))
        seen_alternatives += len(cheapest) > 1
        for route in cheapest:
            assert score(TASK, problem, named(problem, route, " -> ")) == 1.0
        simple = nx.shortest_simple_paths(graph, p["source"], p["target"], weight="weight")
        dearer = next(r for r in itertools.islice(simple, 50) if r not in cheapest)
        assert score(TASK, problem, named(problem, dearer)) == 0.0
    assert seen_alternatives >= 2


def test_broken_routes_fail():
    problem = problem_at(TASK, 6, 0)
    p, graph = problem.payload, weighted_graph(problem.payload)
    route = nx.dijkstra_path(graph, p["source"], p["target"])
    assert score(TASK, problem, named(problem, route[:-1])) == 0.0  # stops short
    assert score(TASK, problem, named(problem, route[::-1])) == 0.0  # wrong direction
    skip = [route[0], *route[2:]]  # jumps over a node: no such edge or dearer
    assert score(TASK, problem, named(problem, skip)) == 0.0
    hops = nx.shortest_path(graph, p["source"], p["target"])
    assert score(TASK, problem, named(problem, hops)) == 0.0
    assert (
        "does not exist"
        in TASK.check_answer(problem, named(problem, [route[0], route[0], *route[1:]]))[1]
    )


def test_formats_are_tolerated_and_unknown_names_refused():
    problem = problem_at(TASK, 3, 1)
    names = problem.answer.split(", ")
    for text in (" -> ".join(names), "\n".join(names), f"[{' - '.join(names).lower()}]"):
        assert score(TASK, problem, text) == 1.0, text
    assert refuses(TASK, problem, problem.answer + ", Atlantis")
    assert refuses(TASK, problem, "")


def test_prompts_vary():
    prompts = [problem_at(TASK, 5, i).prompt for i in range(20)]
    assert len({p.split("\n")[0] for p in prompts}) == 3
    assert len({p.split("\n")[2][:12] for p in prompts}) >= 3  # list, sentences, adjacency


kernel = pytest.mark.skipif(wp.native is None, reason="C kernel not compiled")


@st.composite
def _knobs(draw: st.DrawFn) -> tuple[int, int, int]:
    """Any nodes the knobs allow, edges from a tree's to a complete graph's (150 at most),
    small weights (many ties, many redraws) to large."""
    n = draw(st.integers(4, 40))
    m = draw(st.integers(n - 1, min(150, n * (n - 1) // 2)))
    return n, m, draw(st.sampled_from([2, 3, 5, 40, 99]))


@kernel
@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=32, max_size=32), _knobs())
def test_the_kernel_samples_like_python_and_leaves_the_rng_where_it_does(key, knobs):
    """Same instance (or same refusal) and the same bits left for the prompt."""
    kernel_rng, python_rng = HashRandom(key), HashRandom(key)
    drawn = wp.sample(kernel_rng, *knobs)
    assert drawn == wp.sample(python_rng, *knobs, python=True)
    assert kernel_rng.getrandbits(1000) == python_rng.getrandbits(1000)


@kernel
def test_the_kernel_draws_more_bits_when_short_and_refuses_bad_arguments():
    args, size = wp._native_args(4, 4, 2)
    key = hashlib.sha256(b"short").digest()
    bits = HashRandom(key).getrandbits(size).to_bytes(-(-size // 8), "little")
    assert wp.native.sample(bits, 1, *args) is None  # one bit: not even a graph
    needs_more = 0
    for index in range(200):  # 4 nodes, weights 1 or 2: the first chunk is often short
        rng = HashRandom(hashlib.sha256(index.to_bytes(4, "little")).digest())
        chunk = rng.getrandbits(size).to_bytes(-(-size // 8), "little")
        needs_more += wp.native.sample(chunk, size, *args) is None
    assert needs_more >= 5
    bad = [
        (bits, 8 * len(bits) + 1, *args),  # more bits than given
        (bits, size, 41, *args[1:]),  # too many nodes
        (bits, size, 4, 2, *args[2:]),  # fewer edges than a tree
        (bits, size, 4, 4, 2**21, *args[3:]),  # too heavy
        (bits, size, *args[:6], -1, *args[7:]),  # a negative pair budget
        # table rows (13 bytes at 4 nodes, 4 edges): a node past the last, a pair twice,
        # more sources than nodes
        (bits, size, *args[:-2], b"\7" * 13, 13),
        (bits, size, *args[:-2], bytes([0, 1, 0, 1, 0, 2, 0, 3, 4, 0, 1, 2, 3]), 13),
        (bits, size, *args[:-2], bytes([0, 1, 0, 2, 0, 3, 1, 2, 255, 0, 0, 0, 0]), 13),
        (bits, size, *args[:-1], args[-1] + 1),  # a table of another stride
    ]
    for arguments in bad:
        with pytest.raises(ValueError):
            wp.native.sample(*arguments)


@kernel
@pytest.mark.parametrize("level", [1, 4, 10])
def test_generation_is_byte_identical_without_the_kernel(level, monkeypatch):
    for task in (TASK, ShortestPathLength()):
        config = task.config_for_level(level)
        made = [make_problem(task, config, 7, i).model_dump_json() for i in range(30)]
        monkeypatch.setattr(wp, "native", None)
        assert [make_problem(task, config, 7, i).model_dump_json() for i in range(30)] == made
        monkeypatch.undo()
