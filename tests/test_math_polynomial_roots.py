"""Polynomial roots: contract, sympy's real roots agree, order-free sets, near misses."""

from __future__ import annotations

import sympy as sp

from generators.math.polynomial_roots import PolynomialRoots
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, check_set_against, score

TASK = PolynomialRoots()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def test_sympy_roots_agree():
    check_set_against(
        TASK,
        lambda p: list(sp.roots(sp.Poly(p.payload["coefficients"], X), filter="R")),
        count=4,
    )


def test_the_oracle_passes_and_a_missing_or_changed_root_fails():
    check_oracle_and_perturbed(TASK, lambda p: p.answer.rsplit(",", 1)[0])
    check_oracle_and_perturbed(TASK, lambda p: p.answer + ", 1000")


def test_any_order_and_notation():
    problem = problem_at(TASK, 6, 1)
    roots = problem.answer.split(", ")
    assert score(TASK, problem, ", ".join(reversed(roots))) == 1.0
    latex = ", ".join(r.replace("sqrt(", "\\sqrt{").replace(")", "}") for r in roots)
    assert score(TASK, problem, "\\{" + latex + "\\}") == 1.0
    assert score(TASK, problem, " or ".join(f"x = {r}" for r in roots)) == 1.0
    assert score(TASK, problem, ", ".join(roots + roots[:1])) == 0.0


def test_surd_levels_have_irrational_roots():
    assert all("sqrt" in problem_at(TASK, 10, i).answer for i in range(5))
