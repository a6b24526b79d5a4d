"""The Game of 24 task: generator, reference trace and verifier behind the generator contract."""

from __future__ import annotations

import math
import re
from collections import Counter
from random import Random
from typing import Any, ClassVar

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task
from generators.canonical import digest
from generators.synlogic.game_of_24.config import LEVELS, GameOf24Config
from generators.synlogic.game_of_24.expression import DivisionByZero, evaluate
from generators.synlogic.game_of_24.solver import Search, expression, fmt, search
from schemas.records import Problem

_UNLIMITED = 10**9
_LISTED_DEAD_ENDS = 12
_RESULT = re.compile(r"=\s*([-+]?\d{1,12})\s*(?:\.\s*)?$")  # not \s*\.?\s*: quadratic
_WRAPPING = "`$ \n\t"

_INTROS = (
    "Game of {target}: using the numbers {numbers}, write an arithmetic expression whose "
    "value is exactly {target}.",
    "You are given the numbers {numbers}. Combine them into an expression equal to {target}.",
    "Make {target} out of the numbers {numbers}.",
)
_RULES = (
    "Use each given number exactly once (no other numbers), with +, -, * and / and as many "
    "parentheses as you like. Division is exact, so fractions may appear along the way.",
    "Every number must be used exactly once and no other numbers may appear. Allowed: "
    "addition, subtraction, multiplication, division (exact, fractions allowed) and "
    "parentheses.",
    "Rules: each of the numbers is used once and only once, nothing else is a number, the "
    "operations are + - * / (exact division) and parentheses group them.",
)
_FORMATS = (
    'Write the expression alone as your answer, for example "{example}".',
    'Your answer is just the expression, such as "{example}".',
    'Give only the expression in the answer, like "{example}".',
)


def _example(n: int) -> str:
    """A format example on placeholder numbers, so it gives nothing away."""
    return {
        3: "(1 + 2) * 3",
        4: "(1 + 2) * 3 - 4",
        5: "(1 + 2) * 3 - 4 / 5",
        6: "(1 + 2) * 3 - 4 / 5 + 6",
    }[n]


class GameOf24(Task[GameOf24Config]):
    """Reach a target from n numbers with + - * / and parentheses, each number used once.

    Any expression meeting the rules scores 1; the verifier parses it with its own grammar
    (see ``expression``), evaluates it exactly and checks both the numbers and the target.
    """

    name: ClassVar[str] = "game_of_24"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Game of 24 generalised: combine n given numbers with + - * / and parentheses, each "
        "exactly once, into an expression equal to the target."
    )
    Config = GameOf24Config
    LEVELS = LEVELS

    def generate(self, config: GameOf24Config, rng: Random, index: int) -> Instance:
        for _ in range(config.max_attempts):
            numbers = [rng.randint(1, config.max_number) for _ in range(config.n_numbers)]
            target = rng.randint(config.target_min, config.target_max)
            if _trivially_reached(numbers, target):
                continue
            found = search(numbers, target, config.max_nodes, record=False)
            if found.steps is not None and found.nodes >= config.min_effort:
                break
        else:
            raise RuntimeError(
                f"no puzzle with a solution needing {config.min_effort}..{config.max_nodes} "
                f"solver states in {config.max_attempts} attempts; raise max_attempts or "
                "max_nodes, or lower min_effort"
            )
        style = [rng.randrange(len(options)) for options in (_INTROS, _RULES, _FORMATS)]
        payload: dict[str, Any] = {"numbers": numbers, "target": target, "style": style}
        return Instance(
            prompt=_prompt(numbers, target, style),
            answer=expression(numbers, found.steps),
            payload=payload,
        )

    def solve(self, problem: Problem) -> Solution:
        numbers, target = problem.payload["numbers"], problem.payload["target"]
        found = search(numbers, target, _UNLIMITED)
        if found.steps is None:
            raise ValueError(f"{target} cannot be made from {numbers}")
        answer = expression(numbers, found.steps)
        stats = {"effort": found.nodes, "first_moves": len(found.first_moves)}
        return Solution(answer, _reasoning(numbers, target, found, answer), stats)

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        numbers = [str(n) for n in problem.payload["numbers"]]
        return {
            **super().trivial_answers(problem),
            "add them all": " + ".join(numbers),
            "multiply them all": " * ".join(numbers),
        }

    def structural_key(self, problem: Problem) -> str:
        """The numbers as a multiset, and the target."""
        p = problem.payload
        return digest([sorted(p["numbers"]), p["target"]])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        numbers, target = problem.payload["numbers"], problem.payload["target"]
        text = answer.strip(_WRAPPING)
        stated = _RESULT.search(text)
        if stated:
            text = text[: stated.start()]
        try:
            result = evaluate(text)
        except DivisionByZero as error:
            return 0.0, str(error)
        if Counter(result.numbers) != Counter(numbers):
            used = ", ".join(map(str, sorted(result.numbers)))
            given = ", ".join(map(str, sorted(numbers)))
            return 0.0, f"uses the numbers [{used}], but exactly [{given}] are required"
        if result.value != target:
            return 0.0, f"the expression equals {fmt(result.value)}, not {target}"
        if stated and int(stated.group(1)) != target:
            return 0.0, f"states the result {stated.group(1)}, but the target is {target}"
        return 1.0, f"uses every number once and equals {target}"


