"""gcd/lcm: contract, brute-force divisor search agrees, inputs and near misses fail."""

from __future__ import annotations

from generators.math.gcd_lcm import GcdLcm
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = GcdLcm()
globals().update(contract_tests(TASK))


def brute(numbers: list[int], question: str) -> int:
    if question == "gcd":
        return max(d for d in range(1, min(numbers) + 1) if all(n % d == 0 for n in numbers))
    value = max(numbers)
    while any(value % n for n in numbers):
        value += max(numbers)
    return value


def test_brute_force_agrees():
    for problem in problems(TASK, range(1, 7), 5):
        p = problem.payload
        assert int(problem.answer) == brute(p["numbers"], p["question"])


def test_inputs_and_neighbours_fail():
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + 1))
    check_oracle_and_perturbed(TASK, lambda p: str(max(p.payload["numbers"])))
    check_oracle_and_perturbed(TASK, lambda p: str(min(p.payload["numbers"])))


def test_both_questions_are_asked():
    assert {problem_at(TASK, 3, i).payload["question"] for i in range(12)} == {"gcd", "lcm"}
    assert score(TASK, problem_at(TASK, 3, 0), problem_at(TASK, 3, 0).answer + ".0") == 1.0
