"""Search environments over our own generated problems: legal replays, verifier rewards."""

from __future__ import annotations

from fractions import Fraction

import pytest

from generators.base import make_problem
from generators.registry import get_task
from generators.search.countdown import Countdown, countdown_problem
from generators.search.engines import dfs
from generators.search.env import Environment, TaskEnvironment, verifies
from generators.search.knights_knaves import KnightsKnaves
from generators.search.nlsat import NLSat
from generators.search.sudoku import Sudoku
from schemas.records import Problem


def problem(task: str, index: int = 0, **knobs: object) -> Problem:
    spec = get_task(task)
    return make_problem(spec, spec.config_for_level(None, knobs), 7, index)


def countdown(index: int = 0) -> Countdown:
    return Countdown(problem("game_of_24", index, n_numbers=4))


def knights(index: int = 0, people: int = 4, prune: bool = True) -> KnightsKnaves:
    return KnightsKnaves(problem("knights_knaves", index, n_people=people), prune=prune)


def sudoku(index: int = 0) -> Sudoku:
    return Sudoku(problem("sudoku", index, size=4, clues=6))


def nlsat(index: int = 0, prune: bool = True) -> NLSat:
    made = problem("nlsat", index, n_vars=8, alpha=3.4, question="assignment")
    return NLSat(made, prune=prune)


FACTORIES = {"countdown": countdown, "knights_knaves": knights, "sudoku": sudoku, "nlsat": nlsat}


def replay(env: TaskEnvironment, moves: list) -> object:
    """Apply ``moves`` from the start, checking each is offered as legal; the final state."""
    state = env.initial()
    for move in moves:
        assert not env.is_terminal(state)
        assert move in env.moves(state), f"{env.describe_move(move)} is not legal"
        state = env.apply(state, move)
    return state


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("index", [0, 1, 2])
def test_solution_replays_and_verifies(name: str, index: int) -> None:
    env = FACTORIES[name](index)
    assert isinstance(env, Environment)
    result = dfs(env, max_nodes=50_000)
    assert result.solved
    state = replay(env, result.path_moves())
    assert env.is_terminal(state) and env.complete(state)
    assert env.reward(state) == 1.0
    assert verifies(env.problem, env.answer(state))
    task = get_task(env.problem.task)
    assert task.verify(env.problem, f"<answer>{env.answer(state)}</answer>").passed


@pytest.mark.parametrize("name", FACTORIES)
def test_moves_are_deterministic_and_states_hashable(name: str) -> None:
    env, twin = FACTORIES[name](), FACTORIES[name]()
    state = env.initial()
    while not env.is_terminal(state):
        moves = env.moves(state)
        assert moves == twin.moves(state)
        assert len(set(moves)) == len(moves)
        hash(state)
        assert env.describe(state) and env.describe_move(moves[0])
        assert all(isinstance(env.heuristic(state, m), float | int) for m in moves)
        state = env.apply(state, moves[-1])
    hash(state)


def test_countdown_wrong_terminal_gets_zero() -> None:
    env = Countdown.from_numbers([2, 3, 4, 5], 24)
    state = env.initial()
    for _ in range(3):  # always add: 2 + 3 + 4 + 5 = 14
        state = env.apply(state, next(m for m in env.moves(state) if m.op == "+"))
    assert state[0].value == 14 and env.is_terminal(state)
    assert env.reward(state) == 0.0
    assert not verifies(env.problem, env.answer(state))


def test_countdown_moves_are_exact_and_never_divide_by_zero() -> None:
    env = Countdown.from_numbers([3, 3, 0, 7], 24)
    moves = env.moves(env.initial())
    assert all(not (m.op == "/" and m.right == 0) for m in moves)
    assert all(m.result >= 0 for m in moves)
    third = next(m for m in moves if m.op == "/" and m.result == Fraction(3, 7))
    state = env.apply(env.initial(), third)
    assert state[-1].text == "3 / 7"


def test_countdown_answer_keeps_precedence() -> None:
    env = Countdown.from_numbers([1, 2, 3, 4], 24)
    state = env.initial()
    for op, left, right in (("+", 1, 2), ("+", 3, 3), ("*", 4, 6)):
        move = next(m for m in env.moves(state) if (m.op, m.left, m.right) == (op, left, right))
        state = env.apply(state, move)
    assert env.answer(state) == "4 * (3 + 1 + 2)"
    assert env.reward(state) == 1.0


def test_countdown_problem_is_scored_by_game_of_24() -> None:
    made = countdown_problem([1, 1, 1, 1], 1000)
    assert made.task == "game_of_24"
    assert not verifies(made, "1 + 1 + 1 + 1")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_knights_wrong_terminal_gets_zero(index: int) -> None:
    env = knights(index)
    solution = tuple(env.puzzle.solution)
    assert env.reward(solution) == 1.0
    wrong = (*solution[:-1], not solution[-1])
    assert env.reward(wrong) == 0.0
    assert not verifies(env.problem, env.answer(wrong))


def test_knights_pruning_matches_consistency() -> None:
    """With pruning every complete reachable state is the unique solution; without, not."""
    pruned, open_ = knights(0, people=5), knights(0, people=5, prune=False)
    assert dfs(pruned).nodes[-1].state == tuple(pruned.puzzle.solution)
    complete = [n for n in dfs(open_, max_nodes=10_000).nodes if n.terminal]
    assert {n.reward for n in complete} <= {0.0, 1.0}
    if not all(pruned.puzzle.solution):
        assert any(n.reward == 0.0 for n in complete)
    with pytest.raises(ValueError):
        pruned.apply((), (2, True))


def test_sudoku_wrong_terminal_gets_zero() -> None:
    env = sudoku()
    solution = tuple(d for row in env.problem.payload["solution"] for d in row)
    assert env.reward(solution) == 1.0
    cell = env.givens.index(0)
    wrong = list(solution)
    wrong[cell] = solution[cell] % env.g.n + 1
    assert env.reward(tuple(wrong)) == 0.0
    state = env.initial()
    assert all(move[0] == cell for move in env.moves(state))
    with pytest.raises(ValueError):
        env.apply(state, (cell, solution[env.g.peers[cell][0]] or 99))


def test_nlsat_wrong_terminal_gets_zero() -> None:
    env = nlsat()
    clause = env.formula.clauses[0]
    values = [True] * env.n
    for lit in clause:
        values[abs(lit) - 1] = lit < 0  # make every literal of the clause false
    state = tuple(values)
    assert env.complete(state)
    assert env.reward(state) == 0.0
    assert not verifies(env.problem, env.answer(state))
    # the unpruned space reaches it; the pruned one never offers it
    assert replay(nlsat(prune=False), [(i + 1, v) for i, v in enumerate(values)]) == state
    with pytest.raises(AssertionError):
        replay(env, [(i + 1, v) for i, v in enumerate(values)])


def test_nlsat_needs_assignment_question() -> None:
    with pytest.raises(ValueError, match="assignment"):
        NLSat(problem("nlsat", n_vars=8, alpha=3.4, question="consistency"))
