"""Greatest common divisor or least common multiple of several integers.

The numbers are a shared part times cofactors with no common factor, so the gcd is the
shared part; the gcd never equals one of the numbers and the lcm never equals the
largest, so copying an input never scores.
"""

from __future__ import annotations

from math import gcd, lcm
from random import Random
from typing import Any, ClassVar, Literal

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.common import ValueTask, compose
from generators.math.numbers import SMALL_PRIMES, euclid_steps, products, uniform_digits
from schemas.records import Problem


class GcdLcmConfig(TaskConfig):
    count: int = Field(default=2, ge=2, le=6, description="how many numbers")
    shared: int = Field(default=2, ge=1, le=6, description="prime factors of the common part")
    cofactor: int = Field(default=2, ge=1, le=6, description="prime factors of each cofactor")
    primes: int = Field(default=10, ge=4, le=40, description="draw from the first this many primes")
    question: Literal["gcd", "lcm", "either"] = Field(default="either", description="what to ask")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"count": 2, "shared": 2, "cofactor": 1, "primes": 12},
    2: {"count": 2, "shared": 2, "cofactor": 2, "primes": 12},
    3: {"count": 2, "shared": 3, "cofactor": 2, "primes": 15},
    4: {"count": 3, "shared": 2, "cofactor": 2, "primes": 15},
    5: {"count": 3, "shared": 3, "cofactor": 2, "primes": 18},
    6: {"count": 3, "shared": 3, "cofactor": 3, "primes": 20},
    7: {"count": 4, "shared": 3, "cofactor": 3, "primes": 20},
    8: {"count": 4, "shared": 4, "cofactor": 3, "primes": 25},
    9: {"count": 5, "shared": 4, "cofactor": 3, "primes": 25},
    10: {"count": 6, "shared": 4, "cofactor": 4, "primes": 30},
}

_INTROS = {
    "gcd": (
        "Find the greatest common divisor of the numbers below.",
        "What is the largest integer that divides every one of these numbers?",
        "Compute gcd of the following integers.",
    ),
    "lcm": (
        "Find the least common multiple of the numbers below.",
        "What is the smallest positive integer divisible by every one of these numbers?",
        "Compute lcm of the following integers.",
    ),
}


def _draw(rng: Random, config: GcdLcmConfig) -> tuple[int, list[int]]:
    """The common part, and distinct cofactors above 1 with no prime common to all of them
    (primes drawn uniformly from the first ``config.primes``)."""
    base, size, count = config.primes, config.cofactor, config.count
    common = products(SMALL_PRIMES, uniform_digits(rng, base, config.shared), config.shared)[0]
    while True:
        found = products(SMALL_PRIMES, uniform_digits(rng, base, count * size), size)
        if len(set(found)) == count and gcd(*found) == 1:
            return common, found


class GcdLcm(ValueTask[GcdLcmConfig]):
    name: ClassVar[str] = "gcd_lcm"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "gcd or lcm of 2-6 integers built from shared prime factors."
    Config = GcdLcmConfig
    LEVELS = LEVELS

    def generate(self, config: GcdLcmConfig, rng: Random, index: int) -> Instance:
        question = config.question
        if question == "either":
            question = "lcm" if rng.getrandbits(1) else "gcd"
        common, cofactors = _draw(rng, config)
        numbers = [common * c for c in cofactors]
        answer = gcd(*numbers) if question == "gcd" else lcm(*numbers)
        statement = ", ".join(map(str, numbers))
        return Instance(
            prompt=compose(rng, _INTROS[question], statement, "Give one positive integer."),
            answer=str(answer),
            payload={"numbers": numbers, "question": question},
        )

    def solve(self, problem: Problem) -> Solution:
        numbers, question = problem.payload["numbers"], problem.payload["question"]
        lines, steps, running = [], 0, numbers[0]
        for n in numbers[1:]:
            divisions = euclid_steps(max(running, n), min(running, n))
            steps += len(divisions)
            lines += [f"{a} = {q}·{b} + {r}" for a, q, b, r in divisions]
            g = divisions[-1][2]
            lines.append(f"gcd({running}, {n}) = {g}")
            if question == "lcm":
                lines.append(f"lcm({running}, {n}) = {running}·{n}/{g} = {running * n // g}")
                running = running * n // g
            else:
                running = g
        lines.append(f"{question} = {running}")
        # Effort: the divisions plus the digits they work on (a larger common part means
        # longer divisions, not more of them).
        effort = steps + sum(len(str(n)) for n in numbers)
        return Solution(str(running), "\n".join(lines), {"effort": effort})
