"""Limits: contract, sympy's limit agrees, the 0/0 form is real, misses fail."""

from __future__ import annotations

import sympy as sp

from generators.math.limit import Limit
from tests.contract import contract_tests
from tests.test_math_support import check_oracle_and_perturbed, problems

TASK = Limit()
globals().update(contract_tests(TASK))
X = sp.Symbol("x")


def test_sympy_limit_agrees_and_substitution_gives_zero_over_zero():
    for problem in problems(TASK, (1, 4, 7, 10), 2):
        p = problem.payload
        top, bottom = sp.Poly(p["top"], X).as_expr(), sp.Poly(p["bottom"], X).as_expr()
        assert top.subs(X, p["a"]) == 0 == bottom.subs(X, p["a"])
        assert sp.limit(top / bottom, X, p["a"]) == sp.Rational(problem.answer)


def test_neighbours_and_the_reciprocal_fail():
    check_oracle_and_perturbed(
        TASK, lambda p: f"1/({p.answer})" if p.answer not in ("1", "-1") else "2"
    )
    check_oracle_and_perturbed(TASK, lambda p: f"({p.answer}) + 1/100")
