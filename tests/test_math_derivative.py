"""Derivatives: contract, sympy's diff agrees with the rule-built answer, forms, misses."""

from __future__ import annotations

import sympy as sp

from generators.math.answers import parse_expr
from generators.math.derivative import Derivative
from generators.math.functions import function_text
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, check_value_against, score

TASK = Derivative()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def test_sympy_diff_agrees_with_the_rules():
    check_value_against(
        TASK, lambda p: sp.diff(parse_expr(function_text(p.payload["blocks"]), ("x",)), X)
    )


def test_the_function_itself_and_a_shifted_derivative_fail():
    check_oracle_and_perturbed(TASK, lambda p: function_text(p.payload["blocks"]))
    check_oracle_and_perturbed(TASK, lambda p: f"{p.answer} + 1")
    check_oracle_and_perturbed(TASK, lambda p: f"({p.answer})*(1 + 1/10^30)")


def test_other_forms_pass():
    for index in range(5):
        problem = problem_at(TASK, 8, index)
        expr = parse_expr(problem.answer, ("x",))
        assert score(TASK, problem, sp.sstr(sp.expand(expr))) == 1.0
        assert score(TASK, problem, sp.latex(expr)) == 1.0, sp.latex(expr)
