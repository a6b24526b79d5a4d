"""Search engines over an :class:`~generators.search.env.Environment`: MCTS (UCT), DFS, BFS.

Every engine stops at the first terminal whose reward is 1 (a verified answer) and returns
a :class:`SearchResult`: the explored tree, the events in the order the search made them,
the solution path, and ThinkLite-style difficulty (iterations and nodes to the first
solution). Budgets are hard caps (MCTS iterations, DFS/BFS nodes), so a search always
ends; ``exhausted`` says the whole space was explored without a solution. The only
randomness is a ``random.Random(seed)``, so one env and seed always give one result.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from random import Random
from typing import Any

from generators.search.env import DEAD, Environment
from generators.search.policy import Policy, resolve_policy


@dataclass
class SearchNode:
    """One explored state. ``order`` is when it was first visited (0 = root)."""

    id: int
    parent: int | None
    move: Hashable | None
    move_text: str | None
    state: Hashable
    description: str
    depth: int
    terminal: bool
    reward: float | None  # set for terminal nodes only
    order: int
    children: list[int] = field(default_factory=list)
    visits: int = 0  # MCTS statistics
    value: float = 0.0
    from_rollout: bool = False  # materialised from the rollout that found the solution


@dataclass(frozen=True)
class Event:
    """One step of the search, in order.

    Kinds: ``select`` (MCTS descent to ``node``), ``expand`` (``node`` got the children
    ``children``), ``rollout`` (from ``node``: ``moves`` played, ending at a terminal
    described by ``detail`` with ``reward``), ``terminal`` (tree node ``node`` is terminal
    with ``reward``), ``backpropagate`` (MCTS: ``reward`` added along the path to
    ``node``), ``backtrack`` (DFS: from ``node`` back up to its ancestor ``target``).
    """

    kind: str
    node: int
    iteration: int
    reward: float | None = None
    children: tuple[int, ...] = ()
    moves: tuple[Hashable, ...] = ()
    move_texts: tuple[str, ...] = ()
    target: int | None = None
    detail: str = ""


@dataclass
class SearchResult:
    """Tree, events, solution and difficulty of one search.

    ``iterations`` counts MCTS iterations (DFS/BFS: nodes visited); ``reason`` says why the
    search stopped: ``"solved"``, ``"budget"`` (cap reached) or ``"exhausted"`` (every
    reachable state explored, no solution).
    """

    engine: str
    params: dict[str, Any]
    nodes: list[SearchNode]
    events: list[Event]
    solution_path: list[int] | None
    iterations_to_first_solution: int | None
    nodes_to_first_solution: int | None
    iterations: int
    exhausted: bool
    reason: str

    @property
    def solved(self) -> bool:
        return self.solution_path is not None

    @property
    def total_nodes(self) -> int:
        return len(self.nodes)

    def path_moves(self) -> list[Hashable]:
        """Moves from the root to the solution (empty when unsolved)."""
        return [self.nodes[i].move for i in (self.solution_path or [])[1:]]


class _Tree:
    """Node store shared by the engines."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.nodes: list[SearchNode] = []
        self.events: list[Event] = []

    def add(self, parent: int | None, move: Hashable | None, state: Hashable) -> SearchNode:
        env = self.env
        terminal = env.is_terminal(state)
        node = SearchNode(
            id=len(self.nodes),
            parent=parent,
            move=move,
            move_text=None if move is None else env.describe_move(move),
            state=state,
            description=env.describe(state),
            depth=0 if parent is None else self.nodes[parent].depth + 1,
            terminal=terminal,
            reward=env.reward(state) if terminal else None,
            order=len(self.nodes),
        )
        self.nodes.append(node)
        if parent is not None:
            self.nodes[parent].children.append(node.id)
        return node

    def path(self, node: int) -> list[int]:
        ids = []
        current: int | None = node
        while current is not None:
            ids.append(current)
            current = self.nodes[current].parent
        return ids[::-1]

    def result(self, engine: str, params: dict[str, Any], **outcome: Any) -> SearchResult:
        return SearchResult(
            engine=engine, params=params, nodes=self.nodes, events=self.events, **outcome
        )


