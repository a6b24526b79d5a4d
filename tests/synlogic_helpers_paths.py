"""Tests shared by the arrow maze, number wall and numbrix suites."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError, Task
from tests.contract import problem_at


def rows_of(answer: str) -> list[list[str]]:
    return [line.split() for line in answer.splitlines()]


def text(rows: list[list[str]]) -> str:
    return "\n".join(" ".join(row) for row in rows)


def shared_tests(
    task: Task,
    malformed: Callable[[Any], Iterable[str]],
    bad_knobs: Iterable[tuple[dict[str, Any], str]],
    trace_index: int,
) -> dict[str, Callable[[], None]]:
    """Format-error, config-bound, prompt and trace-size tests for ``task``.

    ``malformed`` maps the level-1 problem to answers that must raise AnswerFormatError;
    ``bad_knobs`` pairs knob settings with the field named in their ValidationError;
    ``trace_index`` picks the level-10 problem whose trace is checked.
    """
    bad_knobs = tuple(bad_knobs)

    def test_malformed_raise_format_error() -> None:
        problem = problem_at(task, 1, 0)
        for bad in malformed(problem):
            with pytest.raises(AnswerFormatError):
                task.check_answer(problem, bad)

    def test_config_bounds() -> None:
        for knobs, field in bad_knobs:
            with pytest.raises(ValidationError, match=field):
                task.Config(**knobs)

    def test_prompts_vary_and_end_with_instruction() -> None:
        prompts = [problem_at(task, 4, i).prompt for i in range(8)]
        assert len({p.split("\n")[0] for p in prompts}) > 1
        assert all(p.endswith(ANSWER_INSTRUCTION) for p in prompts)

    def test_trace_is_bounded() -> None:
        problem = problem_at(task, 10, trace_index)
        solution = task.solve(problem)
        assert len(solution.reasoning) < 15_000
        assert solution.answer == problem.answer

    return {name: fn for name, fn in locals().items() if name.startswith("test_")}
