"""Checks every generator must pass; each task's test file calls these on its own task.

Usage in a test file::

    from tests.contract import contract_tests
    globals().update(contract_tests(MyTask(), levels=(1, 5, 10)))

which defines the standard tests (determinism, oracle passes at every level,
malformed answers score 0, effort median rises with level) in that module.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable

from generators.base import Task, make_problem
from schemas.records import Problem

MALFORMED = [
    "",
    "no tags at all",
    "<answer></answer>",
    "<answer>???</answer>",
    "<answer>\u0000\u0001 garbage ]][[</answer>",
    "<think>cut off before the answer <answer>x</answer>",
    "<answer>" + "9 " * 5000 + "</answer>",
]


def problem_at(task: Task, level: int | None, index: int, seed: int = 1234, **knobs) -> Problem:
    return make_problem(task, task.config_for_level(level, knobs), seed, index, level)


def wrap(answer: str) -> str:
    return f"Let me think.\n<answer>\n{answer}\n</answer>"


def contract_tests(
    task: Task,
    levels: Iterable[int] = tuple(range(1, 11)),
    samples: int = 3,
    effort_samples: int = 15,
    effort_levels: Iterable[int] | None = None,
) -> dict[str, Callable[[], None]]:
    """Standard tests for ``task``, ready to be placed in a test module's namespace."""
    levels = tuple(levels)

    def test_contract_generation_is_deterministic_and_order_free() -> None:
        level = levels[len(levels) // 2]
        batch = [problem_at(task, level, i) for i in range(4)]
        assert [problem_at(task, level, i) for i in reversed(range(4))][::-1] == batch
        assert problem_at(task, level, 2) == batch[2]
        assert len({p.problem_id for p in batch}) == 4
        assert problem_at(task, level, 0, seed=99).prompt != batch[0].prompt

    def test_contract_oracle_trace_passes_at_every_level() -> None:
        for level in levels:
            for index in range(samples):
                problem = problem_at(task, level, index)
                solution = task.solve(problem)
                verdict = task.verify(problem, solution.trace_text())
                assert verdict.passed and verdict.score == 1.0, (level, index, verdict.reason)
                assert task.verify(problem, wrap(problem.answer)).passed
                assert "<answer>" in problem.prompt or "answer" in problem.prompt.lower()

    def test_contract_malformed_answers_score_zero_with_a_reason() -> None:
        problem = problem_at(task, levels[0], 0)
        for text in MALFORMED:
            verdict = task.verify(problem, text)
            assert verdict.score == 0.0 and not verdict.passed and verdict.reason, text[:40]

    def test_contract_solver_effort_rises_with_level() -> None:
        chosen = tuple(effort_levels or levels)
        medians = [
            statistics.median(
                task.solve(problem_at(task, level, i)).stats["effort"]
                for i in range(effort_samples)
            )
            for level in chosen
        ]
        assert all(a <= b for a, b in zip(medians, medians[1:], strict=False)), medians
        assert medians[0] < medians[-1], medians

    return {
        name: fn
        for name, fn in locals().items()
        if name.startswith("test_contract_") and callable(fn)
    }
