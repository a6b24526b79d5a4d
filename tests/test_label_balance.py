"""Categorical answers stay balanced in every level of a small build: the audit refuses to
publish a level whose labels stray past 1/k ± its tolerance, so a task that drew each label
with a coin (which strays by √n) failed ~1 build in 7 at 200 problems a level."""

from __future__ import annotations

from collections import Counter

import pytest

from generators.base import make_problem
from generators.registry import get_task, task_names
from schemas.audit import AuditThresholds

PER_LEVEL, LEVELS = 200, 10  # a build's level: indices p, p + LEVELS, p + 2·LEVELS …


def labelled_tasks() -> list[str]:
    """The tasks whose level-1 problems have categorical answers."""
    found = []
    for name in task_names():
        task = get_task(name)
        config = task.config_for_level(1)
        if any(task.labels(make_problem(task, config, 0, i, 1)) for i in range(8)):
            found.append(name)
    return found


LABELLED = labelled_tasks()


def test_the_categorical_tasks_are_found():
    assert {"nlsat", "web_of_lies", "boolean_expressions", "reachability"} <= set(LABELLED)


@pytest.mark.parametrize("name", LABELLED)
def test_every_label_keeps_its_share_in_a_level_of_a_small_build(name):
    task, tolerance = get_task(name), AuditThresholds().label_tolerance
    config = task.config_for_level(5)
    for seed in range(6):
        counts: dict[tuple[str, ...], Counter[str]] = {}
        for index in range(4, 4 + PER_LEVEL * LEVELS, LEVELS):
            problem = make_problem(task, config, seed, index, 5)
            labels = task.labels(problem)
            if labels:
                counts.setdefault(labels, Counter())[problem.answer] += 1
        for labels, count in counts.items():
            for label in labels:
                share = count[label] / count.total()
                assert abs(share - 1 / len(labels)) <= tolerance, (seed, label, share)
