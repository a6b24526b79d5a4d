"""Buggy tables: repair a table whose known bugs are described, then compute a statistic.

The generator keeps the clean table it corrupted and checks that the solver's repair of the
dirty table gives the same statistic, so every answer is proven by two routes. Effort is
rows x operations (one per bug, one for the statistic, one for a row filter).
"""

from __future__ import annotations

from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task
from generators.synlogic.buggy_tables.config import BUG_KINDS, LEVELS, STATS, BuggyTablesConfig
from generators.synlogic.buggy_tables.table import (
    THEMES,
    corrupt,
    describe,
    draw_clean,
    repair,
    statistic,
)
from generators.synlogic.normalize import parse_number
from schemas.records import Problem

_COLUMN_BUGS = ("scale", "offset", "sign", "null")
_ATTEMPTS = 500

_INTROS = (
    "The table below holds {entity}. It was produced by a buggy export.",
    "Here are {entity}, as exported by a program with known bugs.",
    "A colleague sends you {entity}, warning that the export is faulty.",
)
_BUG_HEADERS = ("Known bugs:", "The bugs are exactly these:", "What went wrong:")
_FORMAT = (
    "Answer with a single number computed on the corrected table. If it is not a whole "
    "number, round it to 2 decimal places."
)


def _question_text(q: dict[str, Any]) -> str:
    col = q["column"]
    scope = f" among rows where {q['where'][0]} is {q['where'][1]}" if q["where"] else ""
    return {
        "sum": f"What is the total {col}{scope}?",
        "max": f"What is the largest {col}{scope}?",
        "min": f"What is the smallest {col}{scope}?",
        "count_above": f"How many rows{scope} have {col} greater than {q.get('threshold')}?",
        "mean": f"What is the average {col}{scope} (over rows where it is not missing)?",
    }[q["stat"]]


