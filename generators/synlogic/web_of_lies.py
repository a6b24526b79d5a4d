"""Web of lies: truth-tellers and liars who talk about each other; does one of them tell the truth?

Generation draws a hidden chain order over ``people`` names. The first person's role is
stated outright; every later person speaks about the one just before them in the chain
and, at higher levels, up to ``max_refs - 1`` further earlier people ("exactly one of
Dave and Erin lies"). A truth-teller's statement is true and a liar's false, so each
role follows from the roles of earlier people: propagation along the chain fixes every
role, which proves the answer unique. With ``shuffle`` the statements are shown in
random order, so the solver has to find the chain itself. The question asks about the
last person of the chain, whose role is drawn first (yes and no are equally likely): their
statement is redrawn until it has the truth value that role needs. Effort is the number of
deductions plus the roles consulted.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import normalize_text
from generators.wordlists import load_words
from schemas.records import Problem

Statement = dict[str, Any]  # speaker, refs, mode ("exactly" | "at_least"), k, about


class WebOfLiesConfig(TaskConfig):
    people: int = Field(default=8, ge=3, le=40, description="people in the chain")
    max_refs: int = Field(default=2, ge=1, le=3, description="most people one statement names")
    shuffle: bool = Field(default=True, description="show the statements in random order")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"people": 3, "max_refs": 1, "shuffle": False},
    2: {"people": 4, "max_refs": 1, "shuffle": False},
    3: {"people": 6, "max_refs": 1, "shuffle": True},
    4: {"people": 8, "max_refs": 2, "shuffle": True},
    5: {"people": 10, "max_refs": 2, "shuffle": True},
    6: {"people": 12, "max_refs": 2, "shuffle": True},
    7: {"people": 14, "max_refs": 3, "shuffle": True},
    8: {"people": 16, "max_refs": 3, "shuffle": True},
    9: {"people": 18, "max_refs": 3, "shuffle": True},
    10: {"people": 20, "max_refs": 3, "shuffle": True},
}

INTROS = (
    "In a village every person either always tells the truth or always lies.",
    "Each of the following people is either a truth-teller, whose every statement is true, "
    "or a liar, whose every statement is false.",
    "Consider a group in which everybody either always tells the truth or always lies.",
)
QUESTIONS = (
    "Does {name} tell the truth?",
    "Is {name} a truth-teller?",
    "Question: is {name} telling the truth?",
)
ANSWER_FORMAT = 'Answer with a single word: "yes" if {name} tells the truth, "no" if {name} lies.'
_NUMBER_WORDS = ("zero", "one", "two", "three")
_YES = frozenset({"yes", "true", "truthful", "truth-teller"})
_NO = frozenset({"no", "false", "liar", "lies"})


def holds(statement: Statement, truthful: dict[int, bool]) -> bool:
    """Whether the statement is true given the roles of the people it names."""
    want = statement["about"] == "truth"
    count = sum(truthful[r] == want for r in statement["refs"])
    return count == statement["k"] if statement["mode"] == "exactly" else count >= statement["k"]


def _join(names: list[str], word: str = "and") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def describe(statement: Statement, names: list[str]) -> str:
    """The statement's content in words, e.g. 'exactly one of Dave and Erin lies'."""
    refs = [names[r] for r in statement["refs"]]
    mode, k, m = statement["mode"], statement["k"], len(refs)
    verb_one, verb_many = (
        ("tells the truth", "tell the truth") if statement["about"] == "truth" else ("lies", "lie")
    )
    if m == 1:
        other = "lies" if statement["about"] == "truth" else "tells the truth"
        return f"{refs[0]} {verb_one if k == 1 else other}"
    group = _join(refs)
    if mode == "at_least":
        return f"at least {_NUMBER_WORDS[k]} of {group} {verb_one if k == 1 else verb_many}"
    if k == 0:
        if m == 2:
            return f"neither {refs[0]} nor {refs[1]} {verb_one}"
        return f"none of {group} {verb_one}"
    if k == m:
        return f"{'both' if m == 2 else 'all of'} {group} {verb_many}"
    return f"exactly {_NUMBER_WORDS[k]} of {group} {verb_one if k == 1 else verb_many}"


def _random_statement(rng: Random, speaker: int, max_refs: int) -> Statement:
    """A statement by ``speaker`` naming the previous person and maybe further earlier ones."""
    m = rng.randint(1, min(max_refs, speaker))
    refs = [speaker - 1, *rng.sample(range(speaker - 1), m - 1)]
    rng.shuffle(refs)
    mode = "exactly" if m == 1 or rng.random() < 0.6 else "at_least"
    k = rng.randint(0, m) if mode == "exactly" else rng.randint(1, m)
    about = "truth" if rng.random() < 0.5 else "lie"
    return {"speaker": speaker, "refs": refs, "mode": mode, "k": k, "about": about}


