"""Determinants: contract, sympy's det and Laplace expansion agree, misses fail."""

from __future__ import annotations

import sympy as sp

from generators.math.matrix_determinant import MatrixDeterminant
from tests.contract import contract_tests
from tests.test_math_support import check_oracle_and_perturbed, problems

TASK = MatrixDeterminant()
globals().update(contract_tests(TASK))


def laplace(m: list[list[int]]) -> int:
    if len(m) == 1:
        return m[0][0]
    return sum(
        (-1) ** j * m[0][j] * laplace([row[:j] + row[j + 1 :] for row in m[1:]])
        for j in range(len(m))
    )


def test_sympy_and_laplace_agree():
    for problem in problems(TASK, range(1, 11), 4):
        matrix = problem.payload["matrix"]
        assert int(problem.answer) == sp.Matrix(matrix).det() == laplace(matrix)


def test_sign_flips_and_neighbours_fail():
    check_oracle_and_perturbed(TASK, lambda p: str(-int(p.answer)))
    check_oracle_and_perturbed(TASK, lambda p: str(int(p.answer) + 1))
