"""Math path: contract, z3-checked oracle, any valid filling accepted, verifier strictness."""

from __future__ import annotations

import itertools
import json

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.math_path import MathPath, Template, evaluate
from tests.contract import contract_tests, problem_at, wrap

TASK = MathPath()
globals().update(contract_tests(TASK))


def z3_value(ops: list[str], blanks: list[z3.ArithRef]) -> z3.ArithRef:
    """The template's value as a z3 real term, precedence handled by splitting on + and −."""
    terms: list[tuple[int, z3.ArithRef]] = [(1, z3.ToReal(blanks[0]))]
    for op, blank in zip(ops, blanks[1:], strict=True):
        value = z3.ToReal(blank)
        if op in "+-":
            terms.append((1 if op == "+" else -1, value))
        else:
            sign, term = terms[-1]
            terms[-1] = (sign, term * value if op == "*" else term / value)
    return z3.Sum([sign * term for sign, term in terms])


def z3_model(payload: dict, fixed: list[int] | None = None) -> list[int] | None:
    n = len(payload["ops"]) + 1
    blanks = [z3.Int(f"b{i}") for i in range(n)]
    s = z3.Solver()
    s.add(*[z3.And(b >= 1, b <= 9) for b in blanks])
    if payload["distinct"]:
        s.add(z3.Distinct(*blanks))
    if fixed is not None:
        s.add(*[b == d for b, d in zip(blanks, fixed, strict=True)])
    s.add(z3_value(payload["ops"], blanks) == payload["target"])
    if s.check() != z3.sat:
        return None
    return [s.model()[b].as_long() for b in blanks]


def show(payload: dict, digits: list[int]) -> str:
    return Template(payload["ops"], payload["target"], payload["distinct"]).show(digits)


@pytest.mark.parametrize("level", [1, 4, 7, 10])
def test_oracle_and_solver_answers_satisfy_the_equation_per_z3(level: int) -> None:
    for index in range(4):
        problem = problem_at(TASK, level, index)
        solved = TASK.solve(problem)
        for answer in (problem.answer, solved.answer):
            digits = [int(t) for t in answer.split("=")[0].split() if t.isdigit()]
            assert z3_model(problem.payload, fixed=digits) == digits
        if level == 10:
            continue  # an unconstrained nonlinear z3 search over 9 blanks takes ~10 s each
        # Whatever filling z3 picks is accepted too.
        found = z3_model(problem.payload)
        assert found is not None
        assert TASK.verify(problem, wrap(show(problem.payload, found))).score == 1.0


def test_every_valid_filling_scores_one_and_every_other_scores_zero() -> None:
    problem = problem_at(TASK, 2, 1)
    payload = problem.payload
    n = len(payload["ops"]) + 1
    valid = 0
    for digits in itertools.product(range(1, 10), repeat=n):
        holds = evaluate(list(digits), payload["ops"]) == payload["target"]
        valid += holds
        assert TASK.verify(problem, wrap(show(payload, list(digits)))).score == float(holds)
    assert valid > 1  # several fillings, all accepted


def test_tolerated_formats_pass() -> None:
    problem = problem_at(TASK, 5, 0)
    answer = problem.answer
    for text in (
        answer.replace("×", "*").replace("÷", "/").replace("−", "-"),
        answer.replace(" ", ""),
        answer.replace("×", "x").replace("−", "–") + ".",
    ):
        assert TASK.verify(problem, wrap(text)).score == 1.0, text


def test_negative_targets_parse() -> None:
    for index in range(60):
        problem = problem_at(TASK, 1, index)
        if problem.payload["target"] < 0:
            break
    assert problem.payload["target"] < 0
    assert TASK.verify(problem, wrap(problem.answer.replace("−", "-"))).score == 1.0


def _changed(payload: dict, digits: list[int]) -> list[int]:
    """The oracle with one digit changed so that the equation fails."""
    for i, d in itertools.product(range(len(digits)), range(1, 10)):
        other = [*digits[:i], d, *digits[i + 1 :]]
        if d not in digits and evaluate(other, payload["ops"]) != payload["target"]:
            return other
    raise AssertionError("no failing change found")


def test_perturbed_answers_fail() -> None:
    problem = problem_at(TASK, 8, 3)
    payload = problem.payload
    digits = payload["digits"]
    target = payload["target"]
    left, _ = problem.answer.split(" = ")
    flipped = "+" if "−" in left else "−"
    wrong = [
        show(payload, _changed(payload, digits)),  # one digit changed
        show(payload, [digits[1], digits[1], *digits[2:]]),  # a digit repeated (distinct)
        show(payload, [0, *digits[1:]]),  # 0 is not allowed
        f"{left} = {target + 1}",  # another right-hand side
        left.replace("×" if "×" in left else "−", flipped, 1) + f" = {target}",  # operator
        " ".join(left.split()[2:]) + f" = {target}",  # a blank left out
        left.replace(str(digits[0]), f"{digits[0]}{digits[0]}", 1) + f" = {target}",  # 2 digits
    ]
    for text in wrong:
        verdict = TASK.verify(problem, wrap(text))
        assert verdict.score == 0.0 and verdict.reason, text


def test_the_right_hand_side_is_read_whole() -> None:
    """A right-hand side padded past twelve characters is read as written (it was once cut
    to its first twelve: ``000000000011999`` passed as 11)."""
    problem = problem_at(TASK, 5, 0)
    left, _ = problem.answer.split(" = ")
    target = problem.payload["target"]
    assert target > 0
    assert TASK.verify(problem, wrap(f"{left} = {target:015d}")).score == 1.0
    for wrong in (f"{target:012d}999", f"{target:012d}00000000"):
        assert TASK.verify(problem, wrap(f"{left} = {wrong}")).score == 0.0, wrong


@pytest.mark.parametrize("text", ["1 2 3", "1 + = 3", "x = 5", "1 + 2", "1 + 2 = ", "1 % 2 = 3"])
def test_malformed_answers_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and "malformed" in verdict.reason


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"blanks": 1}, "blanks"),
        ({"blanks": 10}, "blanks"),
        ({"operators": "+%"}, "operators"),
        ({"operators": ""}, "operators"),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_config_bounds_refused(knobs: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)


def test_prompts_vary_and_payload_is_json() -> None:
    problems = [problem_at(TASK, 6, i) for i in range(12)]
    assert len({p.prompt for p in problems}) == 12
    assert len({p.prompt.split("\n\n")[0] for p in problems}) >= 2
    for p in problems:
        assert json.loads(json.dumps(p.payload)) == p.payload
        assert p.prompt.endswith(ANSWER_INSTRUCTION)
        assert "each digit at most once" in p.prompt
