"""Cryptarithm: contract, z3-proven uniqueness, verifier strictness and tolerance, config."""

from __future__ import annotations

import json

import pytest
import z3
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.cryptarithm import Cryptarithm, linear
from generators.synlogic.cryptarithm.solver import Equation, solution_table, solve
from generators.synlogic.cryptarithm.task import _equation
from tests.contract import contract_tests, problem_at, wrap

TASK = Cryptarithm()
# The column search's effort is heavy-tailed: 200 puzzles a level keep its medians in order.
globals().update(contract_tests(TASK, effort_samples=200))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def render(mapping: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in mapping.items())


def z3_solutions(payload: dict, limit: int = 2) -> list[dict[str, int]]:
    """Solutions of the puzzle as written (a − b − … = c, w × M = p), encoded for z3.

    Each letter is ten one-hot booleans (exactly one per letter, at most one letter per
    digit), which z3's SAT core handles far better than Int + Distinct; the arithmetic is
    the column sums with carries of the equation read as an addition.
    """
    letters = sorted(payload["solution"])
    bits = {k: [z3.Bool(f"{k}{d}") for d in range(10)] for k in letters}
    var = {k: z3.Sum([z3.If(b, d, 0) for d, b in enumerate(bits[k])]) for k in letters}
    words = [*payload["operands"], payload["result"]]
    s = z3.Solver()
    s.add(*[z3.PbEq([(b, 1) for b in bits[k]], 1) for k in letters])
    s.add(*[z3.AtMost(*[bits[k][d] for k in letters], 1) for d in range(10)])
    s.add(*[var[w[0]] != 0 for w in words])
    s.add(*[var[k] == v for k, v in payload["hints"].items()])
    op = payload["operation"]
    addends, total = payload["operands"], payload["result"]
    if op == "mul":
        addends = addends[:1]
    elif op == "sub":
        addends, total = [*addends[1:], total], addends[0]
    carry = [z3.IntVal(0)] + [z3.Int(f"carry{j}") for j in range(1, len(total) + 1)]
    for j in range(len(total)):
        column = z3.Sum([var[w[-1 - j]] for w in addends if j < len(w)] + [z3.IntVal(0)])
        if op == "mul":
            factor = var[words[1]]
            column = z3.Sum([z3.If(factor == d, d * column, 0) for d in range(10)])
        s.add(carry[j + 1] >= 0, column + carry[j] == var[total[-1 - j]] + 10 * carry[j + 1])
    s.add(carry[-1] == 0)
    found = []
    while len(found) < limit and s.check() == z3.sat:
        model = s.model()
        found.append({k: model.eval(var[k]).as_long() for k in letters})
        s.add(z3.Or([var[k] != v for k, v in found[-1].items()]))
    return found


# z3 needs up to a minute on some level-10 additions; the samples below run in seconds.
@pytest.mark.parametrize(("level", "indices"), [(1, range(4)), (5, range(4)), (10, (1, 2))])
def test_unique_solution_confirmed_by_z3(level: int, indices: range) -> None:
    for index in indices:
        problem = problem_at(TASK, level, index)
        assert z3_solutions(problem.payload) == [problem.payload["solution"]]


def test_column_solver_finds_send_more_money() -> None:
    result = solve(Equation(("SEND", "MORE"), "MONEY"))
    assert result.solutions == [{"D": 7, "E": 5, "Y": 2, "N": 6, "R": 8, "O": 0, "S": 9, "M": 1}]
    multiplication = solve(Equation(("AB",), "CA", factor="D"))
    for s in multiplication.solutions:
        assert (10 * s["A"] + s["B"]) * s["D"] == 10 * s["C"] + s["A"]
    assert len(multiplication.solutions) == len(
        z3_solutions(
            {
                "solution": dict.fromkeys("ABCD", 0),
                "operands": ["AB", "D"],
                "result": "CA",
                "operation": "mul",
                "hints": {},
            },
            limit=100,
        )
    )


def _rows(letters: list[str], table) -> set[tuple[tuple[str, int], ...]]:
    return {tuple(sorted(zip(letters, row, strict=True))) for row in table.tolist()}


