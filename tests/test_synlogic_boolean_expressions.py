"""Boolean expressions: contract, evaluator vs z3, perturbed and malformed answers, config."""

from __future__ import annotations

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError
from generators.synlogic.boolean_expressions import BooleanExpressions, Node, from_json
from tests.contract import contract_tests, problem_at, wrap

TASK = BooleanExpressions()
globals().update(contract_tests(TASK))


def z3_formula(node: Node, env: dict[str, z3.BoolRef]) -> z3.BoolRef:
    """An independent encoding of the formula (z3's own operator semantics)."""
    if node.op == "lit":
        return z3.BoolVal(node.value)
    if node.op == "var":
        return env[node.name]
    parts = [z3_formula(child, env) for child in node.children]
    build = {"not": z3.Not, "and": z3.And, "or": z3.Or, "xor": z3.Xor, "implies": z3.Implies}
    return build[node.op](*parts)


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_answer_agrees_with_z3_and_is_forced(level: int):
    for index in range(6):
        p = problem_at(TASK, level, index)
        values = p.payload["values"]
        env = {name: z3.Bool(name) for name in values}
        solver = z3.Solver()
        solver.add([env[n] == z3.BoolVal(v) for n, v in values.items()])
        result = z3.Bool("result")
        solver.add(result == z3_formula(from_json(p.payload["formula"]), env))
        assert solver.check() == z3.sat
        found = z3.is_true(solver.model().eval(result))
        assert str(found) == p.answer
        solver.add(result != z3.BoolVal(found))  # the other value is impossible: unique
        assert solver.check() == z3.unsat


def test_answers_are_balanced_and_effort_counts_operators():
    answers = [problem_at(TASK, 6, i).answer for i in range(40)]
    assert 10 <= answers.count("True") <= 30
    p = problem_at(TASK, 10, 0)
    expression = p.payload["expression"]
    operators = sum(expression.split().count(op) for op in ("and", "or", "xor", "implies"))
    operators += sum(token.lstrip("(") == "not" for token in expression.split())
    assert TASK.solve(p).stats["effort"] == operators


def test_wrong_and_tolerated_answers():
    p = problem_at(TASK, 5, 1)
    wrong = "False" if p.answer == "True" else "True"
    assert TASK.verify(p, wrap(wrong)).score == 0.0
    for variant in (p.answer.lower(), p.answer.upper(), f" {p.answer}. ", f"'{p.answer}'"):
        assert TASK.verify(p, wrap(variant)).score == 1.0, variant


@pytest.mark.parametrize(
    "answer", ["", "maybe", "True or False", "True False", "1", "yes", "not True", "Tru"]
)
def test_malformed_answers_raise(answer: str):
    with pytest.raises(AnswerFormatError):
        TASK.check_answer(problem_at(TASK, 2, 0), answer)


def test_trace_is_readable_and_short():
    for level in (1, 10):
        for index in range(5):
            solution = TASK.solve(problem_at(TASK, level, index))
            assert "Step 1:" in solution.reasoning and len(solution.reasoning) < 15_000


def test_prompts_vary_and_end_with_instruction():
    batch = [problem_at(TASK, 5, i) for i in range(20)]
    assert len({p.prompt.splitlines()[0] for p in batch}) == 3
    assert all(p.prompt.endswith(ANSWER_INSTRUCTION) for p in batch)
    assert all(p.payload["expression"] in p.prompt for p in batch)


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"min_binary": 0}, "min_binary"),
        ({"max_binary": 61}, "max_binary"),
        ({"not_probability": 0.9}, "not_probability"),
        ({"n_variables": 9}, "n_variables"),
        ({"min_binary": 5, "max_binary": 3}, "min_binary"),
    ],
)
def test_config_bounds_are_refused(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.config_for_level(1, knobs)
