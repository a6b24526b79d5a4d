"""The assignment checker's lookup of listed lines gives, for any answer, the score and
reason (or the format error) of the plain parse-every-line check it short-cuts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from random import Random
from typing import Any

import pytest

from generators.base import AnswerFormatError, make_problem
from generators.nlsat.formula import Formula, first_violated
from generators.nlsat.render import assignment_answer, describe_clause, statement
from generators.nlsat.verifier import AssignmentChecker, parse_statements
from generators.registry import get_task


def plain_check(payload: dict[str, Any], answer: str) -> tuple[float, str]:
    """The check as it was before the lookup: every line parsed."""
    formula = Formula.from_payload(payload)
    variables, clauses = formula.variables, formula.clauses
    number = {(name.lower(), prop.lower()): i for i, (name, prop) in enumerate(variables, 1)}
    names, properties = {n for n, _ in number}, {p for _, p in number}
    given: dict[int, bool] = {}
    for name, positive, prop in parse_statements(answer):
        if name not in names:
            return 0.0, f"unknown person {name!r}"
        if prop not in properties:
            return 0.0, f"unknown property {prop!r}"
        var = number.get((name, prop))
        if var is None:
            return 0.0, f"'{name} is {prop}' is not one of the listed statements"
        if var in given:
            problem = "given twice" if given[var] == positive else "contradicted"
            return 0.0, f"'{statement(variables[var - 1], True)}' is {problem}"
        given[var] = positive
    missing = [statement(v, True) for i, v in enumerate(variables, 1) if i not in given]
    if missing:
        return 0.0, f"{len(missing)} statement(s) not decided, e.g. '{missing[0]}'"
    broken = first_violated(clauses, {var for var, positive in given.items() if positive})
    if broken is not None:
        return 0.0, f"rule {broken + 1} is violated ({describe_clause(variables, clauses[broken])})"
    return 1.0, f"all {len(clauses)} rules hold"


def outcome(check: Callable[[str], tuple[float, str]], answer: str) -> tuple[float, str] | str:
    try:
        return check(answer)
    except AnswerFormatError as error:
        return f"format: {error}"


def assert_agree(payload: dict[str, Any], checker: AssignmentChecker, rng: Random) -> None:
    plain = partial(plain_check, payload)
    for answer in answers(payload, rng):
        assert outcome(checker, answer) == outcome(plain, answer), answer


def answers(payload: dict[str, Any], rng: Random) -> list[str]:
    """Listed lines in every arrangement the lookup must get right, and near misses."""
    variables = [tuple(v) for v in payload["variables"]]
    n = len(variables)
    found = []
    for _ in range(6):
        lines = assignment_answer(variables, frozenset(rng.sample(range(1, n + 1), n // 2)))
        lines = lines.splitlines()
        found.append("\n".join(lines))
        rng.shuffle(lines)
        found.append("\n\n  ".join(lines) + "\n")
        found.append("\n".join(lines[:-1]))  # one undecided
        found.append("\n".join([*lines, lines[0]]))  # given twice
        found.append("\n".join([*lines, statement(variables[0], True)]))  # maybe contradicted
        found.append("\n".join([*lines, statement(variables[0], False)]))
        found.append("\n".join(line.lower() for line in lines))  # parsed, not looked up
        found.append("\n".join(f"- {line}." for line in lines))
        found.append("\n".join([*lines[1:], "Nobody is here"]))
        found.append("\n".join([lines[0].replace(" is ", " is  "), *lines[1:]]))
    return [*found, "", "yes", statement(variables[0], True)]


@pytest.mark.parametrize("level", [1, 4, 8])
def test_lookup_agrees_with_parsing_every_line(level):
    task, rng = get_task("nlsat"), Random(level)
    config = task.config_for_level(level, {"question": "assignment"})
    for index in range(15):
        payload = make_problem(task, config, 3, index, level).payload
        checker = AssignmentChecker(payload)
        assert checker.lines  # the lookup is in use
        assert_agree(payload, checker, rng)


@pytest.mark.parametrize(
    "variables",
    [
        [["Ann", "red"], ["ann", "Red"], ["Bob", "red"]],  # equal but for case
        [["Ann", "red-ish"], ["Bob", "red"], ["Ann", "red"]],  # not a parseable word
        [["Zoë", "red"], ["Bob", "red"], ["Ann", "red"]],  # not ASCII
    ],
)
def test_statements_the_parser_reads_otherwise_are_never_looked_up(variables):
    payload = {"variables": variables, "clauses": [[1, 2], [-2, 3]]}
    checker = AssignmentChecker(payload)
    assert checker.lines == {}
    assert_agree(payload, checker, Random(0))


def test_one_answer_scored_on_many_problems_in_a_row_gets_each_its_own_verdict():
    """The audit scores one answer (the commonest reference answer) on many problems in a
    row; the reading kept from one problem to the next gives each its plain verdict."""
    task = get_task("nlsat")
    config = task.config_for_level(2, {"question": "assignment"})
    payloads = [make_problem(task, config, 5, index, 2).payload for index in range(12)]
    reference = make_problem(task, config, 5, 0, 2).answer
    for answer in (reference, reference.lower(), reference + "\nNobody is here", "x"):
        for payload in payloads:
            expected = outcome(partial(plain_check, payload), answer)
            assert outcome(AssignmentChecker(payload), answer) == expected, answer
