"""The NLSat task: generation with a proven label, the DPLL reference solution, scoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from functools import cache, partial
from itertools import chain
from random import Random
from typing import Any

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, Task
from generators.canonical import digest, least_relabelling
from generators.nlsat import dpll
from generators.nlsat.config import LEVELS, NLSatConfig
from generators.nlsat.formula import (
    Formula,
    clause_sizes,
    constant_satisfies,
    draw_clauses,
    draw_variables,
    drop_unused,
    surely_satisfiable,
)
from generators.nlsat.narrate import narrate
from generators.nlsat.render import assignment_answer, prompt
from generators.nlsat.verifier import AssignmentChecker, check_verdict
from schemas.arrow import canonical_json
from schemas.records import Problem

MAX_ATTEMPTS = 2000
"""Redraws allowed to hit the wanted label before generation gives up."""

THRESHOLDS = {2: 1.0, 3: 4.27, 4: 9.93, 5: 21.1}
"""Satisfiability threshold of α for large random k-SAT (higher at small n), for hints."""


def _label(satisfiable: bool) -> str:
    return "consistent" if satisfiable else "inconsistent"


def _knobs(config: NLSatConfig) -> str:
    return (
        f"n_vars={config.n_vars}, alpha={config.alpha}, k={config.k}, "
        f"two_sat_fraction={config.two_sat_fraction}"
    )


@cache
def _occurrence_forms(width: int) -> tuple[dict[tuple[bool, int, int], int], list[str]]:
    """Every occurrence of a variable in a clause of at most ``width`` literals, described
    as [its sign, the sorted signs of the clause's other literals] and keyed by (its sign,
    the clause's positive literals, the clause's size): each key's rank in the sort order
    of the descriptions, and the canonical JSON of the description of each rank."""
    forms: dict[tuple[bool, int, int], list[Any]] = {}
    for size in range(1, width + 1):
        for positives in range(size + 1):
            for positive in (False, True):
                others_true = positives - positive
                others_false = size - 1 - others_true
                if others_true >= 0 and others_false >= 0:
                    others = [False] * others_false + [True] * others_true
                    forms[positive, positives, size] = [positive, others]
    order = sorted(forms, key=forms.__getitem__)
    ranks = {key: rank for rank, key in enumerate(order)}
    return ranks, [canonical_json(forms[key]) for key in order]


def _colours(clauses: list[list[int]], n: int) -> list[str]:
    """Per variable, the canonical JSON of the sorted list of its occurrences (see
    :func:`_occurrence_forms`): the clauses it is in, by its sign and the other literals'
    signs only. One pass over the clauses; a clause's literals of one sign share a rank."""
    ranks, texts = _occurrence_forms(max(map(len, clauses), default=0))
    found: list[list[int]] = [[] for _ in range(n)]
    of_literal = [[], *found, *reversed(found)]  # literal v and -v: variable v's list
    for clause in clauses:
        size, positives = len(clause), sum(map((0).__lt__, clause))
        # -1 where the clause has no literal of that sign (never looked up then)
        by_sign = ranks.get((False, positives, size), -1), ranks.get((True, positives, size), -1)
        for lit in clause:
            of_literal[lit].append(by_sign[lit > 0])
    return ["[" + ",".join([texts[rank] for rank in sorted(seen)]) + "]" for seen in found]


def _renumbered(clauses: list[list[int]], relabel: list[int]) -> list[list[int]]:
    """The clauses with variable v renumbered ``relabel[v - 1] + 1``, then sorted."""
    new = [0] * (2 * len(relabel) + 1)  # literal -> renumbered literal; -v indexes from the end
    for old, number in enumerate(relabel, 1):
        new[old], new[-old] = number + 1, -(number + 1)
    renumber = new.__getitem__
    return sorted([sorted(map(renumber, clause)) for clause in clauses])


def _answer(question: str, formula: Formula, result: dpll.SearchResult) -> str:
    if question == "assignment":
        return assignment_answer(formula.variables, result.true_vars)
    return "yes" if result.satisfiable else "no"


