"""Greatest common divisor or least common multiple of several integers.

The numbers are a shared part times cofactors with no common factor, so the gcd is the
shared part; the gcd never equals one of the numbers and the lcm never equals the
largest, so copying an input never scores. Generation draws from a
:class:`~generators.hashrandom.HashRandom`: one draw picks the question, the intro and
every prime (the cofactors' redrawn alone if they collide or share a prime).
"""

from __future__ import annotations

from math import gcd, lcm, prod
from operator import mul
from random import Random
from typing import Any, ClassVar, Literal

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig, config_cached
from generators.hashrandom import Pools
from generators.math.answers.plain import AnswerForm
from generators.math.common import ValueTask
from generators.math.frames import statement_frames
from generators.math.numbers import SMALL_PRIMES, euclid_steps
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
_FRAMES = {
    q: statement_frames(intros, "Give one positive integer.") for q, intros in _INTROS.items()
}
_ASKED = {"gcd": ("gcd",), "lcm": ("lcm",), "either": ("gcd", "lcm")}


def _factor_pools(primes: list[int], size: int) -> list[tuple[int, ...]]:
    """Pools whose picks multiply to a product of ``size`` independent uniform ``primes``:
    the products of every ordered pair as far as pairs go (half the picks), then a prime."""
    pairs = tuple(p * q for p in primes for q in primes)
    return [pairs] * (size // 2) + [tuple(primes)] * (size % 2)


@config_cached
def _pools(config: GcdLcmConfig) -> tuple[Pools[Any], Pools[int], int]:
    """One problem's draw (the question with its prompt template, the common part, the
    cofactors' factors), the cofactors' redraw, and the picks per cofactor."""
    primes = SMALL_PRIMES[: config.primes]
    frames = [
        (q, _prompt_template(*frame, config.count))
        for q in _ASKED[config.question]
        for frame in _FRAMES[q]
    ]
    per_cofactor = _factor_pools(primes, config.cofactor)
    cofactors = per_cofactor * config.count
    first = Pools([frames, *_factor_pools(primes, config.shared), *cofactors])
    return first, Pools(cofactors), len(per_cofactor)


def _prompt_template(head: str, tail: str, count: int) -> str:
    """The prompt with ``%d`` for each number (``%``-formatting writes ints as ``str`` does,
    at C speed, in one call)."""
    return head.replace("%", "%%") + ", ".join(["%d"] * count) + tail.replace("%", "%%")


def _draw(rng: Random, config: GcdLcmConfig) -> tuple[tuple[str, str], int, list[int]]:
    """The question with its prompt template, the common part, and distinct cofactors above
    1 with no prime common to all of them (primes drawn uniformly from the first
    ``config.primes``)."""
    first, again, per = _pools(config)
    frame, *picked = first.pick(rng)
    shared = len(picked) - per * config.count
    common, picked = prod(picked[:shared]), picked[shared:]
    while True:
        found = _products(picked, per)
        if len(set(found)) == config.count and gcd(*found) == 1:
            return frame, common, found
        picked = again.pick(rng)


def _products(picked: list[int], per: int) -> list[int]:
    """The product of each run of ``per`` consecutive picks (a slice per factor: ``map``
    multiplies at C speed)."""
    found = picked[::per]
    for k in range(1, per):
        found = list(map(mul, found, picked[k::per]))
    return found


class GcdLcm(ValueTask[GcdLcmConfig]):
    name: ClassVar[str] = "gcd_lcm"
    answer_form: ClassVar[AnswerForm] = "number"
    version: ClassVar[str] = "1.2.0"
    description: ClassVar[str] = "gcd or lcm of 2-6 integers built from shared prime factors."
    Config = GcdLcmConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: GcdLcmConfig, rng: Random, index: int) -> Instance:
        (question, template), common, cofactors = _draw(rng, config)
        numbers = [common * cofactor for cofactor in cofactors]
        # gcd(c·x, c·y, …) = c·gcd(x, y, …) = c, and the lcm likewise, on the smaller cofactors
        answer = common if question == "gcd" else common * lcm(*cofactors)
        payload = {"numbers": numbers, "question": question}
        return Instance(template % tuple(numbers), str(answer), payload)

    def question_kind(self, problem: Problem) -> str:
        return problem.payload["question"]

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
