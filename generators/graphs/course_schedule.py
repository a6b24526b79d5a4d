"""Course schedule: an order in which to take every course, prerequisites first.

Any topological order passes: the verifier checks that every course appears exactly
once and every prerequisite comes before the course that needs it.
"""

from __future__ import annotations

from random import Random
from typing import ClassVar

from generators.base import Instance, Solution
from generators.graphs import courses
from generators.graphs.answers import node_sequence, tokens
from generators.graphs.sampling import dag_edges
from generators.graphs.task import GraphTask, compose, join_names
from schemas.records import Problem

INTROS = (
    "A student must plan the order of their courses.",
    "Here is a university course catalogue with prerequisites.",
    "The following courses have prerequisites that must be respected.",
)
QUESTIONS = (
    "In what order can the student take all {n} courses, one at a time?",
    "Give an order in which every course can be taken after all of its prerequisites.",
    "Schedule all {n} courses so that no course comes before one it requires.",
)
FORMAT = (
    "List every course exactly once, in the order they are taken, separated by commas. "
    "Any order that respects all prerequisites is accepted."
)


class CourseSchedule(GraphTask[courses.CourseConfig]):
    name: ClassVar[str] = "course_schedule"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = (
        "Course schedule: order all courses so that every prerequisite comes first (a "
        "topological order of a DAG); any valid order passes."
    )
    Config = courses.CourseConfig
    LEVELS = courses.LEVELS

    def generate(self, config: courses.CourseConfig, rng: Random, index: int) -> Instance:
        n = config.courses
        order = list(range(n))
        rng.shuffle(order)
        edges = [list(e) for e in dag_edges(rng, order, config.prerequisites)]
        names = courses.course_names(rng, n)
        body = courses.describe(rng, names, edges)
        question = rng.choice(QUESTIONS).format(n=n)
        prompt = compose(rng, INTROS, body, question, FORMAT)
        found, _, _ = courses.kahn(names, edges)
        return Instance(prompt, join_names(names, found), {"names": names, "edges": edges})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        order, effort, lines = courses.kahn(names, problem.payload["edges"])
        reasoning = "\n".join(
            [
                "Kahn's algorithm: repeatedly take a course whose prerequisites are all done "
                "(alphabetically first when several are ready).",
                *lines,
                "Every course has been taken, so this order works.",
            ]
        )
        return Solution(join_names(names, order), reasoning, {"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        names = self.names(problem)
        known = {name.casefold(): name for name in names}
        mentioned = dict.fromkeys(known[t] for t in tokens(problem.prompt, 10**6) if t in known)
        return {
            **super().trivial_answers(problem),
            "alphabetical order": ", ".join(sorted(names)),
            "order of first mention": ", ".join(mentioned),
        }

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names = self.names(problem)
        order = node_sequence(answer, names, len(names) + 1)
        position: dict[int, int] = {}
        for at, course in enumerate(order):
            if course in position:
                return 0.0, f"{names[course]} is taken twice"
            position[course] = at
        if len(position) < len(names):
            missing = next(c for c in range(len(names)) if c not in position)
            return 0.0, f"{names[missing]} is never taken"
        for a, b in problem.payload["edges"]:
            if position[a] > position[b]:
                return 0.0, f"{names[b]} is taken before its prerequisite {names[a]}"
        return 1.0, "a valid order"
