"""Linearised search traces: ASTRO replays legally and verifies, SoS ends in answer or none."""

from __future__ import annotations

import re

import pytest

from generators.base import make_problem
from generators.registry import get_task
from generators.search.countdown import Countdown
from generators.search.engines import bfs, dfs, mcts
from generators.search.env import TaskEnvironment, verifies
from generators.search.knights_knaves import KnightsKnaves
from generators.search.linearize import AstroTrace, astro, stream_of_search
from generators.search.nlsat import NLSat
from generators.search.sudoku import Sudoku
from schemas.records import Problem


def problem(task: str, index: int = 0, **knobs: object) -> Problem:
    spec = get_task(task)
    return make_problem(spec, spec.config_for_level(None, knobs), 7, index)


FACTORIES = {
    "countdown": lambda: Countdown(problem("game_of_24", 0, n_numbers=4)),
    "knights_knaves": lambda: KnightsKnaves(problem("knights_knaves", 0, n_people=4), prune=False),
    "sudoku": lambda: Sudoku(problem("sudoku", 0, size=6, clues=14)),
    "nlsat": lambda: NLSat(
        problem("nlsat", 0, n_vars=8, alpha=3.4, question="assignment"), prune=False
    ),
}


def reflections(trace: AstroTrace) -> int:
    """Reflections the trace says it made, each checked to be in its text."""
    assert all(reflection in trace.text for reflection in trace.reflections)
    return len(trace.reflections)


def check_replay(env: TaskEnvironment, solution: list, trace: AstroTrace) -> None:
    """Every segment replays legally from its point on the path; detours fail, path solves."""
    path_states = [env.initial()]
    for move in solution:
        path_states.append(env.apply(path_states[-1], move))
    walked: list = []
    detours = 0
    for segment in trace.segments:
        state = path_states[segment.start_depth]
        for move, expected in zip(segment.moves, segment.states, strict=True):
            assert not env.is_terminal(state)
            assert move in env.moves(state), f"{env.describe_move(move)} is not legal"
            state = env.apply(state, move)
            assert state == expected
            assert env.describe_move(move) in trace.text
        if segment.kind == "detour":
            detours += 1
            assert segment.moves[0] != solution[segment.start_depth]
            assert env.is_terminal(state) and env.reward(state) != 1.0
        else:
            assert segment.start_depth == len(walked)
            walked.extend(segment.moves)
    assert walked == list(solution)
    assert detours == trace.backtracks_taken


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("k", [0, 1, 3])
def test_astro_replays_verifies_and_backtracks_k_times(name: str, k: int) -> None:
    env = FACTORIES[name]()
    solution = dfs(env, max_nodes=50_000).path_moves()
    trace = astro(env, solution, backtracks=k, seed=5)
    check_replay(env, solution, trace)
    assert trace.backtracks_taken == k == trace.backtracks_requested
    assert reflections(trace) == k
    answers = re.findall(r"<answer>(.*?)</answer>", trace.text, re.S)
    assert answers == [trace.answer]
    assert trace.text.endswith(f"<answer>{trace.answer}</answer>")
    assert verifies(env.problem, trace.answer)


def test_astro_takes_fewer_backtracks_when_wrong_branches_run_out() -> None:
    env = Countdown.from_numbers([1, 1, 2], 4)
    solution = dfs(env).path_moves()
    trace = astro(env, solution, backtracks=50, seed=0)
    assert 0 < trace.backtracks_taken < 50
    assert reflections(trace) == trace.backtracks_taken
    check_replay(env, solution, trace)
    assert verifies(env.problem, trace.answer)


def test_astro_is_seeded() -> None:
    env = FACTORIES["countdown"]()
    solution = dfs(env).path_moves()
    first = astro(env, solution, backtracks=2, seed=11)
    assert first == astro(env, solution, backtracks=2, seed=11)
    others = {astro(env, solution, backtracks=2, seed=s).text for s in range(12, 16)}
    assert others - {first.text}


def test_astro_rejects_an_illegal_or_unverified_path() -> None:
    env = FACTORIES["countdown"]()
    solution = dfs(env).path_moves()
    with pytest.raises(ValueError):
        astro(env, solution[:-1], backtracks=0, seed=0)
    with pytest.raises(ValueError):
        astro(env, list(reversed(solution)), backtracks=0, seed=0)


@pytest.mark.parametrize("engine", [dfs, bfs, mcts])
def test_stream_of_search_of_unsolvable_countdown_says_no_solution(engine) -> None:
    env = Countdown.from_numbers([1, 1, 1, 1], 1000)
    result = engine(env)
    assert result.exhausted
    text = stream_of_search(result, env)
    assert text.splitlines()[-1] == "No Solution"
    assert "<answer>" not in text and "Goal Reached" not in text
    assert "Exploring Operation: 1 + 1 = 2" in text


@pytest.mark.parametrize("engine", [dfs, bfs, mcts])
@pytest.mark.parametrize("name", FACTORIES)
def test_stream_of_search_of_solved_search_ends_with_verified_answer(engine, name: str) -> None:
    env = FACTORIES[name]()
    result = engine(env, iterations=400) if engine is mcts else engine(env, max_nodes=50_000)
    assert result.solved
    text = stream_of_search(result, env)
    assert text.endswith("</answer>") and text.count("<answer>") == 1
    answer = text[text.index("<answer>") + len("<answer>") : -len("</answer>")]
    assert answer == env.answer(result.nodes[result.solution_path[-1]].state)
    assert verifies(env.problem, answer)
    lines = text.splitlines()
    assert "Goal Reached" in lines and "No Solution" not in lines
    assert lines[0].startswith(("Current State #0", "Moving to Node #0", "Terminal Node #0"))


@pytest.mark.parametrize("name", FACTORIES)
def test_astro_dead_ends_say_what_fails(name: str) -> None:
    env = FACTORIES[name]()
    trace = astro(env, dfs(env, max_nodes=50_000).path_moves(), backtracks=2, seed=1)
    detours = [s for s in trace.segments if s.kind == "detour"]
    assert detours
    for segment in detours:
        assert env.failure(segment.states[-1]) in trace.text


def test_full_plausibility_takes_the_best_looking_wrong_move() -> None:
    env = FACTORIES["countdown"]()
    solution = dfs(env).path_moves()
    trace = astro(env, solution, backtracks=1, seed=0, plausibility=1.0)
    detour = next(s for s in trace.segments if s.kind == "detour")
    state = env.initial()
    for move in solution[: detour.start_depth]:
        state = env.apply(state, move)
    wrong = [m for m in env.moves(state) if m != solution[detour.start_depth]]
    best = max(env.heuristic(state, m) for m in wrong)
    assert env.heuristic(state, detour.moves[0]) == best


def test_reflections_rarely_repeat_across_traces() -> None:
    env = FACTORIES["knights_knaves"]()
    solution = dfs(env).path_moves()
    said = [
        r for seed in range(150) for r in astro(env, solution, backtracks=2, seed=seed).reflections
    ]
    assert len(set(said)) / len(said) > 0.6
