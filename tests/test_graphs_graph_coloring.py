"""Graph colouring: contract, planted colourability, every proper colouring passes."""

from __future__ import annotations

import itertools

import networkx as nx

from generators.graphs.graph_coloring import GraphColoring
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import plain_graph, refuses, score, sweep

TASK = GraphColoring()
globals().update(contract_tests(TASK))


def text(problem, colour) -> str:
    return ", ".join(f"{name}: {colour[v]}" for v, name in enumerate(problem.payload["names"]))


def test_networkx_greedy_colourings_that_fit_pass_and_the_answer_is_proper():
    checked = 0
    for problem in sweep(TASK):
        graph, k = plain_graph(problem.payload), problem.payload["k"]
        for strategy in ("largest_first", "smallest_last", "DSATUR", "independent_set"):
            found = nx.greedy_color(graph, strategy=strategy)
            proper = all(found[a] != found[b] for a, b in graph.edges)
            assert proper
            fits = max(found.values(), default=0) < k
            assert score(TASK, problem, text(problem, {v: c + 1 for v, c in found.items()})) == (
                1.0 if fits else 0.0
            )
            checked += fits
    assert checked > 20


def test_brute_force_agrees_on_small_graphs():
    problem = problem_at(TASK, 1, 0)
    graph, k = plain_graph(problem.payload), problem.payload["k"]
    n = graph.number_of_nodes()
    for colour in itertools.product(range(1, k + 1), repeat=n):
        proper = all(colour[a] != colour[b] for a, b in graph.edges)
        assert score(TASK, problem, text(problem, colour)) == float(proper)


def test_broken_colourings_fail_with_reasons():
    problem = problem_at(TASK, 5, 2)
    p = problem.payload
    pairs = [pair.split("=") for pair in problem.answer.split(", ")]
    colour = {p["names"].index(name): int(c) for name, c in pairs}
    a, b = p["edges"][0]
    clash = dict(colour)
    clash[b] = clash[a]
    assert "share colour" in TASK.check_answer(problem, text(problem, clash))[1]
    too_big = dict(colour)
    too_big[0] = p["k"] + 1
    assert TASK.check_answer(problem, text(problem, too_big))[0] == 0.0
    assert "no colour" in TASK.check_answer(problem, problem.answer.rsplit(", ", 1)[0])[1]
    assert refuses(TASK, problem, problem.answer + ", " + pairs[0][0] + "=1")
    assert refuses(TASK, problem, problem.answer.replace("=", "=red", 1))
    assert refuses(TASK, problem, "Nowhere=1")


def test_formats():
    problem = problem_at(TASK, 3, 0)
    assert score(TASK, problem, problem.answer.replace(", ", "\n").replace("=", ": ")) == 1.0
    assert score(TASK, problem, problem.answer.lower()) == 1.0


def prompt_edges(problem) -> set[frozenset[str]]:
    """The edges the prompt shows, read back from whichever style it uses."""
    body = problem.prompt.split("\n\n")[1]
    edges = set()
    for line in body.split("\n")[1:]:
        if line.startswith("Each line below"):  # the list style's second header line
            continue
        if line.startswith("- "):  # list: "- A -- B"
            edges.add(frozenset(line[2:].split(" -- ")))
        elif line.startswith("A "):  # sentences: "A road joins A and B."
            edges.add(frozenset(line.rsplit(" joins ", 1)[1].rstrip(".").split(" and ")))
        else:  # adjacency: "A: B, C" or "A: none"
            node, neighbours = line.split(": ")
            if neighbours != "none":
                edges |= {frozenset((node, other)) for other in neighbours.split(", ")}
    return edges


def test_the_prompt_shows_the_payload_graph_in_every_style():
    styles = set()
    for problem in sweep(TASK, ((1, 20), (10, 10))):
        names, edges = problem.payload["names"], problem.payload["edges"]
        assert prompt_edges(problem) == {frozenset((names[a], names[b])) for a, b in edges}
        assert edges == sorted(edges) and all(a < b for a, b in edges)
        lead, *lines = problem.prompt.split("\n\n")[1].split("\n")
        styles.add(lead.split()[0])
        if lead.startswith("Each"):  # adjacency lines, in name order
            assert [line.split(":")[0] for line in lines] == sorted(names)
    assert styles == {"The", "There", "Each"}
