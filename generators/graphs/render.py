"""Graphs in words: an edge list, one sentence per edge, or adjacency lines.

The style is drawn by the task's rng; the edges are shown in shuffled order (or nodes in
shuffled order for adjacency lines), so where something is mentioned first says nothing
about the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial
from random import Random

from generators.graphs.fastrand import pick, shuffle
from generators.hashrandom import Draws

STYLES = ("list", "sentences", "adjacency")


@dataclass(frozen=True)
class Theme:
    """What nodes, edges and weights are called, and which name scheme fits them."""

    node: str
    nodes: str
    edge: str
    weight: str
    scheme: str


ROADS = Theme("town", "towns", "road", "length", "towns")
TRACKS = Theme("station", "stations", "track", "travel time", "letters")
CABLES = Theme("server", "servers", "cable", "cost", "codes")
LINKS = Theme("node", "nodes", "link", "weight", "letters")
FRIENDS = Theme("person", "people", "friendship", "strength", "people")


def describe(
    rng: Random,
    theme: Theme,
    names: Sequence[str],
    edges: Sequence[Sequence[int]],
    directed: bool = False,
    weighted: bool = False,
    style: str | None = None,
) -> str:
    """The graph in one of :data:`STYLES` (drawn when not given); ``edges`` are ``[a, b]``
    or, when ``weighted``, ``[a, b, w]``."""
    style = style or pick(rng, STYLES)
    shown = list(edges)
    shuffle(rng, shown)
    order = list(range(len(names)))
    if style == "adjacency":
        shuffle(rng, order)
    return _styled(style, theme, names, edges, shown, order, directed, weighted)


def describe_drawn(
    draws: Draws,
    theme: Theme,
    names: Sequence[str],
    edges: Sequence[Sequence[int]],
    directed: bool = False,
    weighted: bool = False,
) -> str:
    """:func:`describe` drawing from :class:`~generators.hashrandom.Draws`, which must hold
    :func:`describe_bits` more bits."""
    style = draws.pick(STYLES)
    shown = list(edges)
    draws.shuffle(shown)
    order = list(range(len(names)))
    if style == "adjacency":
        draws.shuffle(order)
    return _styled(style, theme, names, edges, shown, order, directed, weighted)


def describe_bits(nodes: int, edges: int) -> int:
    """Bits :func:`describe_drawn` takes at most: a style and two shuffles."""
    return 2 + factorial(edges).bit_length() + factorial(nodes).bit_length()


def describe_shown(
    style: str, theme: Theme, names: Sequence[str], shown: Sequence[Sequence[int]]
) -> str:
    """An undirected, unweighted graph in ``style`` with nothing drawn: the lines list the
    edges ``shown`` in their order, the adjacency lines the nodes in name order. For a
    generator whose edges come in random order and whose names are a random sample in
    random order (then name order is a random node order)."""
    order = sorted(range(len(names)), key=names.__getitem__) if style == "adjacency" else ()
    return _styled(style, theme, names, shown, shown, order, False, False)


def _styled(style, theme, names, edges, shown, order, directed, weighted) -> str:
    """``shown`` is ``edges`` in the order lines list them, ``order`` the order of the
    adjacency lines."""
    if style == "list":
        return _as_list(theme, names, shown, directed, weighted)
    if style == "sentences":
        return _as_sentences(theme, names, shown, directed, weighted)
    return _as_adjacency(theme, names, edges, order, directed, weighted)


def _as_list(theme, names, edges, directed, weighted) -> str:
    arrow = "->" if directed else "--"
    fmt = f"X {arrow} Y" + (f" ({theme.weight})" if weighted else "")
    meaning = "from X to Y" if directed else "between X and Y"
    if weighted:
        lines = [f"- {names[a]} {arrow} {names[b]} ({w})" for a, b, w in edges]
    else:
        lines = [f"- {names[e[0]]} {arrow} {names[e[1]]}" for e in edges]
    return (
        f"The {theme.nodes} are {', '.join(sorted(names))}.\n"
        f"Each line below, written {fmt}, is a {'one-way ' if directed else ''}{theme.edge} "
        f"{meaning}:\n" + "\n".join(lines)
    )


def _as_sentences(theme, names, edges, directed, weighted) -> str:
    edge, weight = theme.edge, theme.weight
    if directed and weighted:
        sentences = [
            f"A one-way {edge} of {weight} {w} leads from {names[a]} to {names[b]}."
            for a, b, w in edges
        ]
    elif directed:
        sentences = [f"A one-way {edge} leads from {names[e[0]]} to {names[e[1]]}." for e in edges]
    elif weighted:
        sentences = [
            f"A {edge} of {weight} {w} joins {names[a]} and {names[b]}." for a, b, w in edges
        ]
    else:
        sentences = [f"A {edge} joins {names[e[0]]} and {names[e[1]]}." for e in edges]
    return f"There are {len(names)} {theme.nodes}: {', '.join(sorted(names))}.\n" + "\n".join(
        sentences
    )


def _as_adjacency(theme, names, edges, order, directed, weighted) -> str:
    out: list[list[str]] = [[] for _ in names]
    if directed:  # only the tail lists the head
        for e in edges:
            size = f" ({e[2]})" if weighted else ""
            out[e[0]].append(names[e[1]] + size)
    elif weighted:  # one loop per case, without the tests per edge
        for a, b, w in edges:
            size = f" ({w})"
            out[a].append(names[b] + size)
            out[b].append(names[a] + size)
    else:
        for e in edges:
            a, b = e[0], e[1]
            out[a].append(names[b])
            out[b].append(names[a])
    what = f"the {theme.nodes} reachable by one {theme.edge}" if directed else "its neighbours"
    if weighted:
        what += f", each with the {theme.weight} of the {theme.edge} in brackets"
    lines = [f"{names[u]}: {', '.join(sorted(out[u])) or 'none'}" for u in order]
    lead = f"Each {theme.node} is listed with {what}{' (one-way)' if directed else ''}:"
    return lead + "\n" + "\n".join(lines)