class NLSat(Task[NLSatConfig]):
    name = "nlsat"
    version = "1.2.0"
    description = (
        "Random k-SAT around the satisfiability threshold, told as rules about people and "
        "their properties: decide whether the rules are consistent (yes/no), or give an "
        "assignment of the statements that satisfies every rule."
    )
    Config = NLSatConfig
    LEVELS = LEVELS

    def _wanted(self, config: NLSatConfig, index: int) -> bool | None:
        """The satisfiability the instance must have, or None for whatever comes.

        The balanced label is a :func:`balanced_choice` of the index, not a coin (which
        strays by √n: at 200 problems a level it broke the audit's ±5% one build in ten)
        nor the index parity (builds hand out levels round-robin by index, and a parity
        label would give every level a single label).
        """
        if config.question == "assignment":
            return True
        if config.balanced:
            return balanced_choice(index, 2, salt=0.43) == 0
        return None

    def generate(self, config: NLSatConfig, rng: Random, index: int) -> Instance:
        wanted = self._wanted(config, index)
        n_clauses, n_two = config.n_clauses, config.n_two_literal
        if wanted is False and surely_satisfiable([2] * n_two + [config.k] * (n_clauses - n_two)):
            raise ValueError(
                f"nlsat: inconsistent instances are impossible with {_knobs(config)} "
                "(too few clauses); raise alpha or two_sat_fraction, or set balanced=False"
            )
        for _ in range(MAX_ATTEMPTS):
            sizes = clause_sizes(rng, n_clauses, n_two, config.k)
            n_used, clauses = drop_unused(draw_clauses(rng, config.n_vars, sizes))
            if config.question == "assignment" and constant_satisfies(clauses):
                continue  # "all true" or "all false" would score without solving anything
            result = dpll.solve(n_used, clauses)
            if wanted is None or result.satisfiable == wanted:
                break
        else:
            raise ValueError(
                f"nlsat: no {_label(bool(wanted))} instance in {MAX_ATTEMPTS} draws with "
                f"{_knobs(config)}; move alpha toward the threshold (about "
                f"{THRESHOLDS[config.k]} for k={config.k}) or set balanced=False"
            )
        formula = Formula(draw_variables(rng, n_used), clauses)
        payload = {
            "variables": [list(v) for v in formula.variables],
            "clauses": [list(c) for c in clauses],
            "question": config.question,
            "label": _label(result.satisfiable),
            "alpha": round(n_clauses / n_used, 4),
            "solver_stats": result.stats(),
        }
        return Instance(
            prompt=prompt(rng, formula.variables, clauses, config.question),
            answer=_answer(config.question, formula, result),
            payload=payload,
        )

    def solve(self, problem: Problem) -> Solution:
        """Re-run DPLL on the payload and narrate it; effort = decisions + conflicts."""
        formula = Formula.from_payload(problem.payload)
        result = dpll.solve(len(formula.variables), formula.clauses, record=True)
        return Solution(
            answer=_answer(problem.payload["question"], formula, result),
            reasoning=narrate(result, formula.variables, formula.clauses),
            stats=result.stats(),
        )

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return self.answer_checker(problem)(answer)

    def answer_checker(self, problem: Problem) -> Callable[[str], tuple[float, str]]:
        """``check_answer`` bound to ``problem``, for scoring many answers to it."""
        if problem.payload["question"] == "assignment":
            return AssignmentChecker(problem.payload)
        return partial(check_verdict, problem.payload)

    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        return ("yes", "no") if problem.payload["question"] == "consistency" else None

    def answer_space(self, problem: Problem) -> int | None:
        if problem.payload["question"] == "assignment":
            return 2 ** len(problem.payload["variables"])
        return super().answer_space(problem)

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        guesses = super().trivial_answers(problem)
        if problem.payload["question"] == "assignment":
            variables = problem.payload["variables"]  # [name, property] pairs
            every = frozenset(range(1, len(variables) + 1))
            guesses["all true"] = assignment_answer(variables, every)
            guesses["all false"] = assignment_answer(variables, frozenset())
        return guesses

    def structural_key(self, problem: Problem) -> str:
        """The question and the clauses, with the statements (names and properties)
        renumbered canonically."""
        clauses = problem.payload["clauses"]
        # Each colour as its JSON text: least_relabelling groups and orders colours by their
        # canonical JSON, and quoting texts that need no escapes and of which none is a
        # prefix of another (each is one whole JSON array) keeps both.
        colours = _colours(clauses, len(problem.payload["variables"]))
        form = least_relabelling(colours, lambda relabel: _renumbered(clauses, relabel))
        return digest([problem.payload["question"], form])

    def structural_invariant(self, problem: Problem) -> Hashable:
        """Equal for any two problems with equal structural keys, at a fifth of a key's
        cost: the question, the clauses' sizes and each statement's (positive, negative)
        occurrences, as sorted multisets (what the key's canonical clauses show whatever
        the numbering)."""
        clauses = problem.payload["clauses"]
        literals = Counter(chain.from_iterable(clauses))
        count = literals.get
        degrees = sorted([(count(v, 0), count(-v, 0)) for v in set(map(abs, literals))])
        return problem.payload["question"], tuple(sorted(map(len, clauses))), tuple(degrees)
