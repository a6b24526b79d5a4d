"""Complex arithmetic: contract, sympy's evaluation of the prompt agrees, forms, misses."""

from __future__ import annotations

import sympy as sp

from generators.math.answers import parse_expr
from generators.math.common import show
from generators.math.complex_arithmetic import ComplexArithmetic
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = ComplexArithmetic()
globals().update(contract_tests(TASK))


def test_sympy_evaluates_the_prompt_to_the_answer():
    for problem in problems(TASK, range(1, 11), 4):
        statement = problem.prompt.split("\n\n")[1]
        text = statement.replace("[", "(").replace("]", ")").replace("×", "*").replace("÷", "/")
        value = parse_expr(text, (), complex_unit=True)
        answer = parse_expr(problem.answer, (), complex_unit=True)
        assert sp.expand(value - answer) == 0


def conjugate(problem) -> str:
    value = parse_expr(problem.answer, (), complex_unit=True)
    return show(sp.conjugate(value)) if sp.im(value) else f"{problem.answer} + i"


def test_conjugate_and_neighbours_fail_other_forms_pass():
    check_oracle_and_perturbed(TASK, conjugate)
    check_oracle_and_perturbed(TASK, lambda p: f"({p.answer}) + 1/1000")
    problem = problem_at(TASK, 3, 0)
    value = parse_expr(problem.answer, (), complex_unit=True)
    re, im = value.as_real_imag()
    assert score(TASK, problem, f"{sp.latex(re)} + \\left({sp.latex(im)}\\right) i") == 1.0
