"""Two teams: can the people be split into two teams with no rivals on the same team?

That is, is the graph bipartite? Half of the problems (by :func:`balanced_choice`) are
bipartite: a connected graph whose edges all cross a hidden split. The others take the
same number of crossing edges minus one, plus one edge inside a side between two nodes
at least four steps apart where possible, which closes an odd cycle of five or more.
The reference trace 2-colours by breadth-first search and names the odd cycle it meets.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_yes_no
from generators.graphs.names import node_names
from generators.graphs.render import FRIENDS, Theme, describe
from generators.graphs.sampling import adjacency, hop_distances
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose, join_names
from schemas.records import Problem

RIVALS = Theme("person", "people", "rivalry", "strength", "people")
CLASHES = Theme("meeting", "meetings", "clash", "length", "letters")
THEMES = (RIVALS, FRIENDS, CLASHES)


class TwoTeamsConfig(TaskConfig):
    nodes: int = Field(default=10, ge=4, le=40, description="people (nodes)")
    edges: int = Field(default=13, ge=3, le=150, description="pairs that must be split")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 6, "edges": 7},
    2: {"nodes": 7, "edges": 8},
    3: {"nodes": 8, "edges": 10},
    4: {"nodes": 10, "edges": 12},
    5: {"nodes": 12, "edges": 15},
    6: {"nodes": 14, "edges": 18},
    7: {"nodes": 16, "edges": 20},
    8: {"nodes": 18, "edges": 23},
    9: {"nodes": 20, "edges": 26},
    10: {"nodes": 24, "edges": 31},
}

INTROS = (
    "An organiser must split a group into two teams.",
    "Here is an undirected graph.",
    "The pairs below must not end up on the same side.",
)
QUESTIONS = (
    "Can the {nodes} be divided into two teams so that every {edge} joins two {nodes} of "
    "different teams?",
    "Is this graph bipartite, i.e. can its nodes be split into two sides so that every "
    "edge goes between the sides?",
    "Is there a way to put each {node} on side 1 or side 2 such that no {edge} has both "
    "ends on the same side?",
)
FORMAT = 'Answer "yes" if such a split exists and "no" if it does not.'


def _draw(rng: Random, n: int, m: int, bipartite: bool) -> list[list[int]] | None:
    side = [i % 2 for i in range(n)]
    rng.shuffle(side)
    crossing = [(a, b) for a in range(n) for b in range(a + 1, n) if side[a] != side[b]]
    rng.shuffle(crossing)
    # a connected spanning tree of crossing edges first: attach nodes one at a time
    order = list(range(n))
    rng.shuffle(order)
    edges: set[tuple[int, int]] = set()
    for i in range(1, n):
        v = order[i]
        partners = [u for u in order[:i] if side[u] != side[v]]
        if not partners:
            return None
        u = rng.choice(partners)
        edges.add((min(u, v), max(u, v)))
    for edge in crossing:
        if len(edges) >= m - (0 if bipartite else 1):
            break
        edges.add(edge)
    if not bipartite:
        adj = adjacency(n, sorted(edges))
        same = [
            (a, b, d)
            for a in range(n)
            for b, d in enumerate(hop_distances(adj, a))
            if a < b and side[a] == side[b] and d >= 2
        ]
        if not same:
            return None
        far = max(d for _, _, d in same)
        a, b, _ = rng.choice([s for s in same if s[2] >= min(far, 4)])
        edges.add((a, b))
    return sorted(list(e) for e in edges)


def two_colour(names: list[str], edges: list[list[int]]) -> tuple[list[int] | None, int, list[str]]:
    """(an odd cycle or None, effort, trace lines) by breadth-first 2-colouring."""
    n = len(names)
    adj = adjacency(n, edges)
    side, parent = [-1] * n, [-1] * n
    effort, lines = 0, []
    for root in sorted(range(n), key=names.__getitem__):
        if side[root] >= 0:
            continue
        side[root] = 0
        queue = [root]
        lines.append(f"Put {names[root]} on side 1.")
        while queue:
            u = queue.pop(0)
            effort += 1
            for v in adj[u]:
                effort += 1
                if side[v] < 0:
                    side[v], parent[v] = 1 - side[u], u
                    queue.append(v)
                    lines.append(f"{names[v]} (joined to {names[u]}) goes on side {side[v] + 1}.")
                elif side[v] == side[u]:
                    return _odd_cycle(parent, u, v), effort, bounded(lines)
    return None, effort, bounded(lines)


def _odd_cycle(parent: list[int], u: int, v: int) -> list[int]:
    """The tree paths from u and v up to their common ancestor, joined by the edge u-v."""
    up = [u]
    while parent[up[-1]] >= 0:
        up.append(parent[up[-1]])
    down = [v]
    while down[-1] not in up:
        down.append(parent[down[-1]])
    return up[: up.index(down[-1]) + 1] + down[-2::-1]


class BipartiteCheck(GraphTask[TwoTeamsConfig]):
    name: ClassVar[str] = "bipartite_check"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Bipartiteness: decide whether a graph's nodes split into two sides with every edge "
        "between the sides (yes and no equally often; odd cycles are long)."
    )
    Config = TwoTeamsConfig
    LEVELS = LEVELS

    def generate(self, config: TwoTeamsConfig, rng: Random, index: int) -> Instance:
        bipartite = balanced_choice(index, 2, salt=0.3) == 0
        for _ in range(MAX_ATTEMPTS):
            edges = _draw(rng, config.nodes, config.edges, bipartite)
            if edges is not None:
                break
        else:
            raise self.give_up("edges")
        theme = rng.choice(THEMES)
        names = node_names(rng, config.nodes, theme.scheme)
        words = {"node": theme.node, "nodes": theme.nodes, "edge": theme.edge}
        body = describe(rng, theme, names, edges)
        prompt = compose(rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT)
        answer = "yes" if bipartite else "no"
        return Instance(prompt, answer, {"names": names, "edges": edges})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        cycle, effort, lines = two_colour(names, problem.payload["edges"])
        if cycle is None:
            verdict, answer = "Every edge joins the two sides, so the split exists.", "yes"
        else:
            loop = join_names(names, [*cycle, cycle[0]], " - ")
            verdict = (
                f"{names[cycle[0]]} and {names[cycle[-1]]} are joined but on the same side. "
                f"They close the odd cycle {loop} ({len(cycle)} nodes), which no split into "
                "two sides can handle."
            )
            answer = "no"
        reasoning = "\n".join(
            [
                "Colour by breadth-first search: each node's neighbours go on the other side; "
                "an edge inside one side reveals an odd cycle.",
                *lines,
                verdict,
            ]
        )
        return Solution(answer, reasoning, {"effort": effort})

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("yes", "no")

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_yes_no(answer, problem.answer)
