"""ARC-style puzzles: contract, uniqueness re-checked by a plain-Python brute force, wrong grids."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.arc_agi import ArcAgi
from generators.synlogic.grid import format_grid
from tests.contract import contract_tests, problem_at, wrap

TASK = ArcAgi()
globals().update(contract_tests(TASK))

Grid = list[list[int]]

# --- an independent, plain-Python version of the rule family --------------------------------


def transpose(g: Grid) -> Grid:
    return [list(col) for col in zip(*g, strict=True)]


def flip_tb(g: Grid) -> Grid:
    return g[::-1]


def flip_lr(g: Grid) -> Grid:
    return [row[::-1] for row in g]


def fall_down(g: Grid) -> Grid:
    cols = []
    for col in transpose(g):
        kept = [v for v in col if v]
        cols.append([0] * (len(col) - len(kept)) + kept)
    return transpose(cols)


def lines_down(g: Grid) -> Grid:
    cols = []
    for col in transpose(g):
        last, out = 0, []
        for v in col:
            last = v or last
            out.append(v or last)
        cols.append(out)
    return transpose(cols)


def directed(fn):
    """``fn`` works downwards; return a version taking a direction."""
    pre_post = {
        "down": (lambda g: g, lambda g: g),
        "up": (flip_tb, flip_tb),
        "right": (transpose, transpose),
        "left": (lambda g: flip_tb(transpose(g)), lambda g: transpose(flip_tb(g))),
    }
    return lambda g, d: pre_post[d][1](fn(pre_post[d][0](g)))


def fill(g: Grid, colour: int) -> Grid:
    rows, cols = len(g), len(g[0])
    seen = set()
    todo = [
        (r, c) for r in range(rows) for c in range(cols) if r in (0, rows - 1) or c in (0, cols - 1)
    ]
    while todo:
        r, c = todo.pop()
        if (r, c) in seen or not (0 <= r < rows and 0 <= c < cols) or g[r][c]:
            continue
        seen.add((r, c))
        todo += [(r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)]
    return [
        [colour if not g[r][c] and (r, c) not in seen else g[r][c] for c in range(cols)]
        for r in range(rows)
    ]


def shift(g: Grid, dr: int, dc: int) -> Grid:
    rows, cols = len(g), len(g[0])
    out = [[0] * cols for _ in range(rows)]
    for r, c in itertools.product(range(rows), range(cols)):
        if 0 <= r + dr < rows and 0 <= c + dc < cols:
            out[r + dr][c + dc] = g[r][c]
    return out


def rotate_cw(g: Grid) -> Grid:
    return flip_lr(transpose(g))


STRUCTURES = [lambda g: g]
for d in ("down", "up", "right", "left"):
    STRUCTURES += [
        lambda g, d=d: directed(fall_down)(g, d),
        lambda g, d=d: directed(lines_down)(g, d),
    ]
STRUCTURES += [lambda g, c=c: fill(g, c) for c in range(1, 10)]
STRUCTURES += [
    lambda g, dr=dr, dc=dc: shift(g, dr, dc)
    for dr in range(-2, 3)
    for dc in range(-2, 3)
    if (dr, dc) != (0, 0)
]
GEOMETRIES = [
    lambda g: g,
    flip_lr,
    flip_tb,
    rotate_cw,
    lambda g: rotate_cw(rotate_cw(g)),
    lambda g: rotate_cw(rotate_cw(rotate_cw(g))),
    transpose,
    lambda g: flip_lr(flip_tb(transpose(g))),
]


def scale(g: Grid, k: int) -> Grid:
    return [[v for v in row for _ in range(k)] for row in g for _ in range(k)]


def swap(g: Grid, a: int, b: int) -> Grid:
    return [[b if v == a else a if v == b else v for v in row] for row in g]


SWAPS = [(0, 0), *itertools.combinations(range(1, 10), 2)]


def brute_force_outputs(payload: dict) -> set[str]:
    """Test outputs of every rule of the family that fits every example."""
    examples = payload["examples"]
    results = set()
    for structure, geometry, k in itertools.product(STRUCTURES, GEOMETRIES, (1, 2, 3)):
        preds = [scale(geometry(structure(e["input"])), k) for e in examples]
        if any(
            len(p) != len(e["output"]) or len(p[0]) != len(e["output"][0])
            for p, e in zip(preds, examples, strict=True)
        ):
            continue
        test = scale(geometry(structure(payload["test"])), k)
        for a, b in SWAPS:
            if all(swap(p, a, b) == e["output"] for p, e in zip(preds, examples, strict=True)):
                results.add(format_grid(swap(test, a, b)))
    return results


@pytest.mark.parametrize(("level", "index"), [(1, 0), (1, 1), (4, 0), (7, 0), (10, 0)])
def test_brute_force_finds_exactly_the_answer(level, index):
    problem = problem_at(TASK, level, index)
    assert brute_force_outputs(problem.payload) == {problem.answer}


# --- verifier --------------------------------------------------------------------------------


def grid_of(problem) -> Grid:
    return [[int(v) for v in line.split()] for line in problem.answer.splitlines()]


def test_wrong_grids_fail():
    problem = problem_at(TASK, 6, 0)
    grid = grid_of(problem)
    one_cell = [row[:] for row in grid]
    one_cell[0][0] = (grid[0][0] + 1) % 10
    assert TASK.verify(problem, wrap(format_grid(one_cell))).score == 0.0
    rows = [i for i in range(1, len(grid)) if grid[i] != grid[0]]
    if rows:
        swapped = [row[:] for row in grid]
        swapped[0], swapped[rows[0]] = swapped[rows[0]], swapped[0]
        assert TASK.verify(problem, wrap(format_grid(swapped))).score == 0.0
    for bad in (
        format_grid(grid[:-1]),
        format_grid([row[:-1] for row in grid]),
        format_grid([*grid, grid[0]]),
        format_grid([[10, *row[1:]] for row in grid]),
        format_grid(problem.payload["test"]),
    ):
        assert TASK.verify(problem, wrap(bad)).score == 0.0, bad


def test_formatting_is_tolerated():
    problem = problem_at(TASK, 3, 2)
    grid = grid_of(problem)
    for text in (
        "\n".join("".join(map(str, row)) for row in grid),
        "\n".join(str(row) for row in grid),
        "```\n" + format_grid(grid, sep=", ") + "\n```",
    ):
        assert TASK.verify(problem, wrap(text)).passed, text


@pytest.mark.parametrize("text", ["a b c", "1 2\n3 x", "-1"])
def test_malformed_grids_score_zero(text):
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and verdict.reason


def test_prompts_vary_and_state_the_format():
    problems = [problem_at(TASK, 5, i) for i in range(8)]
    assert all(p.prompt.endswith(ANSWER_INSTRUCTION) for p in problems)
    assert all("one row per line" in p.prompt for p in problems)
    assert len({p.prompt.splitlines()[0] for p in problems}) > 1


@pytest.mark.parametrize(
    "knob",
    [{"min_size": 2}, {"max_size": 13}, {"steps": 0}, {"steps": 5}, {"demos": 1}, {"demos": 6}],
)
def test_config_bounds_are_enforced(knob):
    with pytest.raises(ValidationError, match=next(iter(knob))):
        TASK.config_for_level(1, knob)


def test_min_size_above_max_size_is_refused():
    with pytest.raises(ValidationError, match="min_size"):
        TASK.config_for_level(1, {"min_size": 6, "max_size": 4})