def _finish(
    tree: _Tree,
    engine: str,
    params: dict[str, Any],
    iterations: int,
    solution: int | None,
    exhausted: bool,
) -> SearchResult:
    solved = solution is not None
    return tree.result(
        engine,
        params,
        solution_path=tree.path(solution) if solved else None,
        iterations_to_first_solution=iterations if solved else None,
        nodes_to_first_solution=len(tree.nodes) if solved else None,
        iterations=iterations,
        exhausted=exhausted and not solved,
        reason="solved" if solved else "exhausted" if exhausted else "budget",
    )


FrontierEntry = tuple[int | None, Hashable | None, Hashable]  # (parent id, move, state)


def _transposed(env: Environment, seen: set[Hashable], entry: FrontierEntry) -> bool:
    """Whether the entry's state was met before under another path (and record it)."""
    key = env.key(entry[2])
    if key in seen:
        return True
    seen.add(key)
    return False


def _by_heuristic(env: Environment, state: Hashable, moves: list[Hashable]) -> list[Hashable]:
    """``moves`` best-looking first (stable, so ties keep the env's order), without those
    the heuristic proves :data:`~generators.search.env.DEAD`."""
    scores = {i: env.heuristic(state, m) for i, m in enumerate(moves)}
    alive = [i for i in scores if scores[i] != DEAD]
    return [moves[i] for i in sorted(alive, key=lambda i: -scores[i])]


def _visit(
    tree: _Tree, env: Environment, entry: FrontierEntry, ordered: bool = False
) -> tuple[SearchNode, list]:
    """Add a frontier entry (parent, move, state) to the tree and record what it is: a
    terminal (no successors) or an expansion (its legal moves, in the env's order or, when
    ``ordered``, by the env's heuristic)."""
    parent, move, state = entry
    node = tree.add(parent, move, state)
    if node.terminal:
        tree.events.append(
            Event("terminal", node.id, len(tree.nodes), reward=node.reward, detail=node.description)
        )
        return node, []
    moves = env.moves(state)
    if ordered:
        moves = _by_heuristic(env, state, moves)
    tree.events.append(
        Event(
            "expand",
            node.id,
            len(tree.nodes),
            moves=tuple(moves),
            move_texts=tuple(map(env.describe_move, moves)),
        )
    )
    return node, moves


def dfs(env: Environment, *, max_nodes: int = 10_000, ordered: bool = False) -> SearchResult:
    """Depth-first search in the environment's move order (``ordered``: best heuristic
    first, provably dead moves left out), at most ``max_nodes`` visits; a state whose
    transposition key was visited before is skipped."""
    tree = _Tree(env)
    params = {"max_nodes": max_nodes, "ordered": ordered}
    stack: list[FrontierEntry] = [(None, None, env.initial())]
    seen: set[Hashable] = set()
    last: int | None = None
    while stack and len(tree.nodes) < max_nodes:
        entry = stack.pop()
        if _transposed(env, seen, entry):
            continue
        if last is not None and entry[0] != last:
            tree.events.append(Event("backtrack", last, len(tree.nodes), target=entry[0]))
        node, moves = _visit(tree, env, entry, ordered)
        last = node.id
        if node.terminal and node.reward == 1.0:
            return _finish(tree, "dfs", params, len(tree.nodes), node.id, False)
        stack.extend((node.id, m, env.apply(node.state, m)) for m in reversed(moves))
    return _finish(tree, "dfs", params, len(tree.nodes), None, not stack)


