"""CRT: contract, brute force over 0..M-1 agrees, other solutions mod M fail."""

from __future__ import annotations

from math import prod

from generators.math.crt import Crt
from tests.contract import contract_tests
from tests.test_math_support import check_oracle_and_perturbed, problems

TASK = Crt()
globals().update(contract_tests(TASK))


def test_brute_force_agrees_and_moduli_are_coprime():
    for problem in problems(TASK, (1, 2, 3, 4), 5):
        residues, moduli = problem.payload["residues"], problem.payload["moduli"]
        found = [
            x
            for x in range(prod(moduli))
            if all(x % m == r for r, m in zip(residues, moduli, strict=True))
        ]
        assert found == [int(problem.answer)]


def test_a_larger_solution_and_a_neighbour_fail():
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + prod(p.payload["moduli"])))
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + 1))
