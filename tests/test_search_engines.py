"""MCTS / DFS / BFS over the task environments: solutions, determinism, budgets."""

from __future__ import annotations

import pytest

from generators.base import make_problem
from generators.registry import get_task
from generators.search.countdown import Countdown
from generators.search.engines import SearchResult, bfs, dfs, mcts
from generators.search.env import TaskEnvironment, verifies
from generators.search.knights_knaves import KnightsKnaves
from generators.search.nlsat import NLSat
from generators.search.sudoku import Sudoku


def made(task: str, index: int, **knobs: object):
    spec = get_task(task)
    return make_problem(spec, spec.config_for_level(None, knobs), 11, index)


ENVS = {
    "countdown4": lambda i: Countdown(made("game_of_24", i, n_numbers=4)),
    "knights3": lambda i: KnightsKnaves(made("knights_knaves", i, n_people=3)),
    "knights5": lambda i: KnightsKnaves(made("knights_knaves", i, n_people=5, depth=3)),
    "sudoku4": lambda i: Sudoku(made("sudoku", i, size=4, clues=6)),
    "nlsat8": lambda i: NLSat(made("nlsat", i, n_vars=8, alpha=3.4, question="assignment")),
}
ENGINES = {
    "mcts": lambda env: mcts(env, iterations=3000, seed=3),
    "mcts_heuristic": lambda env: mcts(env, iterations=3000, seed=3, rollout="heuristic"),
    "dfs": lambda env: dfs(env, max_nodes=50_000),
    "bfs": lambda env: bfs(env, max_nodes=50_000),
}


def check_tree(env: TaskEnvironment, result: SearchResult) -> None:
    """Ids, parents, depths and children agree; every child is a legal move of its parent."""
    for position, node in enumerate(result.nodes):
        assert node.id == position and node.order == position
        if node.parent is None:
            assert node.id == 0 and node.depth == 0 and node.state == env.initial()
            continue
        parent = result.nodes[node.parent]
        assert node.id in parent.children and node.depth == parent.depth + 1
        assert node.move in env.moves(parent.state)
        assert env.apply(parent.state, node.move) == node.state
        assert node.terminal == env.is_terminal(node.state)
    for event in result.events:
        assert 0 <= event.node < len(result.nodes)


def check_solution(env: TaskEnvironment, result: SearchResult) -> None:
    assert result.solved and result.reason == "solved" and not result.exhausted
    path = result.solution_path
    assert path[0] == 0
    state = env.initial()
    for parent, child in zip(path, path[1:], strict=False):
        assert result.nodes[child].parent == parent
        move = result.nodes[child].move
        assert move in env.moves(state)
        state = env.apply(state, move)
    last = result.nodes[path[-1]]
    assert last.terminal and last.reward == 1.0 and last.state == state
    assert verifies(env.problem, env.answer(state))
    assert result.nodes_to_first_solution == len(result.nodes)
    assert 1 <= result.iterations_to_first_solution == result.iterations


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ENVS)
@pytest.mark.parametrize("index", [0, 1])
def test_engines_solve_small_instances(engine: str, name: str, index: int) -> None:
    env = ENVS[name](index)
    result = ENGINES[engine](env)
    check_tree(env, result)
    check_solution(env, result)
    if engine.startswith("mcts"):
        assert result.iterations_to_first_solution <= result.params["iterations"]
        kinds = {event.kind for event in result.events}
        assert {"select", "backpropagate"} <= kinds


@pytest.mark.parametrize("rollout", ["uniform", "heuristic"])
def test_mcts_same_seed_same_result(rollout: str) -> None:
    env = ENVS["countdown4"](0)
    first = mcts(env, iterations=500, seed=5, rollout=rollout)
    again = mcts(ENVS["countdown4"](0), iterations=500, seed=5, rollout=rollout)
    assert first == again
    others = [mcts(env, iterations=500, seed=seed, rollout=rollout) for seed in range(6, 10)]
    assert any(other.events != first.events for other in others)


def test_dfs_bfs_are_deterministic() -> None:
    for engine in (dfs, bfs):
        assert engine(ENVS["knights5"](0)) == engine(ENVS["knights5"](0))


@pytest.mark.parametrize("engine", ENGINES)
def test_unsolvable_countdown_is_exhausted(engine: str) -> None:
    env = Countdown.from_numbers([1, 1, 1, 1], 1000)
    result = ENGINES[engine](env)
    assert not result.solved and result.solution_path is None
    assert result.exhausted and result.reason == "exhausted"
    assert result.iterations_to_first_solution is None is result.nodes_to_first_solution
    assert result.iterations < 3000
    terminals = [n for n in result.nodes if n.terminal]
    assert terminals and all(n.reward == 0.0 for n in terminals)
    check_tree(env, result)


def test_budgets_hold_on_a_hard_instance() -> None:
    env = Countdown.from_numbers([1, 1, 2, 2, 3, 3], 997)
    small = mcts(env, iterations=7, seed=0)
    assert small.iterations <= 7 and (small.solved or small.reason == "budget")
    for engine in (dfs, bfs):
        result = engine(env, max_nodes=40)
        assert len(result.nodes) <= 40
        assert result.solved or (result.reason == "budget" and not result.exhausted)
    with pytest.raises(ValueError):
        mcts(env, iterations=0)


def test_dfs_backtracks_to_an_ancestor() -> None:
    env = KnightsKnaves(made("knights_knaves", 0, n_people=5, depth=3), prune=False)
    result = dfs(env)
    check_solution(env, result)
    backtracks = [e for e in result.events if e.kind == "backtrack"]
    failures = [e for e in result.events if e.kind == "terminal" and e.reward == 0.0]
    assert len(backtracks) == len(failures)  # every wrong assignment is backed out of
    for event in backtracks:
        ancestors = result.nodes[event.node]
        path = []
        while ancestors.parent is not None:
            path.append(ancestors.parent)
            ancestors = result.nodes[ancestors.parent]
        assert event.target in path


def test_mcts_events_follow_the_iterations() -> None:
    env = ENVS["countdown4"](1)
    result = mcts(env, iterations=3000, seed=1)
    iterations = [e.iteration for e in result.events]
    assert iterations == sorted(iterations) and iterations[-1] == result.iterations
    rollouts = [e for e in result.events if e.kind == "rollout"]
    assert rollouts and all(len(e.moves) == len(e.move_texts) for e in rollouts)
    assert all(e.reward == 0.0 for e in rollouts[:-1])
