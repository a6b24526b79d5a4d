"""What the graph tasks share: names as surface, prompt assembly, bounded traces."""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import ClassVar, TypeVar

from generators.base import ANSWER_INSTRUCTION, GenerationError, Task, TaskConfig
from generators.graphs.fastrand import pick
from schemas.records import Problem

C = TypeVar("C", bound=TaskConfig)

MAX_ATTEMPTS = 200
"""Redraws a generator may make before it gives up on its knobs."""
TRACE_LINES = 60
"""Reference traces keep at most this many step lines (first and last ones)."""


class GraphTask(Task[C]):
    """A task whose payload holds its node ``names`` (surface) and index-based structure:
    renamed copies of one problem share a structural key."""

    surface_fields: ClassVar[frozenset[str]] = frozenset({"names"})

    def names(self, problem: Problem) -> list[str]:
        return problem.payload["names"]

    def give_up(self, knob: str) -> GenerationError:
        return GenerationError(
            f"{self.name}: no instance in {MAX_ATTEMPTS} draws; change the '{knob}' knob"
        )


def compose(rng: Random, intros: Sequence[str], body: str, question: str, fmt: str) -> str:
    """Intro (drawn), the graph, the question and the answer format, then the shared
    instruction."""
    return assemble(pick(rng, intros), body, question, fmt)


def assemble(intro: str, body: str, question: str, fmt: str) -> str:
    """The prompt's parts joined, then the shared instruction."""
    return "\n\n".join([intro, body, question, fmt, ANSWER_INSTRUCTION])


def bounded(lines: list[str], limit: int = TRACE_LINES) -> list[str]:
    """``lines`` with the middle elided past ``limit`` lines."""
    if len(lines) <= limit:
        return lines
    head, tail = lines[: limit // 2], lines[-(limit // 2) :]
    return [*head, f"... ({len(lines) - len(head) - len(tail)} similar steps) ...", *tail]


def join_names(names: Sequence[str], nodes: Sequence[int], sep: str = ", ") -> str:
    return sep.join(names[v] for v in nodes)
