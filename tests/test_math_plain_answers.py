"""Tasks that ask for a number take it written plainly (an integer, a decimal, a fraction;
a + bi of such parts): an expression of the right value is refused, so that echoing the
question, leaving the arithmetic undone or padding the value with a term that vanishes at
the checked points never scores."""

from __future__ import annotations

import pytest

from generators.base import AnswerFormatError
from generators.math.answers import parse_answer
from generators.registry import get_task
from tests.contract import problem_at, wrap

PLAIN_TASKS = [
    "crt",
    "modular_inverse",
    "gcd_lcm",
    "matrix_determinant",
    "linear_equation",
    "linear_system",
    "complex_arithmetic",
    "limit",
]

PLAIN = ["7", "-7", "+7", "2.5", "-7/3", "7/3", "\\frac{7}{3}", "-\\frac{7}{3}", "(-7)", "x = -7/3"]
NOT_PLAIN = ["4 + 3", "2*3", "14/2*1", "7 + pi^(-48)", "7 + 0*x", "sqrt(49)", "7^1", "(7/3)/1"]
PLAIN_COMPLEX = ["-35 - 20i", "-20i - 35", "3", "i", "-i", "5i/7", "(5/7)i", "5/7 i", "-3/2 + 5i/7"]
NOT_PLAIN_COMPLEX = ["(2 + 3i)(-10 + 5i)", "1 + 2 + i", "i + i", "i*i", "3 + 4i + 0", "i/i"]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_numbers_parse(text):
    parse_answer(text, ("x",), form="number")


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_expressions_are_not_plain(text):
    with pytest.raises(AnswerFormatError, match="not written as a number or a fraction"):
        parse_answer(text, ("x",), form="number")
    parse_answer(text, ("x",))  # the same text is a well-formed expression


@pytest.mark.parametrize("text", PLAIN_COMPLEX)
def test_plain_complex_numbers_parse(text):
    parse_answer(text, complex_unit=True, form="number")


@pytest.mark.parametrize("text", NOT_PLAIN_COMPLEX)
def test_complex_expressions_are_not_plain(text):
    with pytest.raises(AnswerFormatError, match="a \\+ bi of integers or fractions"):
        parse_answer(text, complex_unit=True, form="number")


def _wrong_forms(name: str, problem) -> list[str]:
    """The oracle's value, written as something other than the number the prompt asks for."""
    first = problem.answer.split(",")[0].split("=")[-1].strip()  # linear_system: x's value
    rest = problem.answer[len(problem.answer.split(",")[0]) :]
    head = "x = " if name == "linear_system" else ""
    forms = [f"({first}) + pi^(-48)", f"({first}) + 0*2", f"2*({first}) - ({first})"]
    if name != "complex_arithmetic":
        forms.append(f"({first}) + |x - 1| + x - 1")
    return [head + form + rest for form in forms]


@pytest.mark.parametrize("name", PLAIN_TASKS)
def test_the_value_written_as_an_expression_scores_zero(name):
    task = get_task(name)
    for level in (1, 5, 10):
        problem = problem_at(task, level, 0)
        assert task.verify(problem, wrap(problem.answer)).score == 1.0
        for text in _wrong_forms(name, problem):
            verdict = task.verify(problem, wrap(text))
            refused = "not written as" in verdict.reason or "unknown name 'x'" in verdict.reason
            assert verdict.score == 0.0 and refused, (level, text, verdict.reason)


def test_the_complex_question_echoed_back_scores_zero():
    """The statement itself has the answer's value; copied back it scored 1.0 before."""
    task = get_task("complex_arithmetic")
    for level in (1, 2, 5):
        for index in range(5):
            problem = problem_at(task, level, index)
            echoed = problem.prompt.split("\n\n")[1].replace("[", "(").replace("]", ")")
            verdict = task.verify(problem, wrap(echoed))
            assert verdict.score == 0.0, (level, index, echoed)


RADICALS = ["2 - sqrt(7)", "-3/2", "\\sqrt[3]{5}/2", "(1 + sqrt(5))/2", "2^2", "x = 4"]
NOT_RADICALS = ["x", "pi^(-48)", "exp(-1000)", "sin(1)", "e", "-21 + |x - 1| + x - 1", "2^x"]


@pytest.mark.parametrize("text", RADICALS)
def test_numbers_and_roots_are_radicals(text):
    parse_answer(text, ("x",), form="radicals")


@pytest.mark.parametrize("text", NOT_RADICALS)
def test_variables_constants_and_functions_are_not_radicals(text):
    with pytest.raises(AnswerFormatError, match="numbers and roots only"):
        parse_answer(text, ("x",), form="radicals")


def test_a_root_padded_with_a_vanishing_term_scores_zero():
    task = get_task("polynomial_roots")
    for level in (1, 5, 10):
        problem = problem_at(task, level, 0)
        first, *rest = problem.answer.split(", ")
        for padded in (f"{first} + pi^(-48)", f"{first} + |x - 1| + x - 1"):
            verdict = task.verify(problem, wrap(", ".join([padded, *rest])))
            assert verdict.score == 0.0 and "numbers and roots only" in verdict.reason
