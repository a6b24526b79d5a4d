"""Course feasibility: can every course be finished, or do prerequisites go round in a circle?

Half of the catalogues (by :func:`balanced_choice`) are acyclic; the others are a DAG
plus one link from a course back to a prerequisite of one of its prerequisites, which closes a
cycle of at least three courses. Both kinds have the same number of links.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.balanced import balanced_choice
from generators.base import Instance, Solution
from generators.graphs import courses
from generators.graphs.answers import score_yes_no
from generators.graphs.fastrand import pick, take
from generators.graphs.sampling import dag_edges
from generators.graphs.task import GraphTask, compose, join_names
from schemas.records import Problem

INTROS = (
    "A student wants to complete every course in this catalogue.",
    "Here is a course catalogue with prerequisites.",
    "A university lists the following courses and their prerequisites.",
)
QUESTIONS = (
    "Is it possible to complete all {n} courses?",
    "Can every one of the {n} courses be finished, taking one course at a time?",
    "Could a student ever finish all {n} courses?",
)
FORMAT = (
    'Answer "yes" if some order lets a student take every course after its prerequisites, '
    'or "no" if that is impossible.'
)


def find_cycle(names: list[str], edges: list[list[int]], left: set[int]) -> list[int]:
    """A cycle among the courses Kahn's algorithm could not take: each has a prerequisite
    that is also left, so walking back from any of them must repeat a course."""
    before: dict[int, int] = {}
    for a, b in edges:
        if a in left and b in left:
            before.setdefault(b, a)
    walk, seen = [min(left)], {}
    while walk[-1] not in seen:
        seen[walk[-1]] = len(walk) - 1
        walk.append(before[walk[-1]])
    return walk[seen[walk[-1]] :][::-1][:-1]


def _closing_link(rng: Random, n: int, edges: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A link b -> a where b is reached from a by a random walk along two or more links
    and no link joins a and b directly, so it closes a cycle of three or more courses;
    None if no walk from any course finds one."""
    out: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        out[a].append(b)
    starts = [a for a in range(n) if out[a]]
    while starts:
        a = take(rng, starts)
        walk, v = [], a
        while out[v]:
            v = pick(rng, out[v])
            walk.append(v)
        options = [b for b in walk[1:] if b not in out[a]]
        if options:
            return pick(rng, options), a
    return None


class CourseFeasibility(GraphTask[courses.CourseConfig]):
    name: ClassVar[str] = "course_feasibility"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = (
        "Course feasibility: decide whether all courses of a catalogue can be finished, i.e. "
        "whether the prerequisite graph is acyclic (yes and no equally often)."
    )
    Config = courses.CourseConfig
    LEVELS = courses.LEVELS

    def generate(self, config: courses.CourseConfig, rng: Random, index: int) -> Instance:
        n, m = config.courses, config.prerequisites
        feasible = balanced_choice(index, 2) == 0
        order = list(range(n))  # unshuffled: names are drawn independently of the index
        while True:
            edges = dag_edges(rng, order, m if feasible else m - 1)
            if feasible:
                break
            back = _closing_link(rng, n, edges)
            if back is not None:
                edges = sorted([*edges, back])
                break
        names = courses.course_names(rng, n)
        links = [list(e) for e in edges]
        body = courses.describe(rng, names, links)
        question = pick(rng, QUESTIONS).format(n=n)
        return Instance(
            compose(rng, INTROS, body, question, FORMAT),
            "yes" if feasible else "no",
            {"names": names, "edges": links},
        )

    def solve(self, problem: Problem) -> Solution:
        names, edges = self.names(problem), problem.payload["edges"]
        order, effort, lines = courses.kahn(names, edges)
        intro = (
            "Kahn's algorithm: repeatedly take a course whose prerequisites are all done. "
            "If it gets stuck, the courses left wait on each other in a cycle."
        )
        if len(order) == len(names):
            verdict = "Every course was taken, so all courses can be completed."
            answer = "yes"
        else:
            left = set(range(len(names))) - set(order)
            cycle = find_cycle(names, edges, left)
            verdict = (
                f"Stuck with {len(left)} courses left. They contain the cycle "
                f"{join_names(names, [*cycle, cycle[0]], ' -> ')}: each needs the one before "
                "it, so none of them can ever be taken."
            )
            answer = "no"
        reasoning = "\n".join([intro, *lines, verdict])
        return Solution(answer, reasoning, {"effort": effort})

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("yes", "no")

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_yes_no(answer, problem.answer)
