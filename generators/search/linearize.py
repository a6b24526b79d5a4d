"""Turn searches into training text: Stream-of-Search lines and ASTRO-style chains of thought.

:func:`stream_of_search` writes a finished search's events in the order the search made
them (states, operations, generated node ids, moves between nodes, goal / no solution), so
a model sees exploration, not only the optimal path. :func:`astro` walks a known solution
and injects exactly ``backtracks`` wrong branches, each followed legally through the
environment to a failing terminal, reflected on and backed out of to a named ancestor,
so every step of the text can be replayed and the final answer is the verified one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from random import Random
from typing import Literal

from generators.search.engines import SearchResult
from generators.search.env import Environment

State = Hashable
Move = Hashable


def _reward_line(reward: float | None) -> str:
    return "Goal Reached" if reward == 1.0 else "Not the goal"


def stream_of_search(result: SearchResult, env: Environment) -> str:
    """Stream-of-Search lines for ``result``; ends in ``<answer>`` or ``No Solution``."""
    nodes = result.nodes
    lines: list[str] = []
    for event in result.events:
        node = nodes[event.node]
        if event.kind == "select":
            lines.append(f"Moving to Node #{node.id}: {node.description}")
        elif event.kind == "expand":
            lines.append(f"Current State #{node.id}: {node.description}")
            by_move = {nodes[c].move: c for c in node.children}
            for move, text in zip(event.moves, event.move_texts, strict=True):
                after = env.describe(env.apply(node.state, move))
                child = by_move.get(move)
                made = f", Generated Node #{child}" if child is not None else ""
                lines.append(f"Exploring Operation: {text}, Resulting State: {after}{made}")
        elif event.kind == "rollout":
            played = "; ".join(event.move_texts) or "no moves"
            lines.append(f"Rollout from Node #{node.id}: {played} -> {event.detail}")
            lines.append(_reward_line(event.reward))
        elif event.kind == "terminal":
            lines.append(f"Terminal Node #{node.id}: {event.detail}")
            lines.append(_reward_line(event.reward))
        elif event.kind == "backpropagate":
            lines.append(f"Backpropagating reward {event.reward:g} from Node #{node.id}")
        elif event.kind == "backtrack":
            target = "the start" if event.target is None else f"Node #{event.target}"
            lines.append(f"Moving back from Node #{node.id} to {target}")
    if not result.solved:
        lines.append("No Solution")
        return "\n".join(lines)
    path = result.solution_path or []
    final = nodes[path[-1]]
    lines.append("Solution Path: " + " -> ".join(f"#{i}" for i in path))
    lines.append(f"<answer>{env.answer(final.state)}</answer>")
    return "\n".join(lines)


@dataclass(frozen=True)
class Phrasings:
    """Alternative sentences for each part of an ASTRO trace; the seeded rng picks one.

    Fields are ``str.format`` templates over ``state``, ``move`` and (backtrack) ``point``.
    """

    opening: tuple[str, ...]
    step: tuple[str, ...]
    dead_end: tuple[str, ...]
    wrong_finish: tuple[str, ...]
    reflection: tuple[str, ...]
    backtrack: tuple[str, ...]
    closing: tuple[str, ...]


DEFAULT_PHRASINGS = Phrasings(
    opening=(
        "Let me work through this step by step, starting from: {state}.",
        "I'll build the answer one decision at a time. At the start we have: {state}.",
        "Starting point: {state}. Let me proceed carefully.",
    ),
    step=(
        "Next, {move}. Now we have: {state}.",
        "Let me try {move}, which gives: {state}.",
        "I'll take {move}; that leaves: {state}.",
        "Suppose {move}. Then the situation is: {state}.",
    ),
    dead_end=(
        "From here no move is possible: {state}.",
        "This is a dead end, since nothing can be done from {state}.",
        "I'm stuck at {state}; there is no legal way to continue.",
    ),
    wrong_finish=(
        "This finishes at {state}, but that answer does not check out.",
        "Everything is decided ({state}), yet the result is not a valid solution.",
        "We end at {state}, which does not solve the problem.",
    ),
    reflection=(
        "But wait, are we solving the problem correctly so far?",
        "Hold on, is this really leading to a correct solution?",
        "Wait a moment, let me double-check whether this path can work.",
        "Hmm, let me verify the reasoning up to this point.",
    ),
    backtrack=(
        "This branch fails, so I'll go back to {point}, where we had {state}, "
        "and try something else.",
        "Let me backtrack to {point} ({state}) and choose differently.",
        "Returning to {point}: {state}. Another option is needed.",
    ),
    closing=(
        "This reaches the goal: {state}. The answer checks out.",
        "Everything is consistent now: {state}. That solves it.",
        "Finally we arrive at {state}, which is a correct solution.",
    ),
)


@dataclass(frozen=True)
class Segment:
    """A run of moves narrated in the trace.

    ``kind`` is ``"path"`` (part of the solution) or ``"detour"`` (a wrong branch that ends
    at a failing terminal and is backed out of); ``start_depth`` is the position on the
    solution path it starts from and ``states`` the states after each move.
    """

    kind: Literal["path", "detour"]
    start_depth: int
    moves: tuple[Move, ...]
    states: tuple[State, ...]


@dataclass(frozen=True)
class AstroTrace:
    """An ASTRO-style chain of thought and what is needed to replay and check it."""

    text: str
    answer: str
    backtracks_requested: int
    backtracks_taken: int
    segments: tuple[Segment, ...]


def _failing_continuation(
    env: Environment, start: State, rng: Random, budget: int
) -> list[Move] | None:
    """Moves from ``start`` to a terminal whose reward is not 1, by randomised DFS."""
    stack: list[tuple[State, list[Move]]] = [(start, [])]
    while stack and budget > 0:
        budget -= 1
        state, moves = stack.pop()
        if env.is_terminal(state):
            if env.reward(state) != 1.0:
                return moves
            continue
        options = list(env.moves(state))
        rng.shuffle(options)
        stack.extend((env.apply(state, m), [*moves, m]) for m in options)
    return None


def _finished(env: Environment, state: State) -> bool:
    """Whether a terminal spells out an answer (a wrong one) rather than being stuck."""
    try:
        env.answer(state)
    except ValueError:
        return False
    return True


def astro(
    env: Environment,
    solution_moves: Sequence[Move],
    *,
    backtracks: int,
    seed: int,
    phrasings: Phrasings = DEFAULT_PHRASINGS,
    detour_budget: int = 2_000,
) -> AstroTrace:
    """ASTRO-style trace along ``solution_moves`` with up to ``backtracks`` failed branches.

    Each branch leaves the solution path at some depth by a legal move not on the path,
    continues legally to a dead end or a wrong finished state (at most ``detour_budget``
    states examined per branch), reflects, and backtracks to that depth. When fewer wrong
    branches exist, fewer are taken; ``backtracks_taken`` says how many.
    """
    if backtracks < 0:
        raise ValueError("backtracks must be non-negative")
    path_states = [env.initial()]
    for move in solution_moves:
        state = path_states[-1]
        if env.is_terminal(state) or move not in env.moves(state):
            raise ValueError(f"{env.describe_move(move)} is not legal in {env.describe(state)}")
        path_states.append(env.apply(state, move))
    final = path_states[-1]
    if not env.is_terminal(final) or env.reward(final) != 1.0:
        raise ValueError("solution_moves do not end at a verified terminal")

    rng = Random(seed)
    candidates = [
        (depth, move)
        for depth, state in enumerate(path_states[:-1])
        for move in env.moves(state)
        if move != solution_moves[depth]
    ]
    rng.shuffle(candidates)
    detours: list[tuple[int, Move, list[Move]]] = []
    for depth, move in candidates:
        if len(detours) == backtracks:
            break
        after = env.apply(path_states[depth], move)
        rest = _failing_continuation(env, after, rng, detour_budget)
        if rest is not None:
            detours.append((depth, move, [move, *rest]))
    detours.sort(key=lambda detour: detour[0])

    text: list[str] = [rng.choice(phrasings.opening).format(state=env.describe(path_states[0]))]
    segments: list[Segment] = []

    def narrate(start: State, moves: list[Move]) -> list[State]:
        states, state = [], start
        for move in moves:
            state = env.apply(state, move)
            states.append(state)
            template = rng.choice(phrasings.step)
            text.append(template.format(move=env.describe_move(move), state=env.describe(state)))
        return states

    done = 0
    for depth, _, moves in [*detours, (len(solution_moves), None, [])]:
        if depth > done:
            walk = list(solution_moves[done:depth])
            states = narrate(path_states[done], walk)
            segments.append(Segment("path", done, tuple(walk), tuple(states)))
            done = depth
        if not moves:
            continue
        states = narrate(path_states[depth], moves)
        segments.append(Segment("detour", depth, tuple(moves), tuple(states)))
        end = states[-1]
        failure = phrasings.wrong_finish if _finished(env, end) else phrasings.dead_end
        text.append(rng.choice(failure).format(state=env.describe(end)))
        text.append(rng.choice(phrasings.reflection))
        ancestor = env.describe(path_states[depth])
        point = f"the state after move {depth}" if depth else "the start"
        text.append(rng.choice(phrasings.backtrack).format(point=point, state=ancestor))
    answer = env.answer(final)
    text.append(rng.choice(phrasings.closing).format(state=env.describe(final)))
    text.append(f"<answer>{answer}</answer>")
    return AstroTrace(
        text="\n".join(text),
        answer=answer,
        backtracks_requested=backtracks,
        backtracks_taken=len(detours),
        segments=tuple(segments),
    )
