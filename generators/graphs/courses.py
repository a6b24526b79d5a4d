"""Course catalogues: prerequisite graphs in words and Kahn's algorithm, narrated.

An edge ``[a, b]`` means course ``a`` must be completed before course ``b``.
"""

from __future__ import annotations

from random import Random
from typing import Any

from pydantic import Field

from generators.base import TaskConfig
from generators.graphs.fastrand import shuffle
from generators.graphs.task import bounded

SUBJECTS = ("MATH", "PHYS", "CHEM", "BIO", "HIST", "ECON", "ART", "LAW", "CS", "GEO", "MUS")
_CODES = tuple(f"{subject}{number}" for subject in SUBJECTS for number in range(100, 500))
"""Every course code (subject, number 100-499): one draw picks one."""


class CourseConfig(TaskConfig):
    courses: int = Field(default=10, ge=3, le=40, description="courses in the catalogue")
    prerequisites: int = Field(
        default=14, ge=2, le=120, description="prerequisite links (at least courses - 1)"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"courses": 6, "prerequisites": 7},
    2: {"courses": 7, "prerequisites": 9},
    3: {"courses": 8, "prerequisites": 11},
    4: {"courses": 10, "prerequisites": 14},
    5: {"courses": 12, "prerequisites": 17},
    6: {"courses": 14, "prerequisites": 20},
    7: {"courses": 16, "prerequisites": 24},
    8: {"courses": 18, "prerequisites": 27},
    9: {"courses": 20, "prerequisites": 30},
    10: {"courses": 24, "prerequisites": 36},
}


def course_names(rng: Random, n: int) -> list[str]:
    """``n`` distinct course codes such as ``CHEM214``."""
    rand, names, codes = rng.random, dict[str, None](), len(_CODES)
    while len(names) < n:
        names[_CODES[int(rand() * codes)]] = None
    return list(names)


def describe(rng: Random, names: list[str], edges: list[list[int]]) -> str:
    """The catalogue in one of three phrasings, links in random order."""
    shown = list(edges)
    shuffle(rng, shown)
    style = int(rng.random() * 3)
    listing = f"The courses are {', '.join(sorted(names))}."
    if style == 0:
        lines = [f"To take {names[b]} you must first complete {names[a]}." for a, b in shown]
        return listing + "\n" + "\n".join(lines)
    if style == 1:
        lines = [f"- {names[a]} -> {names[b]}" for a, b in shown]
        return (
            listing + "\nEach line X -> Y means X must be completed before Y:\n" + "\n".join(lines)
        )
    needs: list[list[str]] = [[] for _ in names]
    for a, b in shown:
        needs[b].append(names[a])
    order = list(range(len(names)))
    shuffle(rng, order)
    lines = [f"{names[c]} requires: {', '.join(sorted(needs[c])) or 'nothing'}" for c in order]
    return "Each course is listed with the courses it requires:\n" + "\n".join(lines)


def kahn(names: list[str], edges: list[list[int]]) -> tuple[list[int], int, list[str]]:
    """(an order of the courses that can be finished, effort, trace lines): the order holds
    every course exactly when the graph has no cycle. Ready courses are taken in name order."""
    n = len(names)
    after: list[list[int]] = [[] for _ in range(n)]
    missing = [0] * n
    for a, b in edges:
        after[a].append(b)
        missing[b] += 1
    ready = sorted((c for c in range(n) if missing[c] == 0), key=names.__getitem__)
    order, effort, lines = [], 0, []
    while ready:
        course = ready.pop(0)
        order.append(course)
        effort += 1
        freed = []
        for nxt in after[course]:
            effort += 1
            missing[nxt] -= 1
            if missing[nxt] == 0:
                freed.append(nxt)
        ready = sorted(ready + freed, key=names.__getitem__)
        unlocked = ", ".join(names[c] for c in freed) or "nothing new"
        lines.append(f"Take {names[course]}; this unlocks {unlocked}.")
    return order, effort, bounded(lines)
