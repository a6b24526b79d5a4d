"""Random k-SAT formulas over (entity, property) statements, and clause evaluation.

Literals are signed 1-based variable numbers, as in DIMACS: ``3`` is "variable 3 is
true", ``-3`` "variable 3 is false".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, isqrt
from random import Random
from typing import Any

from generators.wordlists import load_words

Clause = tuple[int, ...]
Variable = tuple[str, str]  # (entity, property): "Anne is red"


@dataclass(frozen=True)
class Formula:
    variables: list[Variable]  # variable i is variables[i - 1]
    clauses: list[Clause]

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Formula:
        return cls(
            [(name, prop) for name, prop in payload["variables"]],
            [tuple(clause) for clause in payload["clauses"]],
        )


def draw_variables(rng: Random, n_vars: int) -> list[Variable]:
    """``n_vars`` distinct statements from a small grid of names × properties.

    About √n people with about √n properties each, so most people carry several
    statements; listed person by person.
    """
    people = isqrt(n_vars - 1) + 1
    names = rng.sample(load_words("names"), people)
    properties = rng.sample(load_words("properties"), ceil(n_vars / people))
    grid = [(name, prop) for name in names for prop in properties]
    chosen = sorted(rng.sample(range(len(grid)), n_vars))
    return [grid[i] for i in chosen]


def draw_clauses(rng: Random, n_vars: int, sizes: Sequence[int]) -> list[Clause]:
    """One clause per entry of ``sizes`` (Selman fixed-length model).

    Each clause has distinct variables, each negated with probability ½; a clause
    equal (as a set) to an earlier one is redrawn, so no rule is stated twice. The
    config guarantees enough distinct clauses exist. Variables come from
    ``rng.random()`` (much faster than ``rng.sample``) with repeats redrawn.
    """
    random, bits = rng.random, rng.getrandbits
    seen: set[frozenset[int]] = set()
    clauses: list[Clause] = []
    for size in sizes:
        key: frozenset[int] = frozenset()
        while not key or key in seen:
            chosen: list[int] = []
            while len(chosen) < size:
                var = int(random() * n_vars) + 1
                if var not in chosen:
                    chosen.append(var)
            signs = bits(size)  # bit i set: literal i is negated
            clause = tuple(-v if signs >> i & 1 else v for i, v in enumerate(chosen))
            key = frozenset(clause)
        seen.add(key)
        clauses.append(clause)
    return clauses


def clause_sizes(rng: Random, n_clauses: int, n_two: int, k: int) -> list[int]:
    """``n_two`` two-literal clauses at random positions, the rest of length ``k``."""
    sizes = [k] * n_clauses
    for position in rng.sample(range(n_clauses), n_two):
        sizes[position] = 2
    return sizes


def surely_satisfiable(sizes: Sequence[int]) -> bool:
    """True when Σ 2^-|C| < 1: a random assignment then breaks fewer than one clause on
    average, so some assignment breaks none. Used to refuse unreachable targets early."""
    return sum(2.0**-size for size in sizes) < 1


def drop_unused(clauses: Sequence[Clause]) -> tuple[int, list[Clause]]:
    """Renumber the variables the clauses mention as 1..u, keeping their order; (u, clauses)."""
    used = sorted({abs(lit) for clause in clauses for lit in clause})
    number = {old: new for new, old in enumerate(used, start=1)}
    renumbered = [tuple(number[x] if x > 0 else -number[-x] for x in c) for c in clauses]
    return len(used), renumbered


def constant_satisfies(clauses: Sequence[Clause]) -> bool:
    """Whether making every statement true, or every statement false, satisfies all clauses."""
    return all(max(clause) > 0 for clause in clauses) or all(min(clause) < 0 for clause in clauses)


def first_violated(clauses: Sequence[Sequence[int]], true_vars: set[int]) -> int | None:
    """Index of the first clause no literal of which holds, or None if all hold."""
    for index, clause in enumerate(clauses):
        if not any((lit > 0) == (abs(lit) in true_vars) for lit in clause):
            return index
    return None
