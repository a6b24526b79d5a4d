"""Linear equations: contract, sympy's solve agrees, equivalent forms, near misses."""

from __future__ import annotations

import sympy as sp

from generators.math.linear_equation import LinearEquation
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, check_value_against, score

TASK = LinearEquation()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def side(terms):
    return sum(a * (b * X + c) for a, b, c in terms)


def test_sympy_solve_agrees():
    def by_sympy(problem):
        p = problem.payload
        (root,) = sp.solve(sp.Eq(side(p["left"]), side(p["right"])), X)
        return root

    check_value_against(TASK, by_sympy)


def test_the_oracle_passes_and_a_shifted_root_fails():
    check_oracle_and_perturbed(TASK, lambda p: f"({p.answer}) + 1/1000")


def test_equivalent_forms_and_exact_decimals():
    problem = problem_at(TASK, 3, 0)
    value = sp.Rational(problem.answer)
    assert score(TASK, problem, f"x = {problem.answer}") == 1.0
    assert score(TASK, problem, f"\\frac{{{value.p}}}{{{value.q}}}") == 1.0
    assert score(TASK, problem, f"{2 * value.p}/{2 * value.q}") == 1.0
    assert score(TASK, problem, f"{float(value):.3f}") == (
        1.0 if value.q in (1, 2, 4, 5, 8) else 0.0
    )


def test_level_one_has_integer_roots_and_levels_grow():
    assert all("/" not in problem_at(TASK, 1, i).answer for i in range(20))
    assert (
        len(problem_at(TASK, 10, 0).payload["left"]) + len(problem_at(TASK, 10, 0).payload["right"])
        == 10
    )
