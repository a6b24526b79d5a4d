"""Countdown searches in the Stream-of-Search authors' own log format and record fields.

The format (Gandhi et al., 2024) writes a depth-first search over whole numbers:
``Current State: 24:[4, 2, 4, 3], Operations: []``, then for each operation tried
``Exploring Operation: 4+2=6, Resulting Numbers: [4, 3, 6]`` followed by either
``6,24 unequal: No Solution`` / ``24,24 equal: Goal Reached`` (one number left) or
``Generated Node #0,0: 24:[4, 3, 6] Operation: 4+2=6`` and ``Moving to Node #0,0``; node
ids are paths of child positions from the root ``0``. After a subtree, the log moves
back to the parent and restates it. Records carry ``nums``, ``target``, ``solution``,
``search_path``, ``rating``, ``search_type``, ``optimal_path`` and ``heuristic``.

:func:`paper_trace` renders a :func:`~generators.search.engines.dfs` result over an
integer-only :class:`~generators.search.countdown.Countdown` (fractions cannot be
written in this format); transpositions the search skipped are not written.
"""

from __future__ import annotations

import math
from typing import Any

from generators.search.countdown import Combine, Countdown, CountdownState
from generators.search.engines import SearchNode, SearchResult

HEURISTIC = "closest_to_target"
"""Name of the move ordering the DFS uses (the env's heuristic), for the record."""


def numbers(state: CountdownState) -> str:
    """``[4, 3, 6]``: the remaining numbers in order."""
    return "[" + ", ".join(str(int(item.value)) for item in state) + "]"


def operation(move: Combine) -> str:
    """``4+2=6``: no spaces, whole numbers."""
    return f"{int(move.left)}{move.op}{int(move.right)}={int(move.result)}"


def _operations(ops: list[str]) -> str:
    return "[" + ", ".join(f"'{op}'" for op in ops) + "]"


class _Log:
    """Walks a finished DFS tree in visit order and writes the lines."""

    def __init__(self, result: SearchResult, env: Countdown) -> None:
        self.nodes, self.target = result.nodes, int(env.target)
        self.lines: list[str] = []
        self.reached = False

    def state(self, node: SearchNode, ops: list[str]) -> str:
        return f"Current State: {self.target}:{numbers(node.state)}, Operations: {_operations(ops)}"

    def visit(self, node: SearchNode, node_id: str, ops: list[str]) -> None:
        self.lines.append(self.state(node, ops))
        for position, child_id in enumerate(node.children):
            self.explore(self.nodes[child_id], f"{node_id},{position}", ops)
            if self.reached:
                return
            if position < len(node.children) - 1:
                self.lines.append(f"Moving to Node #{node_id}")
                self.lines.append(self.state(node, ops))

    def explore(self, child: SearchNode, child_id: str, ops: list[str]) -> None:
        op = operation(child.move)  # type: ignore[arg-type]
        result = numbers(child.state)
        self.lines.append(f"Exploring Operation: {op}, Resulting Numbers: {result}")
        if len(child.state) == 1:
            value = int(child.state[0].value)
            self.reached = child.reward == 1.0
            verdict = "equal: Goal Reached" if self.reached else "unequal: No Solution"
            self.lines.append(f"{value},{self.target} {verdict}")
            return
        self.lines.append(f"Generated Node #{child_id}: {self.target}:{result} Operation: {op}")
        self.lines.append(f"Moving to Node #{child_id}")
        self.visit(child, child_id, [*ops, op])


def paper_trace(result: SearchResult, env: Countdown) -> str:
    """The search log of a DFS ``result`` on ``env`` in the authors' format (each line
    ends in a newline, as theirs do)."""
    if result.engine != "dfs" or not env.integers:
        raise ValueError("the paper format logs a DFS over an integer-only Countdown")
    log = _Log(result, env)
    log.visit(result.nodes[0], "0", [])
    return "\n".join(log.lines) + "\n"


def optimal_path(env: Countdown, moves: list[Combine]) -> str:
    """The solution alone, in the authors' no-backtracking format."""
    state = env.initial()
    target, done = int(env.target), []
    lines = [f"Current State: {target}:{numbers(state)}, Operations: []"]
    for index, move in enumerate(moves, start=2):
        state, op = env.apply(state, move), operation(move)
        lines.append(f"Exploring Operation: {op}, Resulting Numbers: {numbers(state)}")
        if len(state) == 1:
            lines.append(f"{int(state[0].value)},{target} equal: Goal Reached")
            break
        done.append(op)
        lines.append(f"Generated Node #{index}: {numbers(state)} from Operation: {op}")
        lines.append(f"Current State: {target}:{numbers(state)}, Operations: {_operations(done)}")
    return "\n".join(lines) + "\n"


def tree_size(count: int) -> int:
    """Operations a full search over ``count`` numbers could try (4 per pair and level):
    the authors' rating denominator (48, 1152, 46080 for 3, 4, 5 numbers)."""
    return math.prod(math.comb(k, 2) * 4 for k in range(2, count + 1))


def paper_record(result: SearchResult, env: Countdown) -> dict[str, Any]:
    """One record in the authors' field layout for a solved DFS ``result``."""
    if not result.solved:
        raise ValueError("a record needs a solved search")
    trace = paper_trace(result, env)
    moves: list[Combine] = result.path_moves()  # type: ignore[assignment]
    explored = trace.count("Exploring Operation") + 1
    return {
        "nums": list(env.numbers),
        "target": int(env.target),
        "solution": [operation(move) for move in moves],
        "search_path": trace,
        "rating": max(0.0, 1.0 - explored / tree_size(len(env.numbers))),
        "search_type": "dfs",
        "optimal_path": optimal_path(env, moves),
        "heuristic": HEURISTIC,
    }
