"""Linear systems: contract, sympy's linsolve agrees, orders and notations, misses."""

from __future__ import annotations

import sympy as sp

from generators.math.linear_system import LinearSystem
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = LinearSystem()
globals().update(contract_tests(TASK))


def values(answer: str) -> list[int]:
    return [int(part.split("=")[1]) for part in answer.split(",")]


def test_sympy_linsolve_agrees():
    for problem in problems(TASK, range(1, 11), 3):
        p = problem.payload
        symbols = sp.symbols(p["variables"])
        equations = [
            sp.Eq(sum(c * s for c, s in zip(row, symbols, strict=True)), b)
            for row, b in zip(p["matrix"], p["rhs"], strict=True)
        ]
        (found,) = sp.linsolve(equations, symbols)
        assert list(found) == values(problem.answer)


def test_orders_tuples_and_wrong_values():
    problem = problem_at(TASK, 5, 0)
    parts = problem.answer.split(", ")
    assert score(TASK, problem, ", ".join(reversed(parts))) == 1.0
    assert score(TASK, problem, "(" + ", ".join(map(str, values(problem.answer))) + ")") == 1.0
    assert score(TASK, problem, ", ".join(parts[:-1])) == 0.0
    check_oracle_and_perturbed(
        TASK, lambda p: p.answer.rsplit("=", 1)[0] + f"= {values(p.answer)[-1] + 1}"
    )
