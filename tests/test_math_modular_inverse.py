"""Modular inverse: contract, the defining congruence holds, range and misses."""

from __future__ import annotations

from generators.math.modular_inverse import ModularInverse
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = ModularInverse()
globals().update(contract_tests(TASK))


def test_the_congruence_holds_and_brute_force_agrees_on_small_moduli():
    for problem in problems(TASK, range(1, 11), 5):
        a, m, x = problem.payload["a"], problem.payload["m"], int(problem.answer)
        assert 0 <= x < m and a * x % m == 1
    for problem in problems(TASK, (1, 2), 5):
        a, m = problem.payload["a"], problem.payload["m"]
        assert int(problem.answer) == next(x for x in range(m) if a * x % m == 1)


def test_congruent_but_out_of_range_and_neighbours_fail():
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + p.payload["m"]))
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) - 1))
    problem = problem_at(TASK, 1, 0)
    assert score(TASK, problem, f"x = {problem.answer}") == 1.0