def canonical(value: Fraction) -> str:
    """Whole numbers as such, anything else rounded half-up to 2 decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    cents = (value * 100 + Fraction(1, 2)).__floor__()
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def accepted(value: Fraction) -> set[Fraction]:
    """The exact value and its 2-decimal roundings (both neighbours on an exact tie)."""
    scaled = value * 100
    low, high = scaled.__floor__(), scaled.__ceil__()
    out = {value}
    if scaled - low < Fraction(1, 2):
        out.add(Fraction(low, 100))
    elif scaled - low > Fraction(1, 2):
        out.add(Fraction(high, 100))
    else:
        out |= {Fraction(low, 100), Fraction(high, 100)}
    return out


class BuggyTables(Task[BuggyTablesConfig]):
    """Repair the described bugs of a small table, then answer a statistic about it."""

    name: ClassVar[str] = "buggy_tables"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "A small table corrupted by stated bugs (scaled, shifted, sign-flipped, swapped or "
        "placeholder values, duplicated rows); compute a statistic of the corrected table."
    )
    Config = BuggyTablesConfig
    LEVELS = LEVELS

    def generate(self, config: BuggyTablesConfig, rng: Random, index: int) -> Instance:
        for _ in range(_ATTEMPTS):
            theme = rng.choice(THEMES)
            clean = draw_clean(theme, config.n_rows, rng)
            bugs = _draw_bugs(config, theme, clean, rng)
            if bugs is None:
                continue
            clean, dirty = corrupt(clean, bugs, rng)
            question = _draw_question(config, theme, clean, bugs, rng)
            # keep questions whose answer the bugs change: ignoring them must not pay off
            if (
                question is not None
                and statistic(dirty, question)[0] != statistic(clean, question)[0]
            ):
                break
        else:
            raise RuntimeError("no table with a well-posed question; loosen the knobs")
        payload: dict[str, Any] = {
            "entity": theme["entity"],
            "table": dirty,
            "bugs": bugs,
            "question": question,
            "style": [rng.randrange(3), rng.randrange(3), rng.randrange(2)],
        }
        value = statistic(clean, question)[0]
        repaired, _ = repair(dirty, bugs)
        if statistic(repaired, question)[0] != value:
            raise AssertionError("repair disagrees with the clean table")
        return Instance(_prompt(payload), canonical(value), payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        table, notes = repair(p["table"], p["bugs"])
        value, values = statistic(table, p["question"])
        answer = canonical(value)
        q = p["question"]
        lines = [f"The table has {len(p['table']['rows'])} rows. Repair each bug in turn:"]
        lines += [f"- {note}" for note in notes]
        scope = f"rows where {q['where'][0]} is {q['where'][1]}" if q["where"] else "all rows"
        lines.append(
            f"Corrected table: {len(table['rows'])} rows. The {q['column']} values over "
            f"{scope} (missing values left out): {', '.join(map(str, values))}."
        )
        lines.append(f"{_question_text(q)} Exact value: {value}, so the answer is {answer}.")
        operations = len(p["bugs"]) + 1 + (q["where"] is not None)
        return Solution(answer, "\n".join(lines), {"effort": len(p["table"]["rows"]) * operations})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        uncorrected = canonical(statistic(p["table"], p["question"])[0])
        return {**super().trivial_answers(problem), "ignore the bugs": uncorrected}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        p = problem.payload
        table, _ = repair(p["table"], p["bugs"])
        value = statistic(table, p["question"])[0]
        if parse_number(answer) not in accepted(value):
            return 0.0, f"the corrected statistic is {canonical(value)}"
        return 1.0, "correct statistic"


def _draw_bugs(
    config: BuggyTablesConfig, theme: dict[str, Any], clean: dict[str, Any], rng: Random
) -> list[dict[str, Any]] | None:
    """Distinct bug kinds on distinct numeric columns, each selecting some but not all rows."""
    kinds = rng.sample(BUG_KINDS[: config.bug_kinds], min(config.n_bugs, config.bug_kinds))
    free = list(theme["numbers"])
    rng.shuffle(free)
    needed = sum(2 if k == "swap" else k in _COLUMN_BUGS for k in kinds)
    if needed > len(free):
        return None
    n = len(clean["rows"])
    bugs = []
    for kind in kinds:
        bug: dict[str, Any] = {"kind": kind}
        if kind in ("scale", "offset", "sign", "swap"):
            text_column = rng.choice(list(theme["text"]))
            at = clean["columns"].index(text_column)
            present = sorted({row[at] for row in clean["rows"]})
            if len(present) < 2:
                return None
            bug["where"] = [text_column, rng.choice(present)]
        if kind == "swap":
            bug["columns"] = [free.pop(), free.pop()]
        elif kind in _COLUMN_BUGS:
            bug["column"] = free.pop()
        if kind == "scale":
            bug["factor"] = rng.choice((10, 100))
        elif kind == "offset":
            bug["delta"] = rng.randint(3, 20)
        elif kind in ("null", "duplicate"):
            bug["rows"] = sorted(rng.sample(range(n), min(n - 1, rng.randint(1, max(1, n // 4)))))
        bugs.append(bug)
    return bugs


def _draw_question(
    config: BuggyTablesConfig,
    theme: dict[str, Any],
    clean: dict[str, Any],
    bugs: list[dict[str, Any]],
    rng: Random,
) -> dict[str, Any] | None:
    """A statistic on a bugged column where possible, over a non-empty set of values. Counts
    are over every row (a count over the few rows a filter keeps is a small, guessable number)
    and their threshold makes any count from one to all of the rows as likely."""
    touched = [c for bug in bugs for c in bug.get("columns", [bug.get("column")]) if c]
    column = rng.choice(touched or list(theme["numbers"]))
    question: dict[str, Any] = {"stat": rng.choice(STATS[: config.n_stats]), "column": column}
    question["where"] = None
    if config.filtered and question["stat"] != "count_above":
        text_column = rng.choice(list(theme["text"]))
        at = clean["columns"].index(text_column)
        question["where"] = [text_column, rng.choice([row[at] for row in clean["rows"]])]
    values = statistic(clean, {**question, "stat": "sum"})[1]
    if not values:
        return None
    if question["stat"] == "count_above":
        question["threshold"] = rng.choice(values) - 1
    return question


def _render(table: dict[str, Any], csv: bool) -> list[str]:
    columns, rows = table["columns"], table["rows"]
    if csv:
        return [",".join(columns), *(",".join(map(str, row)) for row in rows)]
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(map(str, row)) + " |" for row in rows),
    ]


def _prompt(p: dict[str, Any]) -> str:
    intro, header, layout = p["style"]
    lines = [_INTROS[intro].format(entity=p["entity"]), "", *_render(p["table"], layout == 1)]
    lines += ["", _BUG_HEADERS[header], *(f"- {describe(bug)}" for bug in p["bugs"])]
    lines += ["", _question_text(p["question"]), _FORMAT, ANSWER_INSTRUCTION]
    return "\n".join(lines)
