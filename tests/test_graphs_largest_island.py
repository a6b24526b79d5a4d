"""Largest island: contract, networkx grid-graph cross-check, rendering, spread of sizes."""

from __future__ import annotations

import networkx as nx

from generators.graphs.largest_island import LargestIsland
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep

TASK = LargestIsland()
globals().update(contract_tests(TASK))


def largest_by_networkx(grid: list[str]) -> int:
    graph = nx.grid_2d_graph(len(grid), len(grid[0]))
    land = graph.subgraph([(r, c) for r, c in graph if grid[r][c] == "#"])
    return max((len(c) for c in nx.connected_components(land)), default=0)


def test_networkx_agrees_and_the_picture_is_the_grid():
    for problem in sweep(TASK):
        grid = problem.payload["grid"]
        assert largest_by_networkx(grid) == int(problem.answer)
        picture = problem.prompt.split("```")[1].strip().split("\n")
        assert len(picture) == len(grid)
        land = picture[0].replace(" ", "")
        assert len(land) == len(grid[0])


def test_sizes_spread_and_lazy_guesses_fail():
    sizes = [int(problem_at(TASK, 3, i).answer) for i in range(60)]
    assert len(set(sizes)) >= 10
    for problem in sweep(TASK):
        for guess in ("all land", "one cell"):
            assert score(TASK, problem, TASK.trivial_answers(problem)[guess]) == 0.0


def test_near_misses_and_formats():
    problem = problem_at(TASK, 5, 0)
    value = int(problem.answer)
    assert score(TASK, problem, str(value - 1)) == 0.0
    assert score(TASK, problem, f" {value} ") == 1.0
    assert refuses(TASK, problem, f"{value} cells")