def bfs(env: Environment, *, max_nodes: int = 10_000) -> SearchResult:
    """Breadth-first search in the environment's move order, at most ``max_nodes`` visits;
    a state whose transposition key was visited before is skipped."""
    tree = _Tree(env)
    queue: deque[FrontierEntry] = deque([(None, None, env.initial())])
    seen: set[Hashable] = set()
    while queue and len(tree.nodes) < max_nodes:
        entry = queue.popleft()
        if _transposed(env, seen, entry):
            continue
        node, moves = _visit(tree, env, entry)
        if node.terminal and node.reward == 1.0:
            return _finish(tree, "bfs", {"max_nodes": max_nodes}, len(tree.nodes), node.id, False)
        queue.extend((node.id, m, env.apply(node.state, m)) for m in moves)
    return _finish(tree, "bfs", {"max_nodes": max_nodes}, len(tree.nodes), None, not queue)


class _Mcts:
    """UCT with progressive widening; see :func:`mcts`."""

    def __init__(
        self,
        env: Environment,
        c: float,
        expansions: int,
        policy: Policy,
        value_weight: float,
        seed: int,
        max_rollout_depth: int,
    ) -> None:
        self.env, self.c, self.expansions, self.policy = env, c, expansions, policy
        self.value_weight = value_weight
        self.rng = Random(seed)
        self.max_rollout_depth = max_rollout_depth
        self.tree = _Tree(env)
        self.untried: dict[int, list[Hashable]] = {}
        self.closed: set[int] = set()

    def pending(self, node: SearchNode) -> list[Hashable]:
        """Moves of ``node`` not yet expanded, in the order expansion takes them."""
        if node.id not in self.untried:
            moves = list(self.env.moves(node.state))
            self.untried[node.id] = self.policy.order(self.env, node.state, moves, self.rng)
        return self.untried[node.id]

    def widen(self, node: SearchNode) -> bool:
        """Whether ``node`` should get more children now (progressive widening)."""
        limit = self.expansions * (1 + math.isqrt(node.visits))
        return bool(self.pending(node)) and len(node.children) < limit

    def uct(self, parent: SearchNode, child: SearchNode) -> float:
        if child.visits == 0:
            return math.inf
        explore = self.c * math.sqrt(math.log(parent.visits) / child.visits)
        return child.value / child.visits + explore

    def select(self) -> list[int]:
        nodes = self.tree.nodes
        node = nodes[0]
        path = [0]
        while not node.terminal and not self.widen(node):
            options = [nodes[i] for i in node.children if i not in self.closed]
            if not options:  # every child explored: widen beyond the limit
                break
            node = max(options, key=lambda child, parent=node: self.uct(parent, child))
            path.append(node.id)
        return path

    def close(self, path: list[int]) -> None:
        """Mark fully explored nodes on ``path``, bottom up."""
        nodes = self.tree.nodes
        for i in reversed(path):
            node = nodes[i]
            done = node.terminal or (
                not self.pending(node) and all(c in self.closed for c in node.children)
            )
            if not done:
                return
            self.closed.add(i)

    def rollout(self, start: SearchNode, iteration: int) -> tuple[float, int | None]:
        """Play the policy to a terminal; (reward, id of the solution node if it verified)."""
        env, state, played = self.env, start.state, []
        while not env.is_terminal(state) and len(played) < self.max_rollout_depth:
            move = self.policy.choose(env, state, env.moves(state), self.rng)
            played.append(move)
            state = env.apply(state, move)
        reward = env.reward(state) if env.is_terminal(state) else 0.0
        self.tree.events.append(
            Event(
                "rollout",
                start.id,
                iteration,
                reward=reward,
                moves=tuple(played),
                move_texts=tuple(map(env.describe_move, played)),
                detail=env.describe(state),
            )
        )
        if reward != 1.0:
            return reward, None
        node, state = start, start.state
        for move in played:
            state = env.apply(state, move)
            node = self.tree.add(node.id, move, state)
            node.from_rollout = True
        return reward, node.id

    def blend(self, node: SearchNode, reward: float) -> float:
        """A failed rollout's reward mixed with the policy's value of ``node`` (AlphaGo-style
        leaf evaluation); a verified rollout keeps its 1."""
        if reward == 1.0 or not self.value_weight:
            return reward
        value = self.policy.value(self.env, node.state)
        if value is None:
            return reward
        return (1.0 - self.value_weight) * reward + self.value_weight * value

    def iterate(self, iteration: int) -> int | None:
        """One select/expand/rollout/backpropagate round; the solution node id if found."""
        tree, events = self.tree, self.tree.events
        path = self.select()
        leaf = tree.nodes[path[-1]]
        events.append(Event("select", leaf.id, iteration))
        solution: int | None = None
        if leaf.terminal:
            reward = leaf.reward or 0.0
            events.append(
                Event("terminal", leaf.id, iteration, reward=reward, detail=leaf.description)
            )
        else:
            pending = self.pending(leaf)
            taken, pending[:] = pending[: self.expansions], pending[self.expansions :]
            children = [tree.add(leaf.id, m, self.env.apply(leaf.state, m)) for m in taken]
            events.append(
                Event(
                    "expand",
                    leaf.id,
                    iteration,
                    children=tuple(c.id for c in children),
                    moves=tuple(taken),
                    move_texts=tuple(c.move_text or "" for c in children),
                )
            )
            for child in children:
                if child.terminal:
                    events.append(
                        Event(
                            "terminal",
                            child.id,
                            iteration,
                            reward=child.reward,
                            detail=child.description,
                        )
                    )
                    self.close([child.id])
            first = next((c for c in children if c.reward == 1.0), children[0])
            path.append(first.id)
            if first.terminal:
                reward = first.reward or 0.0
            else:
                reward, solution = self.rollout(first, iteration)
                reward = self.blend(first, reward)
        if reward == 1.0 and solution is None:
            solution = path[-1]
        for i in path:
            tree.nodes[i].visits += 1
            tree.nodes[i].value += reward
        events.append(Event("backpropagate", path[-1], iteration, reward=reward))
        self.close(path)
        return solution


