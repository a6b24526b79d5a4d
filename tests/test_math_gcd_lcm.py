"""gcd/lcm: contract, brute-force divisor search agrees, inputs and near misses fail."""

from __future__ import annotations

from math import prod

import sympy as sp

from generators.math.gcd_lcm import GcdLcm
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = GcdLcm()
globals().update(contract_tests(TASK))


def by_factorisation(numbers: list[int], question: str) -> int:
    """A second method: min (gcd) or max (lcm) exponent of each prime, by sympy.factorint."""
    factored = [sp.factorint(n) for n in numbers]
    primes = set().union(*factored)
    pick = min if question == "gcd" else max
    return prod(p ** pick(f.get(p, 0) for f in factored) for p in primes)


def test_factorisation_agrees_and_brute_force_agrees_on_small_gcds():
    for problem in problems(TASK, range(1, 11), 4):
        p = problem.payload
        assert int(problem.answer) == by_factorisation(p["numbers"], p["question"])
    for problem in problems(TASK, (1,), 6):
        numbers = problem.payload["numbers"]
        if problem.payload["question"] == "gcd":
            brute = max(d for d in range(1, min(numbers) + 1) if all(n % d == 0 for n in numbers))
            assert int(problem.answer) == brute


def test_inputs_and_neighbours_fail():
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + 1))
    check_oracle_and_perturbed(TASK, lambda p: str(max(p.payload["numbers"])))
    check_oracle_and_perturbed(TASK, lambda p: str(min(p.payload["numbers"])))


def test_both_questions_are_asked():
    assert {problem_at(TASK, 3, i).payload["question"] for i in range(12)} == {"gcd", "lcm"}
    assert score(TASK, problem_at(TASK, 3, 0), problem_at(TASK, 3, 0).answer + ".0") == 1.0