@pytest.mark.parametrize(
    "equation",
    [
        Equation(("SEND", "MORE"), "MONEY"),
        Equation(("AB", "CD"), "EFG"),  # hundreds of solutions
        Equation(("BCD", "EFG", "HIJ", "CDE", "FGH"), "CBGJ"),  # 123+456+789+234+567
        Equation(("AB", "CD"), "EFB"),  # B cancels: a zero coefficient
        Equation(("ABC",), "DAEC", factor="B"),  # factor letter inside the words
        Equation(("ABCD",), "EFGHC", factor="I"),
        Equation(("ABCDE", "FGH"), "IJAFB"),
    ],
)
def test_linear_search_finds_what_the_column_search_finds(equation: Equation) -> None:
    """Two independent searches (bounded linear sum, columns with carries) agree on the
    full solution set."""
    letters, table = linear.solution_table(equation)
    column_letters, column_table, _, _ = solution_table(equation)
    assert _rows(letters, table) == _rows(column_letters, column_table)


@pytest.mark.parametrize(
    ("addends", "result", "factor"),
    [([12, 34], 46, 0), ([123, 456, 789, 234, 567], 2169, 0), ([1034], 5170, 5)],
)
def test_hints_follow_the_rule_on_the_column_searchs_solutions(
    addends: list[int], result: int, factor: int
) -> None:
    """While two or more solutions agree with the hints so far, the next hint is the letter
    whose true digit keeps the fewest of the first ``linear.LIMIT`` in the search order
    (alphabetically first among equals); replayed here on the column search's full solution
    set, and the hints leave exactly one solution."""
    letters = "JIHGFEDCBA"  # reverse alphabetical: ties go to the larger digit
    words = ["".join(letters[int(d)] for d in str(n)) for n in [*addends, result]]
    factor_letter = letters[factor] if factor else None
    equation = Equation(tuple(words[:-1]), words[-1], factor_letter)
    order = [letters[k] for k in linear._search_order(addends, result, factor)]
    solutions = sorted(solve(equation).solutions, key=lambda s: [s[x] for x in order])
    hints: dict[str, int] = {}
    while len(alive := [s for s in solutions if hints.items() <= s.items()]) > 1:
        found = alive[: linear.LIMIT]
        kept = {x: sum(s[x] == letters.index(x) for s in found) for x in order if x not in hints}
        letter = min(sorted(kept), key=kept.__getitem__)
        hints[letter] = letters.index(letter)
    mask = linear.reveal(addends, result, factor, letters)
    assert {letters[d] for d in range(10) if mask >> d & 1} == set(hints)
    assert len(solve(equation, hints).solutions) == 1
    assert linear.reveal([9567, 1085], 10652, 0, "OMYZXENDRS") == 0  # SEND + MORE: unique


def test_all_operations_occur_and_payload_is_json() -> None:
    ops = set()
    for index in range(30):
        problem = problem_at(TASK, 10, index)
        ops.add(problem.payload["operation"])
        assert json.loads(json.dumps(problem.payload)) == problem.payload
        assert problem.prompt.endswith(ANSWER_INSTRUCTION)
        assert len(problem.payload["solution"]) <= 10
    assert ops == {"add", "sub", "mul"}


def test_tolerated_formats_pass() -> None:
    problem = problem_at(TASK, 5, 1)
    mapping = problem.payload["solution"]
    items = list(mapping.items())[::-1]
    for text in (
        "; ".join(f"{k.lower()} = {v}" for k, v in items),
        "\n".join(f"{k}: {v}" for k, v in items),
        "{" + ", ".join(f"'{k}': {v}" for k, v in items) + "}",
        " ".join(f"{k}->{v}" for k, v in items) + ".",
        ", ".join(f"{k}={v}" for k, v in items[:-1]) + f" and {items[-1][0]}={items[-1][1]}",
    ):
        assert score(problem, text) == 1.0, text