def mcts(
    env: Environment,
    *,
    iterations: int = 50,
    c: float = 1.0,
    expansions: int = 3,
    rollout: str | Policy = "uniform",
    value_weight: float = 0.0,
    seed: int = 0,
    max_rollout_depth: int = 10_000,
) -> SearchResult:
    """Monte Carlo tree search with UCT, stopping at the first verified terminal.

    Each iteration selects by UCT (``c`` is the exploration constant; unvisited children
    first, ties to the earlier child) down to a node that may take more children, adds up
    to ``expansions`` of them (a node may hold ``expansions * (1 + isqrt(visits))``
    children, and more once all it has are fully explored; the ``rollout`` policy orders
    them), rolls out from the first new child with the policy (``"uniform"``,
    ``"heuristic"`` or a :class:`~generators.search.policy.Policy` such as the model
    policy) and backpropagates the terminal reward — mixed with the policy's value of the
    child by ``value_weight`` when the rollout failed and the policy gives values. A
    verified rollout is added to the tree so the solution path is made of nodes. Defaults
    follow ThinkLite-VL (50 iterations, c = 1.0, 3 children per expansion).
    """
    if iterations < 1 or expansions < 1:
        raise ValueError("iterations and expansions must be at least 1")
    if not 0.0 <= value_weight <= 1.0:
        raise ValueError("value_weight must be within 0..1")
    policy = resolve_policy(rollout)
    params = {
        "iterations": iterations,
        "c": c,
        "expansions": expansions,
        "rollout": policy.name,
        "value_weight": value_weight,
        "seed": seed,
    }
    search = _Mcts(env, c, expansions, policy, value_weight, seed, max_rollout_depth)
    search.tree.add(None, None, env.initial())
    done = 0
    for iteration in range(1, iterations + 1):
        if 0 in search.closed:
            break
        done = iteration
        solution = search.iterate(iteration)
        if solution is not None:
            return _finish(search.tree, "mcts", params, done, solution, False)
    return _finish(search.tree, "mcts", params, done, None, 0 in search.closed)
