"""Scoring extracted answers against the payload: yes/no labels and assignments by evaluation.

Nothing here evaluates model text; answers are parsed with fixed patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from typing import Any

from generators.base import AnswerFormatError
from generators.nlsat.formula import Formula, first_violated
from generators.nlsat.render import describe_clause, statement
from generators.statement_lines import listed_decisions

_VERDICT_WORDS = {
    "yes": True,
    "consistent": True,
    "satisfiable": True,
    "no": False,
    "inconsistent": False,
    "unsatisfiable": False,
}
_LINE = re.compile(
    r"(?:[-*•]|\(?\d+[.):]?)?\s*(?P<name>[A-Za-z]+)\s+(?P<verb>is\s+not|isn't|is)\s+"
    r"(?P<prop>[A-Za-z]+)\s*[.;,]?",
    re.IGNORECASE,
)


def parse_verdict(answer: str) -> bool:
    """``yes``/``no`` (or consistent/inconsistent, satisfiable/unsatisfiable), any case,
    trailing punctuation allowed."""
    word = answer.strip().rstrip(".!?,;:").strip().lower()
    if word not in _VERDICT_WORDS:
        raise AnswerFormatError(f'expected "yes" or "no", got {answer[:40]!r}')
    return _VERDICT_WORDS[word]


def parse_statements(answer: str) -> list[tuple[str, bool, str]]:
    """(name, is-true, property) per non-blank line; numbering and bullets are allowed."""
    parsed = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if match is None:
            raise AnswerFormatError(f'expected "<name> is [not] <property>", got {line[:60]!r}')
        positive = match["verb"].lower() == "is"
        parsed.append((match["name"].lower(), positive, match["prop"].lower()))
    return parsed


@lru_cache(maxsize=1)
def _statements(answer: str) -> tuple[tuple[str, bool, str], ...]:
    """:func:`parse_statements`, kept for the last answer: the audit scores one answer (the
    commonest reference answer) against many problems in a row."""
    return tuple(parse_statements(answer))


def check_verdict(payload: dict[str, Any], answer: str) -> tuple[float, str]:
    consistent = payload["label"] == "consistent"
    if parse_verdict(answer) == consistent:
        return 1.0, "correct"
    return 0.0, f"wrong: the rules are {payload['label']}"


class AssignmentChecker:
    """The check of an assignment answer to one problem, its formula and lookups built
    once (the audit and a reward score many answers per problem).

    An answer whose every line is a statement or its negation exactly as listed, each
    statement once, is read by lookup; any other goes through :func:`parse_statements`.
    Both give the same score and reason: the lookup holds only lines the parser reads as
    that statement (names and properties of ASCII letters, no two statements equal but
    for case).
    """

    def __init__(self, payload: dict[str, Any]) -> None:
        formula = Formula.from_payload(payload)
        self.variables, self.clauses = formula.variables, formula.clauses
        self.number = {
            (name.lower(), prop.lower()): i for i, (name, prop) in enumerate(self.variables, 1)
        }
        self.names = {name for name, _ in self.number}
        self.properties = {prop for _, prop in self.number}
        self.lines: dict[str, tuple[int, bool]] = {}
        words = list(chain.from_iterable(self.variables))
        letters = "".join(words)  # every word of ASCII letters: none empty, all letters
        if (
            len(self.number) == len(self.variables)
            and all(words)
            and letters.isascii()
            and letters.isalpha()
        ):
            for i, variable in enumerate(self.variables, 1):
                self.lines[statement(variable, True)] = (i, True)
                self.lines[statement(variable, False)] = (i, False)

    def __call__(self, answer: str) -> tuple[float, str]:
        """Score in [0, 1] and a reason; raises :class:`AnswerFormatError` on malformed text."""
        given = listed_decisions(answer, self.lines)
        if given is None:
            given = self._read(_statements(answer))
            if isinstance(given, str):
                return 0.0, given
        if len(given) < len(self.variables):  # given holds distinct statement numbers
            first = next(v for i, v in enumerate(self.variables, 1) if i not in given)
            undecided = len(self.variables) - len(given)
            return 0.0, f"{undecided} statement(s) not decided, e.g. '{statement(first, True)}'"
        broken = first_violated(self.clauses, {var for var, positive in given.items() if positive})
        if broken is not None:
            clause = describe_clause(self.variables, self.clauses[broken])
            return 0.0, f"rule {broken + 1} is violated ({clause})"
        return 1.0, f"all {len(self.clauses)} rules hold"

    def _read(self, statements: Iterable[tuple[str, bool, str]]) -> dict[int, bool] | str:
        """The statements decided, or why the answer scores 0."""
        given: dict[int, bool] = {}
        for name, positive, prop in statements:
            if name not in self.names:
                return f"unknown person {name!r}"
            if prop not in self.properties:
                return f"unknown property {prop!r}"
            var = self.number.get((name, prop))
            if var is None:
                return f"'{name} is {prop}' is not one of the listed statements"
            if var in given:
                problem = "given twice" if given[var] == positive else "contradicted"
                return f"'{statement(self.variables[var - 1], True)}' is {problem}"
            given[var] = positive
        return given