def test_perturbed_answers_fail() -> None:
    problem = problem_at(TASK, 6, 2)
    mapping = dict(problem.payload["solution"])
    keys = sorted(mapping)
    unused = sorted(set(range(10)) - set(mapping.values()))
    perturbed = []
    if unused:
        perturbed.append({**mapping, keys[0]: unused[0]})  # one value changed to a free digit
    a, b = keys[0], keys[1]
    perturbed.append({**mapping, a: mapping[b], b: mapping[a]})  # two values swapped
    perturbed.append({**mapping, a: mapping[b]})  # not injective
    perturbed.append({k: v for k, v in mapping.items() if k != a})  # a letter missing
    extra = next(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in mapping)
    perturbed.append({**mapping, extra: 0})  # an unknown letter
    perturbed.append({**mapping, a: 10})  # not a digit
    for wrong in perturbed:
        verdict = TASK.verify(problem, wrap(render(wrong)))
        assert verdict.score == 0.0 and verdict.reason, wrong
    assert score(problem, render(mapping) + f", {a}={mapping[a]}") == 0.0  # letter repeated


def test_leading_zero_and_ignored_hints_fail() -> None:
    for index in range(40):
        problem = problem_at(TASK, 3, index)
        p = problem.payload
        if p["hints"]:
            break
    # Without the hints the equation has other solutions; each one breaks only a hint rule.
    equation = _equation(p["operation"], p["operands"], p["result"])
    others = [s for s in solve(equation).solutions if s != p["solution"]]
    assert others
    for other in others[:5]:
        verdict = TASK.verify(problem, wrap(render(other)))
        assert verdict.score == 0.0 and "given" in verdict.reason
    # A leading letter set to 0 (swapped with the letter holding 0, if any).
    lead = p["operands"][0][0]
    zero = [k for k, v in p["solution"].items() if v == 0]
    wrong = dict(p["solution"])
    wrong[lead] = 0
    if zero:
        wrong[zero[0]] = p["solution"][lead]
    assert score(problem, render(wrong)) == 0.0


def test_zero_padded_values_are_read_whole() -> None:
    """``B=0009`` says B is 9: a letter worth 0 given that way fails (the value was once cut
    to its first three characters, ``000``), and a letter's own value padded with zeros
    still passes."""
    for index in range(40):
        problem = problem_at(TASK, 1, index, seed=1)
        mapping = problem.payload["solution"]
        if 0 in mapping.values():
            break
    zero = next(k for k, v in mapping.items() if v == 0)
    for padded in ("0009", "0001", "000123"):
        assert score(problem, render(mapping).replace(f"{zero}=0", f"{zero}={padded}")) == 0.0
    other = next(k for k, v in mapping.items() if v != 0)
    assert score(problem, render(mapping).replace(f"{other}=", f"{other}=000")) == 1.0
    long_value = render(mapping).replace(f"{zero}=0", f"{zero}=" + "1" * 30)
    verdict = TASK.verify(problem, wrap(long_value))
    assert verdict.score == 0.0 and "more than 3 digits" in verdict.reason


@pytest.mark.parametrize("text", ["S=9, E", "S=9 plus E=5", "nine", "S=9, E=x", "= 3", "S9 E5"])
def test_malformed_answers_score_zero(text: str) -> None:
    verdict = TASK.verify(problem_at(TASK, 2, 0), wrap(text))
    assert verdict.score == 0.0 and "malformed" in verdict.reason


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_addends": 7}, "n_addends"),
        ({"n_addends": 1}, "n_addends"),
        ({"max_digits": 9}, "max_digits"),
        ({"min_digits": 1}, "min_digits"),
        ({"operations": ["div"]}, "operations"),
        ({"operations": []}, "operations"),
    ],
)
def test_config_bounds_refused(knobs: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)
    with pytest.raises(ValidationError, match="min_digits"):
        TASK.Config(min_digits=5, max_digits=4)


def test_prompts_vary_and_state_the_format() -> None:
    prompts = [problem_at(TASK, 4, i).prompt for i in range(12)]
    assert len({p.split("\n\n")[0] for p in prompts}) >= 2
    assert len(set(prompts)) == 12
    assert all("LETTER=DIGIT" in p for p in prompts)


def test_trace_is_bounded_and_ends_with_the_answer() -> None:
    problem = problem_at(TASK, 10, 0)
    solution = TASK.solve(problem)
    assert len(solution.reasoning) < 15_000
    assert solution.answer == problem.answer
    assert "Check:" in solution.reasoning
