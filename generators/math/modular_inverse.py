"""Modular inverses: the x in 0..m-1 with a·x ≡ 1 (mod m), by the extended Euclid
algorithm; a and m are coprime by construction."""

from __future__ import annotations

from math import gcd
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask, compose
from generators.math.numbers import extended_gcd
from schemas.records import Problem


class ModularInverseConfig(TaskConfig):
    low: int = Field(default=50, ge=5, le=10**12, description="smallest modulus")
    high: int = Field(default=200, ge=7, le=10**15, description="largest modulus")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"low": 60, "high": 250},
    2: {"low": 200, "high": 1000},
    3: {"low": 1000, "high": 5000},
    4: {"low": 5000, "high": 30000},
    5: {"low": 30000, "high": 200000},
    6: {"low": 10**5, "high": 10**6},
    7: {"low": 10**6, "high": 10**7},
    8: {"low": 10**7, "high": 10**9},
    9: {"low": 10**9, "high": 10**11},
    10: {"low": 10**11, "high": 10**14},
}

_INTROS = (
    "Find the multiplicative inverse of a modulo m.",
    "Solve the congruence a·x ≡ 1 (mod m) for x.",
    "Compute the modular inverse below.",
)


class ModularInverse(ValueTask[ModularInverseConfig]):
    name: ClassVar[str] = "modular_inverse"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = "The inverse of a modulo m, in 0..m-1 (extended Euclid)."
    Config = ModularInverseConfig
    LEVELS = LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: ModularInverseConfig, rng: Random, index: int) -> Instance:
        high = max(config.high, config.low + 2)
        while True:
            m = rng.randint(config.low, high)
            a = rng.randint(2, m - 1)
            if gcd(a, m) == 1 and pow(a, -1, m) not in (1, a, m - 1):
                break
        statement = f"a = {a}, m = {m}"
        answer_format = f"Give the integer x with 0 ≤ x < {m}."
        return Instance(
            prompt=compose(rng, _INTROS, statement, answer_format),
            answer=str(pow(a, -1, m)),
            payload={"a": a, "m": m},
        )

    def solve(self, problem: Problem) -> Solution:
        a, m = problem.payload["a"], problem.payload["m"]
        g, s, _, table = extended_gcd(a, m)
        lines = [f"Run the extended Euclid algorithm on ({a}, {m}):", *table]
        lines.append(f"gcd = {g} and {s}·{a} ≡ 1 (mod {m}).")
        answer = s % m
        lines.append(f"Reduce into 0..{m - 1}: x = {answer}; check {a}·{answer} mod {m} = 1.")
        return Solution(str(answer), "\n".join(lines), {"effort": len(table)})