def _statement_of_value(
    rng: Random, speaker: int, max_refs: int, truthful: dict[int, bool], value: bool
) -> Statement:
    """A random statement by ``speaker`` whose truth is ``value``, given the roles of
    everyone before them; its truth value is the speaker's role."""
    while True:
        statement = _random_statement(rng, speaker, max_refs)
        if holds(statement, truthful) == value:
            return statement


def deduce(
    statements: list[Statement], fact: dict[str, Any], n: int
) -> tuple[dict[int, bool], list[int], int]:
    """Propagate roles: repeatedly resolve a speaker whose named people are all known.

    Returns the roles (all forced, so unique), the deduction lines and the effort.
    """
    truthful = {fact["person"]: fact["truthful"]}
    order = [fact["person"]]
    effort = 1
    pending = sorted(statements, key=lambda s: s["speaker"])
    while pending:
        ready = next(s for s in pending if all(r in truthful for r in s["refs"]))
        pending.remove(ready)
        truthful[ready["speaker"]] = holds(ready, truthful)
        order.append(ready["speaker"])
        effort += 1 + len(ready["refs"])
    assert len(truthful) == n, "every role must be forced"
    return truthful, order, effort


class WebOfLies(Task[WebOfLiesConfig]):
    name: ClassVar[str] = "web_of_lies"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = (
        "Truth-tellers and liars make statements about each other; decide whether one of them "
        "tells the truth."
    )
    Config: ClassVar[type[TaskConfig]] = WebOfLiesConfig
    surface_fields = frozenset({"names"})
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: WebOfLiesConfig, rng: Random, index: int) -> Instance:
        n = config.people
        names = rng.sample(load_words("names"), n)
        fact = {"person": 0, "truthful": rng.random() < 0.5}
        statements = [_random_statement(rng, i, config.max_refs) for i in range(1, n - 1)]
        earlier, _, _ = deduce(statements, fact, n - 1)
        # the answer, yes or no equally often at every level (a coin strays by √n)
        value = balanced_choice(index, 2, salt=0.71) == 0
        statements.append(_statement_of_value(rng, n - 1, config.max_refs, earlier, value))
        lines: list[str] = [f"{names[0]} {'tells the truth' if fact['truthful'] else 'lies'}."]
        lines += [f"{names[s['speaker']]} says {describe(s, names)}." for s in statements]
        if config.shuffle:
            rng.shuffle(lines)
        truthful, _, _ = deduce(statements, fact, n)
        target = names[n - 1]
        prompt = "\n".join(
            [
                rng.choice(INTROS),
                "",
                *lines,
                "",
                rng.choice(QUESTIONS).format(name=target),
                ANSWER_FORMAT.format(name=target),
                ANSWER_INSTRUCTION,
            ]
        )
        answer = "yes" if truthful[n - 1] else "no"
        payload = {"names": names, "fact": fact, "statements": statements, "question": n - 1}
        return Instance(prompt=prompt, answer=answer, payload=payload)

    def solve(self, problem: Problem) -> Solution:
        payload = problem.payload
        names: list[str] = payload["names"]
        fact, statements = payload["fact"], payload["statements"]
        truthful, order, effort = deduce(statements, fact, len(names))
        by_speaker = {s["speaker"]: s for s in statements}
        role = {True: "tells the truth", False: "lies"}
        steps = [f"1. {names[fact['person']]} {role[fact['truthful']]} (given)."]
        for number, person in enumerate(order[1:], start=2):
            s = by_speaker[person]
            known = ", ".join(f"{names[r]} {role[truthful[r]]}" for r in s["refs"])
            verdict = "true" if truthful[person] else "false"
            steps.append(
                f"{number}. {names[person]} says {describe(s, names)}. Since {known}, the "
                f"statement is {verdict}, so {names[person]} {role[truthful[person]]}."
            )
        target = payload["question"]
        answer = "yes" if truthful[target] else "no"
        reasoning = "\n".join(
            [
                "Start from the stated fact and resolve each person whose statement only "
                "names people already known; every step is forced, so the roles are unique.",
                *steps,
                f"So {names[target]} {role[truthful[target]]}: the answer is {answer}.",
            ]
        )
        return Solution(answer=answer, reasoning=reasoning, stats={"effort": effort})

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("yes", "no")

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        text = normalize_text(answer)
        if text in _YES:
            given = "yes"
        elif text in _NO:
            given = "no"
        else:
            raise AnswerFormatError(f"expected yes or no, got {answer.strip()[:40]!r}")
        if given == problem.answer:
            return 1.0, "correct"
        return 0.0, f"answered {given}, expected {problem.answer}"
