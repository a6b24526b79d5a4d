"""Maximum bipartite matching: assign workers to jobs they can do, as many as possible.

networkx (Hopcroft-Karp) proves the maximum size; the reference trace is Kuhn's
augmenting-path algorithm. Instances where matching greedily in alphabetical order
already reaches the maximum are redrawn, so every problem needs at least one
augmenting path (greedy is a declared guess that always fails). Any maximum matching
passes.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

import networkx as nx
from pydantic import Field

from generators.base import GenerationError, Instance, Solution, TaskConfig
from generators.graphs.answers import node_pairs
from generators.graphs.names import node_names
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose
from schemas.records import Problem

JOBS = [
    "Baker",
    "Carpenter",
    "Driver",
    "Editor",
    "Farmer",
    "Gardener",
    "Hunter",
    "Grocer",
    "Nurse",
    "Painter",
    "Plumber",
    "Sailor",
    "Tailor",
    "Teacher",
    "Welder",
    "Writer",
    "Chef",
    "Clerk",
    "Cook",
    "Guard",
    "Miner",
    "Pilot",
    "Porter",
    "Singer",
    "Tutor",
    "Judge",
    "Potter",
    "Weaver",
    "Glazier",
    "Roofer",
]


class MatchingConfig(TaskConfig):
    workers: int = Field(default=8, ge=2, le=30, description="people on one side")
    jobs: int = Field(default=8, ge=2, le=30, description="jobs on the other side")
    links: int = Field(default=16, ge=2, le=200, description="who-can-do-what pairs")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"workers": 4, "jobs": 4, "links": 7},
    2: {"workers": 5, "jobs": 5, "links": 9},
    3: {"workers": 6, "jobs": 6, "links": 11},
    4: {"workers": 7, "jobs": 7, "links": 14},
    5: {"workers": 8, "jobs": 8, "links": 17},
    6: {"workers": 9, "jobs": 9, "links": 20},
    7: {"workers": 10, "jobs": 10, "links": 23},
    8: {"workers": 11, "jobs": 12, "links": 27},
    9: {"workers": 12, "jobs": 13, "links": 31},
    10: {"workers": 15, "jobs": 16, "links": 42},
}

INTROS = (
    "A manager has to staff some jobs for one day.",
    "Workers must be assigned to jobs.",
    "Here is a bipartite graph of people and the jobs they are qualified for.",
)
QUESTIONS = (
    "Each person can take at most one job and each job needs at most one person. Assign as "
    "many people as possible to jobs they can do.",
    "Find a maximum matching: the largest set of person-job pairs in which every person can "
    "do their job and no person or job appears twice.",
    "Fill as many jobs as possible, one qualified person per job and at most one job per person.",
)
FORMAT = (
    "Write each assignment as Person-Job, separated by commas, listing only the people who "
    "get a job. Any assignment of maximum size is accepted."
)


def _describe(rng: Random, names: list[str], workers: int, links: list[list[int]]) -> str:
    can: list[list[str]] = [[] for _ in range(workers)]
    for a, b in links:
        can[a].append(names[b])
    style = rng.randrange(3)
    people = list(range(workers))
    rng.shuffle(people)
    if style == 0:
        return "\n".join(
            f"{names[p]} can work as: {', '.join(sorted(can[p])) or 'no job here'}." for p in people
        )
    if style == 1:
        shown = list(links)
        rng.shuffle(shown)
        return "Qualified pairs (person - job):\n" + "\n".join(
            f"- {names[a]} - {names[b]}" for a, b in shown
        )
    jobs: dict[str, list[str]] = {}
    for a, b in links:
        jobs.setdefault(names[b], []).append(names[a])
    lines = [
        f"The {job} job can be done by {' or '.join(sorted(who))}." for job, who in jobs.items()
    ]
    rng.shuffle(lines)
    return "\n".join(lines)


def _draw(rng: Random, w: int, j: int, m: int) -> list[list[int]]:
    pairs = [(a, w + b) for a in range(w) for b in range(j)]
    return sorted(list(p) for p in rng.sample(pairs, min(m, len(pairs))))


def greedy(names: list[str], workers: int, links: list[list[int]]) -> list[tuple[int, int]]:
    """Each person in alphabetical order takes their alphabetically first free job."""
    taken, found = set(), []
    for a in sorted(range(workers), key=names.__getitem__):
        options = sorted((b for x, b in links if x == a and b not in taken), key=names.__getitem__)
        if options:
            taken.add(options[0])
            found.append((a, options[0]))
    return found


def maximum_size(workers: int, total: int, links: list[list[int]]) -> int:
    graph = nx.Graph()
    graph.add_nodes_from(range(total))
    graph.add_edges_from(map(tuple, links))
    return len(nx.bipartite.hopcroft_karp_matching(graph, range(workers))) // 2


def kuhn(
    names: list[str], workers: int, links: list[list[int]]
) -> tuple[list[tuple[int, int]], int, list[str]]:
    """(a maximum matching as (person, job) pairs, edges tried, trace lines)."""
    options: list[list[int]] = [[] for _ in range(workers)]
    for a, b in links:
        options[a].append(b)
    for row in options:
        row.sort(key=names.__getitem__)
    holder: dict[int, int] = {}
    tried, lines = 0, []

    def augment(person: int, seen: set[int]) -> bool:
        nonlocal tried
        for job in options[person]:
            tried += 1
            if job in seen:
                continue
            seen.add(job)
            if job not in holder or augment(holder[job], seen):
                holder[job] = person
                return True
        return False

    try:
        for person in sorted(range(workers), key=names.__getitem__):
            before = {p: j for j, p in holder.items()}
            if augment(person, set()):
                after = {p: j for j, p in holder.items()}
                moved = [
                    f"{names[p]} to {names[after[p]]}" for p in before if after[p] != before[p]
                ]
                detail = f" (moving {', '.join(moved)})" if moved else ""
                lines.append(f"{names[person]} gets {names[after[person]]}{detail}.")
            else:
                lines.append(f"{names[person]}: no augmenting path, stays without a job.")
    finally:
        augment = None  # empties the cell that points back at the closure: no reference cycle
    return sorted((p, j) for j, p in holder.items()), tried, bounded(lines)


def _text(names: list[str], pairs: list[tuple[int, int]]) -> str:
    return ", ".join(f"{names[a]}-{names[b]}" for a, b in sorted(pairs, key=lambda p: names[p[0]]))


class BipartiteMatching(GraphTask[MatchingConfig]):
    name: ClassVar[str] = "bipartite_matching"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Maximum bipartite matching: assign as many people as possible to jobs they can do, "
        "one job each; any maximum matching passes."
    )
    Config = MatchingConfig
    LEVELS = LEVELS

    def generate(self, config: MatchingConfig, rng: Random, index: int) -> Instance:
        w, j = config.workers, config.jobs
        for _ in range(MAX_ATTEMPTS):
            names = node_names(rng, w, "people") + rng.sample(JOBS, j)
            links = _draw(rng, w, j, config.links)
            size = maximum_size(w, w + j, links)
            if len(greedy(names, w, links)) < size:
                break
        else:
            raise GenerationError(f"{self.name}: greedy always wins; change 'links'")
        pairs, _, _ = kuhn(names, w, links)
        assert len(pairs) == size
        body = _describe(rng, names, w, links)
        prompt = compose(rng, INTROS, body, rng.choice(QUESTIONS), FORMAT)
        payload = {"names": names, "workers": w, "links": links, "size": size}
        return Instance(prompt, _text(names, pairs), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        pairs, tried, lines = kuhn(names, p["workers"], p["links"])
        reasoning = "\n".join(
            [
                "Kuhn's algorithm: take the people in alphabetical order; each tries their "
                "jobs in order, and a taken job is freed if its holder can move to another "
                "job (an augmenting path).",
                *lines,
                f"{len(pairs)} people are assigned; no augmenting path is left, so this is "
                "maximum.",
            ]
        )
        return Solution(_text(names, pairs), reasoning, {"effort": tried})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        names, p = self.names(problem), problem.payload
        found = greedy(names, p["workers"], p["links"])
        return {**super().trivial_answers(problem), "greedy alphabetical": _text(names, found)}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names, p = self.names(problem), problem.payload
        w, links = p["workers"], {tuple(link) for link in p["links"]}
        used: set[int] = set()
        pairs = node_pairs(answer, names, len(names))
        for a, b in pairs:
            person, job = (a, b) if a < w else (b, a)
            if (person, job) not in links:
                return 0.0, f"{names[a]}-{names[b]} is not a qualified pair"
            if person in used or job in used:
                return 0.0, f"{names[person] if person in used else names[job]} is used twice"
            used.update((person, job))
        if len(pairs) < p["size"]:
            return 0.0, f"{len(pairs)} assignments; {p['size']} are possible"
        return 1.0, "a maximum matching"
