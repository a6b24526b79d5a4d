"""Natural-language wording: statements, rules in several phrasings, prompts, answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from random import Random

from generators.base import ANSWER_INSTRUCTION
from generators.nlsat.formula import Variable


def statement(variable: Variable, true: bool) -> str:
    name, prop = variable
    return f"{name} is {prop}" if true else f"{name} is not {prop}"


def literal(variables: Sequence[Variable], lit: int) -> str:
    """``3`` → "Anne is red", ``-3`` → "Anne is not red"."""
    return statement(variables[abs(lit) - 1], lit > 0)


def phrases(variables: Sequence[Variable]) -> dict[int, str]:
    """Every literal's wording at once: the table the hot rendering paths read."""
    table = {}
    for number, variable in enumerate(variables, start=1):
        table[number] = statement(variable, True)
        table[-number] = statement(variable, False)
    return table


def join(items: Sequence[str], word: str) -> str:
    """Join as "a", "a and b", "a, b and c" (``word`` before the last item)."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _if_then(rng: Random, parts: list[str], negated: list[str]) -> str:
    """(a ∨ b ∨ c) as "If ¬a and ¬b, then c", with a random consequent."""
    pick = rng.randrange(len(parts))
    conditions = negated[:pick] + negated[pick + 1 :]
    return f"If {join(conditions, 'and')}, then {parts[pick]}."


def _at_least_one(rng: Random, parts: list[str], negated: list[str]) -> str:
    return f"At least one of these is true: {join(parts, 'or')}."


def _never_all(rng: Random, parts: list[str], negated: list[str]) -> str:
    together = "both at once" if len(parts) == 2 else "all at once"
    return f"It is never the case that {join(negated, 'and')} {together}."


def _either_or(rng: Random, parts: list[str], negated: list[str]) -> str:
    return f"{' or '.join(parts)}."


_RULE_FORMS: tuple[Callable[[Random, list[str], list[str]], str], ...] = (
    _if_then,
    _if_then,
    _at_least_one,
    _never_all,
    _either_or,
)


def rule_text(rng: Random, words: dict[int, str], clause: Sequence[int]) -> str:
    """One rule saying ``clause`` in a randomly chosen phrasing (if-then twice as often);
    ``words`` is the :func:`phrases` table."""
    parts = [words[lit] for lit in clause]
    negated = [words[-lit] for lit in clause]
    return rng.choice(_RULE_FORMS)(rng, parts, negated)


def describe_clause(variables: Sequence[Variable], clause: Sequence[int]) -> str:
    """Fixed wording of a clause, for verdicts and checks."""
    return f"at least one of: {join([literal(variables, lit) for lit in clause], 'or')}"


_INTROS = (
    'Here are some rules about {people}. Each statement of the form "{example}" is '
    "either true or false.",
    "Consider {people} and a few of their properties. Every statement such as "
    '"{example}" is simply true or false.',
    'The following rules talk about {people}. A statement like "{example}" is either '
    "true or false; nothing else is known about them.",
)
_OR_NOTE = '"Or" is inclusive: at least one of the parts holds, possibly more.'
_CONSISTENCY_QUESTIONS = (
    "Can all of these rules be true at the same time?",
    "Is there a way to decide every statement so that all the rules hold together?",
    "Are these rules consistent, that is, can they all hold at once?",
)
_ASSIGNMENT_QUESTIONS = (
    "Decide each statement below so that every rule holds.",
    "Find a way to make all the rules hold by deciding each statement below.",
    "Choose, for each statement below, whether it is true, so that no rule is broken.",
)


def prompt(
    rng: Random, variables: Sequence[Variable], clauses: Sequence[Sequence[int]], question: str
) -> str:
    people = list(dict.fromkeys(name for name, _ in variables))
    example, counter = statement(variables[0], True), statement(variables[0], False)
    lines = [
        rng.choice(_INTROS).format(people=join(people, "and"), example=example),
        _OR_NOTE,
        "",
        "Rules:",
    ]
    words = phrases(variables)
    lines += [f"{i}. {rule_text(rng, words, c)}" for i, c in enumerate(clauses, start=1)]
    lines.append("")
    if question == "consistency":
        lines.append(rng.choice(_CONSISTENCY_QUESTIONS))
        lines.append('The final answer must be exactly "yes" or "no".')
    else:
        lines.append(rng.choice(_ASSIGNMENT_QUESTIONS))
        lines.append(
            "The final answer has one line per statement, in the order listed, each either "
            f'the statement itself (e.g. "{example}") or its negation ("{counter}"):'
        )
        lines += [statement(v, True) for v in variables]
    lines += ["", ANSWER_INSTRUCTION]
    return "\n".join(lines)


def assignment_answer(variables: Sequence[Variable], true_vars: frozenset[int]) -> str:
    """One line per statement in listed order: the statement or its negation."""
    return "\n".join(statement(v, i in true_vars) for i, v in enumerate(variables, start=1))
