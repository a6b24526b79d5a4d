"""Prime factorisation: contract, sympy.factorint agrees, the usual notations pass, and
non-prime factors, wrong products and hostile text fail in bounded time."""

from __future__ import annotations

import contextlib
import time

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.base import AnswerFormatError
from generators.math.answers.factors import read_factorisation
from generators.math.prime_factorization import PrimeFactorization
from tests.contract import contract_tests, problem_at
from tests.test_math_support import check_oracle_and_perturbed, problems, score

TASK = PrimeFactorization()
# levels 7 and 8 differ by ~2 divisions in median effort: 15 samples can swap them
globals().update(contract_tests(TASK, effort_samples=61))


def test_sympy_factorint_agrees_and_the_number_is_composite():
    for problem in problems(TASK, range(1, 11), 5):
        number = problem.payload["number"]
        expected = sp.factorint(number)
        assert {p: e for p, e in problem.payload["factors"]} == expected
        assert sum(expected.values()) >= 2 and max(expected) < 1000


def _spelled_out(problem) -> str:
    return ", ".join(str(p) for p, e in problem.payload["factors"] for _ in range(e))


def _merged_composite(problem) -> str:
    """The two smallest prime factors multiplied into one composite 'factor'."""
    primes = [p for p, e in problem.payload["factors"] for _ in range(e)]
    return " × ".join(map(str, [primes[0] * primes[1], *primes[2:]]))


def test_other_notations_pass_composites_and_neighbours_fail():
    check_oracle_and_perturbed(TASK, _merged_composite)
    check_oracle_and_perturbed(TASK, lambda p: f"{p.answer} × 2")
    check_oracle_and_perturbed(TASK, lambda p: f"1 × {p.answer}")
    check_oracle_and_perturbed(TASK, lambda p: str(p.payload["number"]))
    for level in (1, 6, 10):
        problem = problem_at(TASK, level, 0)
        number, answer = problem.payload["number"], problem.answer
        factors = problem.payload["factors"]
        latex = " \\times ".join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in factors)
        for form in (
            _spelled_out(problem),
            _spelled_out(problem).replace(", ", "*"),
            answer.replace("^", "**").replace(" × ", " * "),
            f"\\boxed{{{number} = {answer}}}",
            "$" + answer.replace(" × ", " \\cdot ") + "$",
            latex,
            " × ".join(reversed(answer.split(" × "))),
        ):
            assert score(TASK, problem, form) == 1.0, form
        assert score(TASK, problem, f"{number + 1} = {answer}") == 0.0


def test_reasons_name_the_fault():
    problem = problem_at(TASK, 3, 1)
    assert "not a prime" in TASK.check_answer(problem, _merged_composite(problem))[1]
    assert "multiply to" in TASK.check_answer(problem, f"{problem.answer} × 3")[1]
    assert "more than" in TASK.check_answer(problem, "997^200 × 991^200")[1]


HOSTILE = (
    "2^" + "9" * 10_000,
    "2^{10^{10}}",
    "2**99999999",
    "(" * 10_000 + "2" + ")" * 10_000,
    "\\frac{" * 5000 + "2",
    "__import__('os').system('x')",
    "lambda: 2",
    "2 × " * 5000 + "2",
    "9" * 5000,
    "∀x∃y",
    "\\boxed{" * 3000,
)


def test_hostile_answers_score_zero_quickly():
    problem = problem_at(TASK, 5, 0)
    for text in HOSTILE:
        began = time.perf_counter()
        verdict = TASK.verify(problem, f"<answer>{text}</answer>")
        assert verdict.score == 0.0 and verdict.reason, text[:40]
        assert time.perf_counter() - began < 0.05, text[:40]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789^*×,{}()[]\\ $=xtimescdotboxed", max_size=200))
def test_fuzz_never_raises_anything_but_format_errors(text):
    problem = problem_at(TASK, 2, 0)
    assert TASK.verify(problem, f"<answer>{text}</answer>").score in (0.0, 1.0)
    with contextlib.suppress(AnswerFormatError):  # nothing else may escape
        read_factorisation(text, problem.payload["number"])


def test_generated_answer_is_the_solvers_text():
    """generate writes the answer without factorisation_text's sort: the same text."""
    for problem in problems(TASK, range(1, 11), 5):
        assert problem.answer == TASK.solve(problem).answer