def _trivially_reached(numbers: list[int], target: int) -> bool:
    """Whether adding or multiplying all the numbers (the declared trivial answers) makes
    the target; such draws are rejected."""
    return target in (sum(numbers), math.prod(numbers))


def _prompt(numbers: list[int], target: int, style: list[int]) -> str:
    listed = ", ".join(map(str, numbers))
    intro, rules, form = style
    return "\n".join(
        [
            _INTROS[intro].format(numbers=listed, target=target),
            _RULES[rules],
            _FORMATS[form].format(example=_example(len(numbers)))
            + f' You may end it with "= {target}".',
            ANSWER_INSTRUCTION,
        ]
    )


def _reasoning(numbers: list[int], target: int, found: Search, answer: str) -> str:
    assert found.steps is not None
    listed = ", ".join(map(str, numbers))
    lines = [
        f"We must reach {target} from {listed}, using each number exactly once.",
        "Method: pick two of the remaining numbers, combine them with +, -, * or /, and put "
        f"the result back; when one number is left it must be {target}. Results stay exact "
        "(fractions allowed) and non-negative, and a collection of numbers already shown to "
        "be a dead end is not explored again.",
        "",
        "First combinations tried:",
    ]
    dead = [(step, nodes) for step, nodes, ok in found.first_moves if not ok]
    for step, nodes in dead[:_LISTED_DEAD_ENDS]:
        lines.append(f"- {step.text()}: dead end ({nodes} positions explored)")
    if len(dead) > _LISTED_DEAD_ENDS:
        rest = dead[_LISTED_DEAD_ENDS:]
        lines.append(
            f"- ({len(rest)} more first combinations, {sum(n for _, n in rest)} positions, "
            "all dead ends)"
        )
    lines += [f"- {found.steps[0].text()}: this line reaches {target}.", "", "The line:"]
    remaining: list[Any] = sorted(numbers)
    for number, (step, (dead_ends, spent)) in enumerate(
        zip(found.steps, found.detours, strict=True), start=1
    ):
        remaining.remove(step.left)
        remaining.remove(step.right)
        remaining.append(step.result)
        left = ", ".join(fmt(v) for v in sorted(remaining))
        detour = f" (after {dead_ends} dead-end tries" if dead_ends else ""
        detour += f", {spent} positions)" if spent else ")" if dead_ends else ""
        lines.append(f"Step {number}{detour}: {step.text()}, leaving {left}.")
    lines += [
        "",
        f"As one expression: {answer} = {target}.",
        f"Check: it uses {listed} once each and evaluates to {target}. "
        f"({found.nodes} positions examined in all.)",
    ]
    return "\n".join(lines)
