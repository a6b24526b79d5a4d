"""Factoring: contract, sympy's factor_list agrees, partial factorisations fail."""

from __future__ import annotations

import sympy as sp

from generators.math.common import poly_text
from generators.math.polynomial_factor import PolynomialFactor
from tests.contract import contract_tests, problem_at, wrap
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = PolynomialFactor()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def test_sympy_factor_list_agrees_on_the_factors():
    for problem in problems(TASK, range(1, 11), 4):
        poly = sp.Poly(problem.payload["coefficients"], X)
        _, found = poly.factor_list()
        expected = sorted((len(c) - 1, p) for c, p in problem.payload["factors"])
        assert sorted((f.degree(), p) for f, p in found) == expected


def test_the_expanded_polynomial_and_wrong_constants_fail():
    check_oracle_and_perturbed(
        TASK, lambda p: sp.sstr(sp.Poly(p.payload["coefficients"], X).as_expr())
    )
    check_oracle_and_perturbed(TASK, lambda p: f"2*{p.answer}")


def test_a_partial_factorisation_fails_and_other_orders_pass():
    problem = problem_at(TASK, 3, 0)
    (c1, p1), (c2, p2), *rest = problem.payload["factors"]
    poly = sp.Poly(problem.payload["coefficients"], X)
    partial = sp.quo(poly, sp.Poly(c1, X) ** p1)
    content = sp.Poly(c1, X) ** p1
    text = f"({sp.sstr(content.as_expr())})*({sp.sstr(partial.as_expr())})"
    assert score(TASK, problem, text) == 0.0
    assert score(TASK, problem, sp.sstr(sp.factor(poly.as_expr()))) == 1.0


def test_a_factorisation_over_the_reals_or_the_complex_numbers_fails():
    """Splitting an irreducible quadratic at its irrational or complex roots gives the right
    product of irreducible factors, but not over the rational numbers the prompt names."""
    split = 0
    for problem in problems(TASK, levels=(4, 6, 8)):
        for quadratic, power in problem.payload["factors"]:
            written = f"({poly_text(quadratic)})"
            if len(quadratic) != 3 or power != 1 or written not in problem.answer:
                continue
            a, b, c = quadratic
            root = f"sqrt({b * b - 4 * a * c})"  # irrational or complex roots
            roots = f"({a})(x - ({-b} + {root})/{2 * a})(x - ({-b} - {root})/{2 * a})"
            verdict = TASK.verify(problem, wrap(problem.answer.replace(written, roots)))
            assert verdict.score == 0.0 and "not over the rational numbers" in verdict.reason
            split += 1
            break
    assert split >= 3
