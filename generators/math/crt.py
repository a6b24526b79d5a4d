"""Chinese remainder theorem: the least x ≥ 0 meeting several congruences with pairwise
coprime moduli (so exactly one x below their product exists)."""

from __future__ import annotations

from math import gcd, prod
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask, compose
from generators.math.numbers import extended_gcd
from schemas.records import Problem


class CrtConfig(TaskConfig):
    congruences: int = Field(default=2, ge=2, le=6, description="how many congruences")
    modulus: int = Field(default=15, ge=5, le=500, description="largest modulus")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"congruences": 2, "modulus": 20},
    2: {"congruences": 2, "modulus": 30},
    3: {"congruences": 3, "modulus": 15},
    4: {"congruences": 3, "modulus": 30},
    5: {"congruences": 3, "modulus": 60},
    6: {"congruences": 4, "modulus": 40},
    7: {"congruences": 4, "modulus": 80},
    8: {"congruences": 5, "modulus": 60},
    9: {"congruences": 5, "modulus": 150},
    10: {"congruences": 6, "modulus": 200},
}

_INTROS = (
    "Find the smallest non-negative integer x that satisfies all of these congruences.",
    "Solve the system of congruences below (Chinese remainder theorem).",
    "Which least x ≥ 0 leaves the given remainders?",
)


def _moduli(rng: Random, count: int, largest: int) -> list[int]:
    while True:
        found = sorted(rng.sample(range(3, largest + 1), count))
        if all(gcd(a, b) == 1 for i, a in enumerate(found) for b in found[i + 1 :]):
            return found


class Crt(ValueTask[CrtConfig]):
    name: ClassVar[str] = "crt"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = "Least x ≥ 0 meeting 2-6 congruences with coprime moduli."
    Config = CrtConfig
    LEVELS = LEVELS
    variables: ClassVar[tuple[str, ...]] = ("x",)

    def generate(self, config: CrtConfig, rng: Random, index: int) -> Instance:
        moduli = _moduli(rng, config.congruences, max(config.modulus, 3 * config.congruences))
        x = rng.randrange(prod(moduli))
        residues = [x % m for m in moduli]
        statement = "\n".join(f"x ≡ {r} (mod {m})" for r, m in zip(residues, moduli, strict=True))
        return Instance(
            prompt=compose(rng, _INTROS, statement, "Give x as one non-negative integer."),
            answer=str(x),
            payload={"residues": residues, "moduli": moduli},
        )

    def solve(self, problem: Problem) -> Solution:
        residues, moduli = problem.payload["residues"], problem.payload["moduli"]
        x, step, lines, effort = residues[0], moduli[0], [], 0
        lines.append(f"Start: x ≡ {x} (mod {step}).")
        for r, m in zip(residues[1:], moduli[1:], strict=True):
            _, inverse, _, table = extended_gcd(step % m, m)
            effort += len(table) + 1
            k = ((r - x) * inverse) % m
            lines.append(
                f"Need {x} + {step}k ≡ {r} (mod {m}); the inverse of {step % m} mod {m} is "
                f"{inverse % m}, so k ≡ {k} and x = {x + step * k}."
            )
            x, step = x + step * k, step * m
            lines.append(f"Now x ≡ {x} (mod {step}).")
        lines.append(f"The least non-negative solution is {x}.")
        return Solution(str(x), "\n".join(lines), {"effort": effort})
