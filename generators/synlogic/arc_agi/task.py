"""ARC-style grid puzzles: infer a transformation from examples and apply it to a test grid.

Generation draws one shape for every grid of a problem, fills the inputs with hollow
rectangles and scattered dots from a small palette, and draws a rule with ``steps`` of the
four stages of :mod:`.transforms`. The examples are accepted only when every rule of the
whole family (any subset of stages, any parameters) that fits all of them gives the same
test output (:func:`.search.fits`); otherwise an example is added (up to ``demos + 2``) or
the problem is redrawn. The answer is that output, compared cell by cell. Effort is the
test grid's size times the steps of the shortest fitting rule.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, model_validator

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.synlogic.arc_agi.search import fits, unique_output
from generators.synlogic.arc_agi.transforms import (
    GEOMETRY,
    STAGES,
    STRUCTURE,
    Step,
    apply,
    describe,
)
from generators.synlogic.grid import format_grid, int_cell, parse_grid
from schemas.records import Problem

MAX_ATTEMPTS = 200
Made = tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]


class ArcAgiConfig(TaskConfig):
    min_size: int = Field(default=5, ge=3, le=12, description="smallest grid side")
    max_size: int = Field(default=7, ge=3, le=12, description="largest grid side")
    steps: int = Field(default=2, ge=1, le=4, description="stages in the hidden rule")
    demos: int = Field(default=3, ge=2, le=5, description="examples shown (more if needed)")

    @model_validator(mode="after")
    def _sizes_ordered(self) -> ArcAgiConfig:
        if self.min_size > self.max_size:
            raise ValueError("min_size must not exceed max_size")
        return self


LEVELS: dict[int, dict[str, Any]] = {
    1: {"min_size": 3, "max_size": 4, "steps": 1, "demos": 2},
    2: {"min_size": 4, "max_size": 5, "steps": 1, "demos": 3},
    3: {"min_size": 4, "max_size": 5, "steps": 2, "demos": 3},
    4: {"min_size": 5, "max_size": 6, "steps": 2, "demos": 3},
    5: {"min_size": 5, "max_size": 7, "steps": 2, "demos": 3},
    6: {"min_size": 6, "max_size": 7, "steps": 3, "demos": 3},
    7: {"min_size": 6, "max_size": 8, "steps": 3, "demos": 4},
    8: {"min_size": 7, "max_size": 8, "steps": 3, "demos": 4},
    9: {"min_size": 7, "max_size": 9, "steps": 4, "demos": 4},
    10: {"min_size": 8, "max_size": 10, "steps": 4, "demos": 4},
}

INTROS = (
    "Each example below turns an input grid into an output grid by the same hidden rule.",
    "Study the input/output pairs: one rule transforms every input into its output.",
    "These grid pairs were produced by a single transformation rule (0 is the background).",
)
FAMILY = (
    "The rule applies, in this order, at most one step of each kind: (1) a structure step: "
    "coloured cells fall in one direction, or each coloured cell draws a line in one direction "
    "over the background, or background regions enclosed by colour are filled with one "
    "colour, or everything shifts by up to 2 rows and 2 columns; (2) a flip, a rotation or a "
    "transpose; (3) every cell becomes a 2x2 or 3x3 block; (4) two colours swap."
)
QUESTIONS = (
    "What is the output for the test input?",
    "Apply the rule to the test input.",
    "Which grid does the rule produce from the test input?",
)


def _random_input(rng: Random, rows: int, cols: int, palette: list[int]) -> np.ndarray:
    """Hollow rectangles (which can enclose background) plus scattered dots."""
    grid = np.zeros((rows, cols), dtype=np.int8)
    for _ in range(rng.randint(0, 2)):
        h, w = rng.randint(3, min(4, rows)), rng.randint(3, min(4, cols))
        r, c = rng.randrange(rows - h + 1), rng.randrange(cols - w + 1)
        grid[r : r + h, c : c + w] = rng.choice(palette)
        grid[r + 1 : r + h - 1, c + 1 : c + w - 1] = 0
    for _ in range(max(1, rows * cols // 8)):
        grid[rng.randrange(rows), rng.randrange(cols)] = rng.choice(palette)
    return grid


def _random_rule(rng: Random, steps: int, side: int, palette: list[int]) -> list[Step]:
    rule: list[Step] = []
    for stage in sorted(rng.sample(STAGES, steps), key=STAGES.index):
        if stage == "structure":
            rule.append(rng.choice(STRUCTURE))
        elif stage == "geometry":
            rule.append(rng.choice(GEOMETRY))
        elif stage == "scale":
            rule.append(["scale", 3 if side <= 5 and rng.random() < 0.5 else 2])
        else:
            rule.append(["swap", sorted(rng.sample(palette, 2))])
    return rule


def _run(rule: list[Step], stack: np.ndarray) -> np.ndarray:
    for step in rule:
        stack = apply(step, stack)
    return stack


def _rows(grid: np.ndarray) -> list[list[int]]:
    return grid.tolist()


class ArcAgi(Task[ArcAgiConfig]):
    name: ClassVar[str] = "arc_agi"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Infer a grid transformation (structure, geometry, scale, colour) from examples and "
        "apply it to a test grid."
    )
    Config: ClassVar[type[TaskConfig]] = ArcAgiConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: ArcAgiConfig, rng: Random, index: int) -> Instance:
        for _ in range(MAX_ATTEMPTS):
            made = self._attempt(config, rng)
            if made is not None:
                break
        else:
            raise RuntimeError(f"no uniquely determined ARC puzzle for {config}")
        inputs, outputs, test, expected = made
        blocks = []
        for number, (grid_in, grid_out) in enumerate(zip(inputs, outputs, strict=True), 1):
            blocks += [
                f"Example {number}",
                "Input:",
                format_grid(grid_in.tolist()),
                "Output:",
                format_grid(grid_out.tolist()),
                "",
            ]
        prompt = "\n".join(
            [
                rng.choice(INTROS),
                FAMILY,
                "",
                *blocks,
                "Test input:",
                format_grid(test.tolist()),
                "",
                rng.choice(QUESTIONS),
                f"Answer format: the output grid ({expected.shape[0]} rows of "
                f"{expected.shape[1]} digits), one row per line, digits separated by spaces.",
                ANSWER_INSTRUCTION,
            ]
        )
        payload = {
            "examples": [
                {"input": _rows(i), "output": _rows(o)}
                for i, o in zip(inputs, outputs, strict=True)
            ],
            "test": _rows(test),
            "rows": int(expected.shape[0]),
            "cols": int(expected.shape[1]),
        }
        return Instance(prompt=prompt, answer=format_grid(expected.tolist()), payload=payload)

    def _attempt(self, config: ArcAgiConfig, rng: Random) -> Made | None:
        """Examples, outputs, test input and test output, or None when no unique answer."""
        rows = rng.randint(config.min_size, config.max_size)
        cols = rng.randint(config.min_size, config.max_size)
        palette = rng.sample(range(1, 10), 3)
        rule = _random_rule(rng, config.steps, max(rows, cols), palette)
        test = _random_input(rng, rows, cols, palette)
        inputs = [_random_input(rng, rows, cols, palette) for _ in range(config.demos)]
        while len(inputs) <= config.demos + 2:
            stack = np.stack([*inputs, test])
            result = _run(rule, stack)
            outputs = list(result[:-1])
            if any(
                o.shape == i.shape and np.array_equal(o, i)
                for o, i in zip(outputs, inputs, strict=True)
            ):
                return None
            if np.array_equal(result[-1], test):
                return None
            found = unique_output(fits(stack[:-1], outputs, test))
            if found is not None:
                assert np.array_equal(found, result[-1])
                return inputs, outputs, test, result[-1]
            inputs.append(_random_input(rng, rows, cols, palette))
        return None

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        inputs = np.array([e["input"] for e in p["examples"]], dtype=np.int8)
        outputs = [np.array(e["output"], dtype=np.int8) for e in p["examples"]]
        test = np.array(p["test"], dtype=np.int8)
        found = fits(inputs, outputs, test)
        expected = unique_output(found)
        assert expected is not None, "generated puzzles have one determined test output"
        best = min(found, key=lambda f: len(f.steps))
        lines = [
            f"The inputs are {inputs.shape[1]}x{inputs.shape[2]}, the outputs "
            f"{outputs[0].shape[0]}x{outputs[0].shape[1]}.",
            "Try every structure step (or none) with every flip/rotation/transpose (or none); "
            "the scale follows from the sizes and a colour swap from the cells.",
            f"{len(found)} rule(s) fit all {len(outputs)} examples and all give the same test "
            "output. The simplest:",
            *(f"- {describe(step)}" for step in best.steps),
            "Applying it to the test input:",
        ]
        grid = test[None]
        for step in best.steps:
            grid = apply(step, grid)
            lines += [f"After: {describe(step)}", format_grid(grid[0].tolist())]
        effort = test.size * len(best.steps)
        return Solution(
            answer=format_grid(expected.tolist()),
            reasoning="\n".join(lines),
            stats={"effort": effort, "fitting_rules": len(found)},
        )

    def answer_space(self, problem: Problem) -> int:
        return 10 ** (problem.payload["rows"] * problem.payload["cols"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        copy = format_grid(problem.payload["test"])
        return {**super().trivial_answers(problem), "copy the test input": copy}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        rows, cols = problem.payload["rows"], problem.payload["cols"]
        given = parse_grid(answer, rows, cols, int_cell(0, 9), compact=True)
        expected = parse_grid(problem.answer, rows, cols, int_cell(0, 9))
        for r in range(rows):
            for c in range(cols):
                if given[r][c] != expected[r][c]:
                    return 0.0, f"row {r + 1}, column {c + 1} is wrong"
        return 1.0, "correct"
