"""Text-only replays: every node id, state and branch point a trace cites was introduced
earlier in the same trace, for every engine, task and trace style; traces stay in budget."""

from __future__ import annotations

import re

import pytest

from generators.base import GenerationError, make_problem
from generators.registry import get_task
from generators.search.engines import bfs, dfs, mcts
from generators.search.linearize import astro, stream_of_search
from generators.search.phrases import DEFAULT_PHRASINGS
from tests.test_search_linearize import FACTORIES

EXPLORE = re.compile(
    r"Exploring Operation: .*?, Resulting State: (.*?)(?:, Generated Node #(\d+))?"
)
ROLLOUT_NODE = re.compile(r"Generated Node #(\d+) from Node #(\d+): .*?, Resulting State: (.*)")
CITES_STATE = re.compile(r"(?:Current State|Moving to Node|Terminal Node) #(\d+): (.*)")
BACK = re.compile(r"Moving back from Node #(\d+) to (?:Node #(\d+)|the start)")
VERDICTS = {"Goal Reached", "Not the goal", "No Solution"}


class Replay:
    """What a Stream-of-Search text has introduced so far: node id -> (state, parent)."""

    def __init__(self) -> None:
        self.states: dict[int, str] = {}
        self.parent: dict[int, int | None] = {}
        self.current: int | None = None

    def introduce(self, node: int, state: str, parent: int | None) -> None:
        assert node not in self.states, f"node #{node} introduced twice"
        self.states[node], self.parent[node] = state, parent

    def cite(self, node: int, state: str | None = None) -> None:
        assert node in self.states, f"node #{node} cited before it was introduced"
        assert state is None or self.states[node] == state, f"node #{node} changed state"

    def line(self, line: str) -> None:
        if match := CITES_STATE.fullmatch(line):
            node, state = int(match[1]), match[2]
            if not self.states and node == 0:  # the first line states the start
                self.introduce(0, state, None)
            self.cite(node, state)
            self.current = node
        elif match := EXPLORE.fullmatch(line):
            assert self.current is not None
            if match[2]:
                self.introduce(int(match[2]), match[1], self.current)
        elif match := ROLLOUT_NODE.fullmatch(line):
            self.cite(int(match[2]))
            self.introduce(int(match[1]), match[3], int(match[2]))
        elif line.startswith("Rollout from Node #"):
            self.cite(int(re.match(r"Rollout from Node #(\d+)", line)[1]))
        elif match := BACK.fullmatch(line):
            for node in filter(None, match.groups()):
                self.cite(int(node))
        elif line.startswith("Solution Path: "):
            path = [int(n) for n in re.findall(r"#(\d+)", line)]
            assert path[0] == 0
            for node in path:
                self.cite(node)
            assert all(self.parent[b] == a for a, b in zip(path, path[1:], strict=False))
        else:
            assert line in VERDICTS, line


def replay_stream(text: str) -> int:
    """Replay a Stream-of-Search text; the number of nodes it introduced."""
    replay = Replay()
    log, _, _ = text.partition("<answer>")
    for line in log.splitlines():
        replay.line(line)
    return len(replay.states)


def _template(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    for name in ("state", "move"):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+)")
    return re.compile(pattern)


BACKTRACKS = [
    _template(t) for t in DEFAULT_PHRASINGS.backtrack + DEFAULT_PHRASINGS.backtrack_to_start
]


def replay_astro(text: str) -> int:
    """Each backtrack names a state (and a move) the text stated before; their count."""
    lines = text.splitlines()
    count = 0
    for index, line in enumerate(lines):
        match = next((m for p in BACKTRACKS if (m := p.fullmatch(line))), None)
        if match:
            earlier = "\n".join(lines[:index])
            assert match["state"] in earlier and match["move"] in earlier, line
            count += 1
    return count


@pytest.mark.parametrize("engine", [dfs, bfs, mcts])
@pytest.mark.parametrize("name", FACTORIES)
def test_stream_of_search_cites_only_introduced_nodes(engine, name: str) -> None:
    env = FACTORIES[name]()
    result = engine(env, iterations=400) if engine is mcts else engine(env, max_nodes=50_000)
    assert replay_stream(stream_of_search(result, env)) >= len(result.solution_path or [])


@pytest.mark.parametrize("seed", range(6))
def test_mcts_rollout_solutions_are_introduced(seed: int) -> None:
    env = FACTORIES["countdown"]()
    result = mcts(env, iterations=400, rollout="uniform", seed=seed)
    assert result.solved
    replay_stream(stream_of_search(result, env))


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("k", [1, 3])
def test_astro_backtracks_name_states_already_stated(name: str, k: int) -> None:
    env = FACTORIES[name]()
    trace = astro(env, dfs(env, max_nodes=50_000).path_moves(), backtracks=k, seed=3)
    assert replay_astro(trace.text) == trace.backtracks_taken == k


TASKS = ["search_countdown", "search_knights_knaves", "search_nlsat", "search_sudoku"]


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize("trace", ["stream_of_search", "astro"])
def test_task_traces_replay_and_stay_within_the_line_budget(name: str, trace: str) -> None:
    task = get_task(name)
    config = task.config_for_level(8, {"trace": trace, "max_trace_lines": 150})
    for index in range(3):
        problem = make_problem(task, config, 0, index, 8)
        solution = task.solve(problem)
        text = solution.trace_text()
        assert task.verify(problem, text).passed
        assert solution.stats["trace_lines"] <= 150
        if trace == "astro":
            assert replay_astro(text) == solution.stats["backtracks"]
        else:
            replay_stream(solution.reasoning + f"\n<answer>{solution.answer}</answer>")


def test_a_problem_no_search_traces_in_budget_is_skipped_and_counted() -> None:
    task = get_task("search_countdown")
    config = task.config_for_level(10, {"trace": "stream_of_search", "max_trace_lines": 200})
    problems = [make_problem(task, config, 0, i, 10) for i in range(6)]
    assert any(p.payload.get("search_skipped") for p in problems)
    for problem in problems:
        solution = task.solve(problem)
        assert solution.stats["skipped"] == problem.payload.get("search_skipped", 0)
        assert solution.stats["trace_lines"] <= 200
        assert task.verify(problem, solution.trace_text()).passed
    assert make_problem(task, config, 0, 2, 10) == problems[2]


def test_generation_gives_up_when_no_draw_fits_the_budget() -> None:
    task = get_task("search_sudoku")
    config = task.config_for_level(10, {"max_trace_lines": 20})
    with pytest.raises(GenerationError, match="max_trace_lines"):
        make_problem(task, config, 0, 0, 10)
