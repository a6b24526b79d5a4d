"""Prime factorisation of an integer built from chosen primes.

The number is a product of ``factors`` primes (with repeats) drawn from the first
``primes`` primes, ``large`` of them from the primes between 200 and 1000, so it always has
at least two prime factors (the number itself never scores) and every factor stays below
1000. The answer is checked exactly as a multiset of prime powers in any usual notation
(:mod:`generators.math.answers.factors`); a product with a composite or a 1 in it fails.
Generation draws the intro and every prime at once from a
:class:`~generators.hashrandom.HashRandom`.
"""

from __future__ import annotations

from collections import Counter
from math import prod
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, Task, TaskConfig, config_cached
from generators.hashrandom import Pools
from generators.math.answers.factors import factorisation_text, read_factorisation
from generators.math.common import number_guesses
from generators.math.frames import statement_frames
from generators.math.numbers import LARGE_PRIMES, PRIMES_BELOW_1000, SMALL_PRIMES
from schemas.records import Problem


class PrimeFactorizationConfig(TaskConfig):
    factors: int = Field(default=3, ge=2, le=12, description="prime factors, with repeats")
    primes: int = Field(
        default=25, ge=4, le=len(SMALL_PRIMES), description="draw from the first this many primes"
    )
    large: int = Field(default=0, ge=0, le=3, description="of the factors, primes in 200..1000")


# Ordered by the trial-division effort they need (a large prime ends the search early at
# its square root, two or three of them stretch it to the smaller one).
LEVELS: dict[int, dict[str, Any]] = {
    1: {"factors": 3, "primes": 25},
    2: {"factors": 4, "primes": 25},
    3: {"factors": 4, "primes": 30},
    4: {"factors": 5, "primes": 30},
    5: {"factors": 4, "primes": 30, "large": 1},
    6: {"factors": 5, "primes": 46},
    7: {"factors": 5, "primes": 46, "large": 1},
    8: {"factors": 6, "primes": 46, "large": 1},
    9: {"factors": 5, "primes": 46, "large": 2},
    10: {"factors": 6, "primes": 46, "large": 3},
}

_INTROS = (
    "Write the number below as a product of prime numbers.",
    "Find the prime factorization of the following integer.",
    "Factor this integer completely into primes.",
)
_FORMAT = (
    "Give the primes in increasing order joined by ×, each repeated prime once with its "
    "exponent (2, 2, 2, 3, 3, 5 and 2*2*2*3*3*5 are accepted too), for example: 2^3 × 3^2 × 5"
)
_FRAMES = statement_frames(_INTROS, _FORMAT)


@config_cached
def _pools(config: PrimeFactorizationConfig) -> Pools[Any]:
    """What one problem draws: the intro's frame, then each small prime, each large one."""
    large = min(config.large, config.factors)
    small = [SMALL_PRIMES[: config.primes]] * (config.factors - large)
    return Pools([_FRAMES, *small, *[LARGE_PRIMES] * large])


def _factored(primes: list[int]) -> tuple[list[list[int]], str]:
    """``[7, 2, 3, 2]`` → ``[[2, 2], [3, 1], [7, 1]]`` (prime, exponent), increasing, and its
    answer text ``2^2 × 3 × 7`` (:func:`factorisation_text`'s, written here without a sort)."""
    primes.sort()
    out: list[list[int]] = []
    for p in primes:
        if out and out[-1][0] == p:
            out[-1][1] += 1
        else:
            out.append([p, 1])
    return out, " × ".join([str(p) if e == 1 else f"{p}^{e}" for p, e in out])


def trial_division(n: int) -> tuple[list[list[int]], list[str], int]:
    """(prime, exponent) pairs of ``n`` by dividing by 2, 3, 5, … while p² ≤ what is left,
    the steps as text, and the primes tried plus divisions made (the effort)."""
    lines, found, effort, skipped = [], [], 0, []
    for p in PRIMES_BELOW_1000:
        if p * p > n:
            break
        effort += 1
        if n % p:
            skipped.append(p)
            continue
        if skipped:
            lines.append(_misses(skipped, n))
            skipped = []
        exponent = 0
        while n % p == 0:
            lines.append(f"{n} ÷ {p} = {n // p}")
            n //= p
            exponent += 1
            effort += 1
        found.append([p, exponent])
    else:
        if n >= PRIMES_BELOW_1000[-1] ** 2:
            raise ValueError(f"{n} may have a prime factor above 1000")
    if n > 1:
        if skipped:
            lines.append(_misses(skipped, n))
        lines.append(f"No prime p with p² ≤ {n} divides it, so {n} is prime.")
        found.append([n, 1])
    return found, lines, effort


def _misses(primes: list[int], n: int) -> str:
    if len(primes) == 1:
        return f"{primes[0]} does not divide {n}."
    if len(primes) <= 4:
        return f"{', '.join(map(str, primes))} do not divide {n}."
    return f"None of the {len(primes)} primes from {primes[0]} to {primes[-1]} divides {n}."


class PrimeFactorization(Task[PrimeFactorizationConfig]):
    name: ClassVar[str] = "prime_factorization"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Factor an integer (3-6 prime factors below 1000) into primes."
    Config = PrimeFactorizationConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: PrimeFactorizationConfig, rng: Random, index: int) -> Instance:
        (head, tail), *primes = _pools(config).pick(rng)
        number = prod(primes)
        factors, answer = _factored(primes)
        return Instance(f"{head}n = {number}{tail}", answer, {"number": number, "factors": factors})

    def solve(self, problem: Problem) -> Solution:
        number = problem.payload["number"]
        factors, lines, effort = trial_division(number)
        answer = factorisation_text(dict(factors))
        lines = [
            f"Divide {number} by the primes 2, 3, 5, … in turn:",
            *lines,
            f"{number} = {answer}",
        ]
        return Solution(answer, "\n".join(lines), {"effort": effort})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        number = problem.payload["number"]
        found = read_factorisation(answer, number)
        expected = Counter({p: e for p, e in problem.payload["factors"]})
        if found == expected:
            return 1.0, "correct"
        # 2^(bits - 1) ≤ p, so this is a lower bound on the product's bit length
        if sum(e * max(p.bit_length() - 1, 0) for p, e in found.items()) > number.bit_length():
            return 0.0, f"the factors multiply to more than {number}"
        product = 1
        for p, e in found.items():
            product *= p**e
        if product != number:
            return 0.0, f"the factors multiply to {product}, not {number}"
        wrong = min(p for p in found if p not in expected)  # unique factorisation
        return 0.0, f"{wrong} is not a prime"

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        return {**super().trivial_answers(problem), **number_guesses(problem)}
