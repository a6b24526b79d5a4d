"""The Stream-of-Search authors' countdown format: our traces follow their documented line
grammar (re-implemented here from the format, not their code) and their record fields."""

from __future__ import annotations

import re

import pytest

from generators.base import make_problem
from generators.registry import get_task
from generators.search.countdown import Countdown
from generators.search.engines import dfs
from generators.search.sos_paper import paper_record, paper_trace, tree_size

NUMS = r"\[(\d+(?:, \d+)*)\]"
OP = r"(\d+)([-+*/])(\d+)=(\d+)"
NODE = r"(0(?:,\d+)*)"
GRAMMAR = {
    "state": re.compile(rf"Current State: (\d+):{NUMS}, Operations: \[((?:'{OP}'(?:, )?)*)\]"),
    "explore": re.compile(rf"Exploring Operation: {OP}, Resulting Numbers: {NUMS}"),
    "leaf": re.compile(r"(\d+),(\d+) (equal: Goal Reached|unequal: No Solution)"),
    "generated": re.compile(rf"Generated Node #{NODE}: (\d+):{NUMS} Operation: {OP}"),
    "move": re.compile(rf"Moving to Node #{NODE}"),
}
FIELDS = {"nums", "target", "solution", "search_path", "rating", "search_type", "optimal_path"}


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(", ")]


def _apply(numbers: list[int], op: tuple[str, str, str, str]) -> list[int]:
    """Check one operation's arithmetic and operands; the numbers after it."""
    left, sign, right, result = int(op[0]), op[1], int(op[2]), int(op[3])
    exact = {"+": left + right, "-": left - right, "*": left * right}
    assert (left == result * right) if sign == "/" else exact[sign] == result
    rest = list(numbers)
    rest.remove(left)
    rest.remove(right)
    return [*rest, result]


def check_paper_trace(text: str) -> tuple[int, list[int], int]:
    """Parse a search path line by line: (target, numbers, operations explored). Every
    line fits the grammar; a node's numbers follow from its parent's by its operation; ids
    are generated under known parents, once; the last state before the goal plus the final
    operation replays from the start to the target."""
    lines = text.rstrip("\n").split("\n")
    first = GRAMMAR["state"].fullmatch(lines[0])
    assert first and first[3] == "", lines[0]
    target, start = int(first[1]), _numbers(first[2])
    nodes = {"0": start}
    current, explored, ops_of = start, 0, {"0": []}
    last_ops: list[tuple[str, ...]] = []
    for line in lines[1:]:
        kind, match = next((k, m) for k, p in GRAMMAR.items() if (m := p.fullmatch(line)))
        if kind == "state":
            assert int(match[1]) == target
            current = _numbers(match[2])
            last_ops = re.findall(OP, match[3])
        elif kind == "explore":
            explored += 1
            after = _apply(current, match.groups()[:4])
            assert after == _numbers(match[5])
            last_explored = match.groups()[:4]
        elif kind == "generated":
            parent = match[1].rsplit(",", 1)[0]
            assert parent in nodes and match[1] not in nodes
            nodes[match[1]] = _numbers(match[3])
            assert int(match[2]) == target and nodes[match[1]] == after
            ops_of[match[1]] = [*ops_of[parent], match.groups()[3:]]
        elif kind == "move":
            assert match[1] in nodes
        elif match[3].startswith("equal"):
            assert int(match[1]) == int(match[2]) == target
            replay = start
            for op in [*last_ops, last_explored]:
                replay = _apply(replay, op)
            assert replay == [target]
            assert line == lines[-1]
            return target, start, explored
    raise AssertionError("no goal reached")


def paper_problem(index: int, level: int = 4) -> tuple:
    task = get_task("search_countdown")
    config = task.config_for_level(level, {"trace": "stream_of_search_paper"})
    return task, make_problem(task, config, 0, index, level)


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_paper_traces_follow_the_authors_grammar_and_verify(index: int, level: int) -> None:
    task, problem = paper_problem(index, level)
    solution = task.solve(problem)
    assert task.verify(problem, solution.trace_text()).passed
    target, numbers, _ = check_paper_trace(solution.reasoning)
    assert (target, numbers) == (problem.payload["target"], problem.payload["numbers"])
    assert "<answer>" not in solution.reasoning


def test_paper_record_has_the_authors_fields_and_rating() -> None:
    env = Countdown.from_numbers([4, 2, 4, 3], 24)
    env = Countdown(env.problem, integers=True)
    result = dfs(env, ordered=True)
    record = paper_record(result, env)
    assert FIELDS | {"heuristic"} == set(record)
    assert (record["nums"], record["target"]) == ([4, 2, 4, 3], 24)
    assert record["search_path"] == paper_trace(result, env)
    assert record["search_path"].startswith("Current State: 24:[4, 2, 4, 3], Operations: []\n")
    _, _, explored = check_paper_trace(record["search_path"])
    assert record["rating"] == 1 - (explored + 1) / 1152
    assert all(re.fullmatch(OP, op) for op in record["solution"])
    assert record["optimal_path"].endswith("24,24 equal: Goal Reached\n")
    assert [tree_size(n) for n in (3, 4, 5)] == [48, 1152, 46080]


def test_paper_format_needs_an_integer_dfs_and_countdown() -> None:
    env = Countdown.from_numbers([4, 2, 4, 3], 24)
    with pytest.raises(ValueError, match="integer"):
        paper_trace(dfs(env), env)
    with pytest.raises(ValueError, match="search_countdown"):
        get_task("search_sudoku").config_for_level(1, {"trace": "stream_of_search_paper"})
