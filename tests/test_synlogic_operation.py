"""Operation: contract, evaluator vs an independent sympy evaluation, answers, config."""

from __future__ import annotations

import pytest
import sympy
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.operation import Operation
from tests.contract import contract_tests, problem_at, wrap

TASK = Operation()
globals().update(contract_tests(TASK))

A, B = sympy.symbols("a b", integer=True)


def sympy_operators(definitions: list[dict]) -> dict[str, sympy.Lambda]:
    """Each operator as a sympy Lambda, branches as Piecewise: independent of the evaluator."""
    ops: dict[str, sympy.Lambda] = {}

    def build(body):
        if body in ("a", "b"):
            return A if body == "a" else B
        if isinstance(body, int):
            return sympy.Integer(body)
        op, left, right = body
        x, y = build(left), build(right)
        if op in ops:
            return ops[op](x, y)
        return {"+": x + y, "−": x - y, "×": x * y}[op]

    for d in definitions:
        expr = build(d["body"])
        if d["condition"]:
            test = {"a > b": A > B, "a < b": A < B, "a + b is even": sympy.Eq((A + B) % 2, 0)}
            expr = sympy.Piecewise((expr, test[d["condition"]]), (build(d["else"]), True))
        ops[d["symbol"]] = sympy.Lambda((A, B), expr)
    return ops


def sympy_value(ops: dict[str, sympy.Lambda], expr) -> sympy.Integer:
    if isinstance(expr, int):
        return sympy.Integer(expr)
    return ops[expr[0]](sympy_value(ops, expr[1]), sympy_value(ops, expr[2]))


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_answer_agrees_with_sympy(level: int):
    for index in range(5):
        p = problem_at(TASK, level, index)
        ops = sympy_operators(p.payload["definitions"])
        assert str(sympy_value(ops, p.payload["expression"])) == p.answer


def test_definitions_and_expression_are_in_the_prompt():
    p = problem_at(TASK, 9, 2)
    for d in p.payload["definitions"]:
        assert f"a {d['symbol']} b = " in p.prompt
    assert p.prompt.endswith(ANSWER_INSTRUCTION)
    batch = [problem_at(TASK, 5, i) for i in range(20)]
    assert len({p.prompt.splitlines()[0] for p in batch}) == 3


def test_wrong_answers_fail_and_formats_are_tolerated():
    p = problem_at(TASK, 6, 0)
    value = int(p.answer)
    for wrong in (value + 1, value - 1, -value if value else 7, value * 10):
        assert TASK.verify(p, wrap(str(wrong))).score == 0.0, wrong
    assert TASK.verify(p, wrap(f"{value}/2")).score == (1.0 if value == 0 else 0.0)
    for variant in (f" {value}. ", f"{value}.0", f"{value:,}", f"{value}/1", f"'{value}'"):
        assert TASK.verify(p, wrap(variant)).score == 1.0, variant


@pytest.mark.parametrize("answer", ["", "x", "12 or 13", "4 2", "1 + 2", "12abc", "--3", "3/0"])
def test_malformed_answers_raise(answer: str):
    with pytest.raises(AnswerFormatError):
        TASK.check_answer(problem_at(TASK, 2, 0), answer)


def test_trace_lists_steps_and_stays_short():
    for level in (1, 10):
        for index in range(5):
            p = problem_at(TASK, level, index)
            solution = TASK.solve(p)
            assert "Step 1:" in solution.reasoning and len(solution.reasoning) < 15_000
            assert solution.answer == p.answer


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_definitions": 0}, "n_definitions"),
        ({"n_definitions": 7}, "n_definitions"),
        ({"max_applications": 21}, "max_applications"),
        ({"max_number": 1}, "max_number"),
        ({"max_abs": 10}, "max_abs"),
        ({"min_applications": 5, "max_applications": 3}, "min_applications"),
    ],
)
def test_config_bounds_are_refused(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(1, knobs)
