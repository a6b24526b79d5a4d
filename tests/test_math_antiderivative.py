"""Antiderivatives: contract, sympy's integrate agrees up to a constant, +C accepted."""

from __future__ import annotations

import sympy as sp

from generators.math.answers import parse_expr, same_value
from generators.math.antiderivative import Antiderivative
from generators.math.functions import derivative_text
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = Antiderivative()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def test_sympy_diff_of_the_answer_is_the_integrand():
    for problem in problems(TASK, range(1, 11), 5):
        integrand = parse_expr(derivative_text(problem.payload["blocks"]), ("x",))
        answer = parse_expr(problem.answer, ("x",))
        assert same_value(sp.diff(answer, X), integrand)


def test_sympy_integrate_agrees_up_to_a_constant_on_low_levels():
    for problem in problems(TASK, (1, 2, 3), 3):
        integrand = parse_expr(derivative_text(problem.payload["blocks"]), ("x",))
        by_sympy = sp.integrate(integrand, X)
        answer = parse_expr(problem.answer, ("x",))
        assert sp.simplify(sp.diff(by_sympy - answer, X)) == 0
        assert score(TASK, problem, sp.sstr(by_sympy)) == 1.0


def test_constants_pass_and_the_integrand_fails():
    problem = problem_at(TASK, 6, 0)
    assert score(TASK, problem, problem.answer + " + C") == 1.0
    assert score(TASK, problem, problem.answer + " + 17") == 1.0
    check_oracle_and_perturbed(TASK, lambda p: derivative_text(p.payload["blocks"]))
    check_oracle_and_perturbed(TASK, lambda p: f"2*({p.answer})")
