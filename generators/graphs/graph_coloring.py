"""Graph colouring: colour the nodes with at most k colours, neighbours differently.

Generation plants a colouring: node i gets colour 1 + i mod k (each colour used when
there are k nodes or more; the names are drawn in random order, so which named node has
which colour is random) and edges are drawn only between differently coloured nodes, so a
k-colouring exists. Any proper colouring passes; the planted one is the stored answer.
Every choice is a digit of one number drawn from the problem's
:class:`~generators.hashrandom.HashRandom` (:class:`~generators.hashrandom.Draws`): the
edges (a sample in random order, the order the prompt lists them), one of the prompt
texts made per config, the names. The
reference solver is DSatur with backtracking (colour the node with the most distinctly
coloured neighbours first, smallest colour first).
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Any, ClassVar, NamedTuple

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig, config_cached
from generators.graphs.answers import assignment
from generators.graphs.names import name_pool
from generators.graphs.render import FRIENDS, LINKS, ROADS, STYLES, Theme, describe_shown
from generators.graphs.sampling import adjacency
from generators.graphs.task import GraphTask, assemble, bounded
from generators.hashrandom import Draws
from schemas.records import Problem

SEARCH_LIMIT = 200_000
"""Assignments DSatur may try; the levels stay far below it."""


class ColoringConfig(TaskConfig):
    nodes: int = Field(default=10, ge=3, le=30, description="nodes to colour")
    edges: int = Field(default=15, ge=2, le=150, description="edges between nodes")
    colours: int = Field(default=3, ge=2, le=6, description="colours allowed")


# Level 1 has seven nodes: six (1.2.0-1.3.0) allowed only C(9, 6) = 84 edge sets in all, too
# few distinct problems for a dataset; seven give C(12, 7) = 792.
LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 7, "edges": 7, "colours": 2},
    2: {"nodes": 8, "edges": 10, "colours": 2},
    3: {"nodes": 8, "edges": 12, "colours": 3},
    4: {"nodes": 9, "edges": 15, "colours": 3},
    5: {"nodes": 10, "edges": 18, "colours": 3},
    6: {"nodes": 12, "edges": 23, "colours": 3},
    7: {"nodes": 14, "edges": 28, "colours": 3},
    8: {"nodes": 14, "edges": 34, "colours": 4},
    9: {"nodes": 16, "edges": 44, "colours": 4},
    10: {"nodes": 18, "edges": 54, "colours": 4},
}

INTROS = (
    "Colour the graph below.",
    "Here is a map-colouring style puzzle on a graph.",
    "Assign colours to the nodes of this graph.",
)
QUESTIONS = (
    "Using colours numbered 1 to {k}, give every {node} a colour so that no two {nodes} "
    "joined by a {edge} share a colour.",
    "Colour each {node} with one of the colours 1..{k} such that every {edge} joins two "
    "different colours.",
    "Find a proper colouring with at most {k} colours (numbered 1 to {k}): {nodes} joined by "
    "a {edge} must get different colours.",
)
FORMAT = (
    "Write one name=colour pair per {node}, separated by commas, with colours as numbers "
    "from 1 to {k}. Any valid colouring is accepted."
)
THEMES = (ROADS, LINKS, FRIENDS)
_BODY = "\0"
"""Where the graph goes in a prompt assembled ahead of it (no text has a NUL)."""


class _Look(NamedTuple):
    """One way a problem reads: a theme with its names, a style, and the prompt's text
    before and after the graph."""

    pool: Sequence[str]
    style: str
    theme: Theme
    head: str
    tail: str


class _Plan(NamedTuple):
    """What every problem of a config shares (see :func:`_plan`)."""

    pairs: tuple[tuple[int, int], ...]
    edges: int
    looks: tuple[_Look, ...]
    answer: str
    bits: int


@config_cached
def _plan(config: ColoringConfig) -> _Plan:
    """The pairs ``a < b`` of differently coloured nodes when node ``i`` has colour
    ``1 + i % k`` (in sorted order), the edges to draw, every (theme, question, style,
    intro) with its text, the planted answer with ``%s`` for the names, and the random bits
    one problem takes: each digit bounded by the largest radix it may have, and 64 to
    spare."""
    n, k = config.nodes, config.colours
    pairs = tuple((a, b) for a in range(n) for b in range(a + 1, n) if (b - a) % k)
    looks = tuple(
        _Look(
            name_pool(n, theme.scheme), style, theme, *assemble(intro, _BODY, q, fmt).split(_BODY)
        )
        for theme in THEMES
        for q, fmt in _wordings(theme, k)
        for style in STYLES
        for intro in INTROS
    )
    m = min(config.edges, len(pairs))
    names = max(len(look.pool) for look in looks)
    bits = m * len(pairs).bit_length() + len(looks).bit_length() + n * names.bit_length()
    answer = ", ".join(f"%s={1 + i % k}" for i in range(n))
    return _Plan(pairs, m, looks, answer, bits + 64)


def _wordings(theme: Theme, k: int) -> list[tuple[str, str]]:
    """Each question with the answer format, for a theme and a number of colours."""
    words = {"k": k, "node": theme.node, "nodes": theme.nodes, "edge": theme.edge}
    return [(q.format(**words), FORMAT.format(**words)) for q in QUESTIONS]


def dsatur(
    names: list[str], edges: list[list[int]], k: int
) -> tuple[list[int] | None, int, list[str]]:
    """(colours 1..k or None, assignments tried, trace lines)."""
    n = len(names)
    adj = adjacency(n, edges)
    colour = [0] * n
    tried, lines = 0, []

    def pick() -> int:
        best, key = -1, (-1, -1, 0)
        for v in range(n):
            if not colour[v]:
                sat = len({colour[u] for u in adj[v]} - {0})
                candidate = (sat, len(adj[v]), -v)
                if candidate > key:
                    best, key = v, candidate
        return best

    def search(left: int) -> bool:
        nonlocal tried
        if not left:
            return True
        v = pick()
        used = {colour[u] for u in adj[v]}
        for c in range(1, k + 1):
            if c in used or tried >= SEARCH_LIMIT:
                continue
            tried += 1
            colour[v] = c
            lines.append(
                f"{names[v]} gets colour {c} (neighbours use {sorted(used - {0}) or 'none'})."
            )
            if search(left - 1):
                return True
            lines.append(f"Dead end: undo {names[v]} = {c}.")
        colour[v] = 0
        return False

    try:
        found = search(n)
    finally:
        search = None  # empties the cell that points back at the closure: no reference cycle
    return (colour if found else None), tried, bounded(lines)


def _text(names: list[str], colour: list[int]) -> str:
    return ", ".join([f"{name}={c}" for name, c in zip(names, colour, strict=True)])


class GraphColoring(GraphTask[ColoringConfig]):
    name: ClassVar[str] = "graph_coloring"
    version: ClassVar[str] = "1.4.0"
    description: ClassVar[str] = (
        "Graph colouring: colour the nodes of a graph with at most k colours so that adjacent "
        "nodes differ; any proper colouring passes."
    )
    Config = ColoringConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: ColoringConfig, rng: Random, index: int) -> Instance:
        plan = _plan(config)
        draws = Draws(rng.getrandbits(plan.bits))
        shown = draws.sample(plan.pairs, plan.edges)  # in random order: the order shown
        look = draws.pick(plan.looks)
        names = draws.sample(look.pool, config.nodes)
        prompt = look.head + describe_shown(look.style, look.theme, names, shown) + look.tail
        shown.sort()  # the pairs' order: one graph, one payload
        payload = {"names": names, "edges": list(map(list, shown)), "k": config.colours}
        return Instance(prompt, plan.answer % tuple(names), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        colour, tried, lines = dsatur(names, p["edges"], p["k"])
        assert colour is not None
        reasoning = "\n".join(
            [
                "DSatur: repeatedly colour the node whose neighbours already use the most "
                "distinct colours (ties: more neighbours), with the smallest colour that fits; "
                "back up on a dead end.",
                *lines,
                "Every node is coloured and no edge joins two equal colours.",
            ]
        )
        return Solution(_text(names, colour), reasoning, {"effort": tried})

    def answer_space(self, problem: Problem) -> int:
        return problem.payload["k"] ** len(self.names(problem))

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        names = self.names(problem)
        return {**super().trivial_answers(problem), "one colour": _text(names, [1] * len(names))}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names, p = self.names(problem), problem.payload
        colour = assignment(answer, names)
        if len(colour) < len(names):
            missing = next(v for v in range(len(names)) if v not in colour)
            return 0.0, f"{names[missing]} has no colour"
        if any(not 1 <= c <= p["k"] for c in colour.values()):
            return 0.0, f"colours must be numbers from 1 to {p['k']}"
        for a, b in p["edges"]:
            if colour[a] == colour[b]:
                return 0.0, f"{names[a]} and {names[b]} are joined but share colour {colour[a]}"
        return 1.0, "a proper colouring"
