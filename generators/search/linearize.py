"""Turn searches into training text: Stream-of-Search lines and ASTRO-style chains of thought.

:func:`stream_of_search` writes a finished search's events in the order the search made
them (states, operations, generated node ids, moves between nodes, goal / no solution), so
a model sees exploration, not only the optimal path. :func:`astro` walks a known solution
and injects exactly ``backtracks`` wrong branches, each followed legally through the
environment to a failing terminal, explained, reflected on and backed out of to the
state it left (named by that state), so every step of the text can be replayed and the
final answer is the verified one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import Literal, TypeVar

from generators.search.engines import Event, SearchNode, SearchResult
from generators.search.env import Environment
from generators.search.phrases import DEFAULT_PHRASINGS, Phrasings

State = Hashable
Move = Hashable
T = TypeVar("T")


def _reward_line(reward: float | None) -> str:
    return "Goal Reached" if reward == 1.0 else "Not the goal"


def _expand_lines(
    event: Event, node: SearchNode, nodes: list[SearchNode], env: Environment
) -> Iterator[str]:
    """The expanded state, each move explored from it and the node it generated, if any."""
    yield f"Current State #{node.id}: {node.description}"
    by_move = {nodes[c].move: c for c in node.children}
    for move, text in zip(event.moves, event.move_texts, strict=True):
        child = by_move.get(move)
        if child is None:
            after = env.describe(env.apply(node.state, move))
            yield f"Exploring Operation: {text}, Resulting State: {after}"
        else:
            after = nodes[child].description
            yield f"Exploring Operation: {text}, Resulting State: {after}, Generated Node #{child}"


def _rollout_lines(event: Event, node: SearchNode, nodes: list[SearchNode]) -> Iterator[str]:
    """The rollout and, when it verified, the nodes it added to the tree (so a solution
    path through them cites only introduced nodes)."""
    played = "; ".join(event.move_texts) or "no moves"
    yield f"Rollout from Node #{node.id}: {played} -> {event.detail}"
    yield _reward_line(event.reward)
    if event.reward != 1.0:
        return
    current = node
    while made := [c for c in current.children if nodes[c].from_rollout]:
        child = nodes[made[0]]
        yield (
            f"Generated Node #{child.id} from Node #{current.id}: {child.move_text}, "
            f"Resulting State: {child.description}"
        )
        current = child


def _event_lines(event: Event, nodes: list[SearchNode], env: Environment) -> Iterator[str]:
    node = nodes[event.node]
    if event.kind == "select":
        yield f"Moving to Node #{node.id}: {node.description}"
    elif event.kind == "expand":
        yield from _expand_lines(event, node, nodes, env)
    elif event.kind == "rollout":
        yield from _rollout_lines(event, node, nodes)
    elif event.kind == "terminal":
        yield f"Terminal Node #{node.id}: {event.detail}"
        yield _reward_line(event.reward)
    elif event.kind == "backtrack":
        target = "the start" if event.target is None else f"Node #{event.target}"
        yield f"Moving back from Node #{node.id} to {target}"


def stream_of_search(result: SearchResult, env: Environment) -> str:
    """Stream-of-Search lines for ``result``; ends in ``<answer>`` or ``No Solution``.

    Every node is introduced (``Generated Node #k``, or the root's first ``Current State
    #0``) before a line cites it; MCTS backpropagation is not written, its reward being
    the one the line before stated.
    """
    nodes = result.nodes
    lines = [line for event in result.events for line in _event_lines(event, nodes, env)]
    if not result.solved:
        lines.append("No Solution")
        return "\n".join(lines)
    path = result.solution_path or []
    final = nodes[path[-1]]
    lines.append("Solution Path: " + " -> ".join(f"#{i}" for i in path))
    lines.append(f"<answer>{env.answer(final.state)}</answer>")
    return "\n".join(lines)


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
    reflections: tuple[str, ...]


def _plausible_order(
    scored: Sequence[tuple[float, T]], rng: Random, plausibility: float
) -> list[T]:
    """Items most plausible first: a blend of their heuristic rank (weight
    ``plausibility``) and seeded noise, so 1 always takes the best-looking near miss and 0
    is uniformly random."""
    ranked = sorted(range(len(scored)), key=lambda i: scored[i][0])
    rank = {i: (r + 1) / len(ranked) for r, i in enumerate(ranked)}
    keys = {i: plausibility * rank[i] + (1 - plausibility) * rng.random() for i in rank}
    return [scored[i][1] for i in sorted(keys, key=lambda i: -keys[i])]


def _failing_continuation(
    env: Environment, start: State, rng: Random, budget: int, plausibility: float
) -> list[Move] | None:
    """Moves from ``start`` to a terminal whose reward is not 1, by a DFS that tries the
    plausible-looking moves first (at most ``budget`` states examined)."""
    stack: list[tuple[State, list[Move]]] = [(start, [])]
    while stack and budget > 0:
        budget -= 1
        state, moves = stack.pop()
        if env.is_terminal(state):
            if env.reward(state) != 1.0:
                return moves
            continue
        scored = [(env.heuristic(state, m), m) for m in env.moves(state)]
        options = _plausible_order(scored, rng, plausibility)
        stack.extend((env.apply(state, m), [*moves, m]) for m in reversed(options))
    return None


def _finished(env: Environment, state: State) -> bool:
    """Whether a terminal spells out an answer (a wrong one) rather than being stuck."""
    try:
        env.answer(state)
    except ValueError:
        return False
    return True


def _path_states(env: Environment, solution_moves: Sequence[Move]) -> list[State]:
    """The states along a solution, checked legal and ending at a verified terminal."""
    path_states = [env.initial()]
    for move in solution_moves:
        state = path_states[-1]
        if env.is_terminal(state) or move not in env.moves(state):
            raise ValueError(f"{env.describe_move(move)} is not legal in {env.describe(state)}")
        path_states.append(env.apply(state, move))
    final = path_states[-1]
    if not env.is_terminal(final) or env.reward(final) != 1.0:
        raise ValueError("solution_moves do not end at a verified terminal")
    return path_states


Detour = tuple[int, list[Move]]  # (depth on the solution path, moves to a failing terminal)


def _detours(
    env: Environment,
    path_states: list[State],
    solution_moves: Sequence[Move],
    rng: Random,
    options: tuple[int, int, float],
) -> list[Detour]:
    """Up to ``backtracks`` wrong branches off the path, near misses first (see
    :func:`_plausible_order`), each continued to a failing terminal."""
    backtracks, budget, plausibility = options
    scored = [
        (env.heuristic(state, move), (depth, move))
        for depth, state in enumerate(path_states[:-1])
        for move in env.moves(state)
        if move != solution_moves[depth]
    ]
    detours: list[Detour] = []
    for depth, move in _plausible_order(scored, rng, plausibility):
        if len(detours) == backtracks:
            break
        after = env.apply(path_states[depth], move)
        rest = _failing_continuation(env, after, rng, budget, plausibility)
        if rest is not None:
            detours.append((depth, [move, *rest]))
    return sorted(detours, key=lambda detour: detour[0])


class _Writer:
    """Accumulates an ASTRO trace's sentences and segments."""

    def __init__(self, env: Environment, rng: Random, phrasings: Phrasings) -> None:
        self.env, self.rng, self.phrasings = env, rng, phrasings
        self.text: list[str] = []
        self.segments: list[Segment] = []
        self.reflections: list[str] = []

    def say(self, templates: tuple[str, ...], **fields: str) -> None:
        self.text.append(self.rng.choice(templates).format(**fields))

    def walk(self, kind: Literal["path", "detour"], depth: int, start: State, moves) -> State:
        states, state = [], start
        for move in moves:
            state = self.env.apply(state, move)
            states.append(state)
            self.say(
                self.phrasings.step,
                move=self.env.describe_move(move),
                state=self.env.describe(state),
            )
        self.segments.append(Segment(kind, depth, tuple(moves), tuple(states)))
        return state

    def fail(self, end: State, branch_point: State, wrong: Move, depth: int) -> None:
        """Say what failed, reflect, and go back to the branch point named by its state."""
        env, phrasings = self.env, self.phrasings
        why = env.failure(end)
        failure = phrasings.wrong_finish if _finished(env, end) else phrasings.dead_end
        self.say(failure, state=env.describe(end), why=why)
        reflection = phrasings.reflection(self.rng, why)
        self.reflections.append(reflection)
        self.text.append(reflection)
        back = phrasings.backtrack if depth else phrasings.backtrack_to_start
        self.say(back, state=env.describe(branch_point), move=env.describe_move(wrong))


def astro(
    env: Environment,
    solution_moves: Sequence[Move],
    *,
    backtracks: int,
    seed: int,
    phrasings: Phrasings = DEFAULT_PHRASINGS,
    detour_budget: int = 2_000,
    plausibility: float = 0.8,
) -> AstroTrace:
    """ASTRO-style trace along ``solution_moves`` with up to ``backtracks`` failed branches.

    Each branch leaves the solution path at some depth by a legal move not on the path —
    near misses (high heuristic) first, weighted by ``plausibility`` in 0..1 — continues
    plausibly to a dead end or a wrong finished state (at most ``detour_budget`` states
    examined per branch), says what fails, reflects, and backtracks to the state it left.
    When fewer wrong branches exist, fewer are taken; ``backtracks_taken`` says how many.
    """
    if backtracks < 0:
        raise ValueError("backtracks must be non-negative")
    if not 0.0 <= plausibility <= 1.0:
        raise ValueError("plausibility must be within 0..1")
    path_states = _path_states(env, solution_moves)
    rng = Random(seed)
    detours = _detours(
        env, path_states, solution_moves, rng, (backtracks, detour_budget, plausibility)
    )
    writer = _Writer(env, rng, phrasings)
    writer.say(phrasings.opening, state=env.describe(path_states[0]))
    done = 0
    for depth, moves in [*detours, (len(solution_moves), [])]:
        if depth > done:
            writer.walk("path", done, path_states[done], solution_moves[done:depth])
            done = depth
        if moves:
            end = writer.walk("detour", depth, path_states[depth], moves)
            writer.fail(end, path_states[depth], moves[0], depth)
    final = path_states[-1]
    answer = env.answer(final)
    writer.say(phrasings.closing, state=env.describe(final))
    writer.text.append(f"<answer>{answer}</answer>")
    return AstroTrace(
        text="\n".join(writer.text),
        answer=answer,
        backtracks_requested=backtracks,
        backtracks_taken=len(detours),
        segments=tuple(writer.segments),
        reflections=tuple(writer.reflections),
    )
