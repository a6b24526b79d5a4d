"""Buggy tables: contract, an independent repair, number formats and wrong answers."""

from __future__ import annotations

from fractions import Fraction

import pytest
from pydantic import ValidationError

from generators.synlogic.buggy_tables import BuggyTables
from generators.synlogic.buggy_tables.table import statistic
from generators.synlogic.buggy_tables.task import accepted, canonical
from tests.contract import contract_tests, problem_at, wrap

TASK = BuggyTables()
globals().update(contract_tests(TASK))


def score(problem, answer: str) -> float:
    return TASK.verify(problem, wrap(answer)).score


def independent_value(p: dict) -> Fraction:
    """Repair row by row as dicts, in the stated bug order, with duplicates removed last."""
    cols = p["table"]["columns"]
    rows = [dict(zip(cols, row, strict=True)) for row in p["table"]["rows"]]
    for bug in p["bugs"]:
        for row in rows:
            where = bug.get("where")
            if where and row[where[0]] != where[1]:
                continue
            kind = bug["kind"]
            if kind == "scale":
                row[bug["column"]] = Fraction(row[bug["column"]], bug["factor"])
            elif kind == "offset":
                row[bug["column"]] -= bug["delta"]
            elif kind == "sign":
                row[bug["column"]] = abs(row[bug["column"]])
            elif kind == "null" and row[bug["column"]] == -1:
                row[bug["column"]] = None
            elif kind == "swap":
                a, b = bug["columns"]
                row[a], row[b] = row[b], row[a]
    if any(bug["kind"] == "duplicate" for bug in p["bugs"]):
        firsts: dict[int, dict] = {}
        for row in rows:
            firsts.setdefault(row["id"], row)
        rows = list(firsts.values())
    q = p["question"]
    values = [
        row[q["column"]]
        for row in rows
        if row[q["column"]] is not None and (not q["where"] or row[q["where"][0]] == q["where"][1])
    ]
    return {
        "sum": lambda: Fraction(sum(values)),
        "max": lambda: Fraction(max(values)),
        "min": lambda: Fraction(min(values)),
        "count_above": lambda: Fraction(sum(v > q["threshold"] for v in values)),
        "mean": lambda: Fraction(sum(values)) / len(values),
    }[q["stat"]]()


def test_answers_match_an_independent_repair():
    kinds = set()
    for level in (1, 3, 5, 7, 10):
        for index in range(10):
            p = problem_at(TASK, level, index)
            assert p.answer == canonical(independent_value(p.payload))
            kinds |= {bug["kind"] for bug in p.payload["bugs"]}
    assert kinds == {"scale", "offset", "sign", "null", "swap", "duplicate"}


def test_number_formats_and_rounding():
    assert canonical(Fraction(37, 3)) == "12.33" and canonical(Fraction(-1, 8)) == "-0.12"
    assert accepted(Fraction(1, 8)) == {Fraction(1, 8), Fraction(12, 100), Fraction(13, 100)}
    mean = next(
        q
        for q in (problem_at(TASK, 8, i) for i in range(60))
        if q.payload["question"]["stat"] == "mean" and "." in q.answer
    )
    assert score(mean, mean.answer + "0") == 1.0
    value = independent_value(mean.payload)
    assert score(mean, f"{value.numerator}/{value.denominator}") == 1.0
    assert score(mean, mean.answer[:-1]) == 0.0 or mean.answer.endswith("0")
    assert score(mean, str(Fraction(mean.answer) + Fraction(1, 100))) == 0.0
    whole = problem_at(TASK, 1, 0)
    big = int(whole.answer)
    assert score(whole, f"{big:,}") == 1.0 and score(whole, f" {big}.00 ") == 1.0


def test_wrong_answers_fail():
    uncorrected_differs = 0
    for index in range(12):
        p = problem_at(TASK, 6, index)
        value = Fraction(p.answer)
        for wrong in (value + 1, value - 1, value * 10):
            assert score(p, canonical(wrong)) == 0.0
        raw = statistic(p.payload["table"], p.payload["question"])[0]
        if raw not in accepted(value):
            uncorrected_differs += 1
            assert score(p, canonical(raw)) == 0.0
    assert uncorrected_differs == 12


@pytest.mark.parametrize("text", ["twelve dollars", "12 or 13", "$12", "about 12", "12; 13"])
def test_malformed_numbers_score_zero(text):
    verdict = TASK.verify(problem_at(TASK, 3, 0), wrap(text))
    assert verdict.score == 0.0 and "malformed" in verdict.reason


def test_config_bounds_are_enforced():
    for knobs in ({"n_rows": 2}, {"n_rows": 61}, {"n_bugs": 5}, {"bug_kinds": 0}, {"n_stats": 6}):
        with pytest.raises(ValidationError, match=next(iter(knobs))):
            TASK.config_for_level(5, knobs)


def test_prompts_vary():
    prompts = [problem_at(TASK, 5, i).prompt for i in range(10)]
    assert len({p.splitlines()[0][:12] for p in prompts}) >= 3
    assert any("---|" in p for p in prompts) and any("id," in p for p in prompts)
