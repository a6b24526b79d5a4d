"""Tables, the bugs that corrupt them, their repairs, and the statistics asked about.

A table is ``{"columns": [...], "rows": [[id, text, text, num, num, num, num], ...]}``; a
missing number is ``None`` in the clean table. Each bug only touches its own numeric
column(s) and selects rows by a text column, which no bug changes, so the repairs commute.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from random import Random
from typing import Any

Row = list[Any]
NULL_MARKER = -1

# name, entity, two text columns with their values, four numeric columns with ranges
THEMES: tuple[dict[str, Any], ...] = (
    {
        "entity": "sales records of a small chain of shops",
        "text": {
            "region": ("North", "South", "East", "West"),
            "category": ("toys", "books", "tools", "garden"),
        },
        "numbers": {"units": (1, 60), "price": (5, 250), "returns": (1, 12), "staff": (2, 20)},
    },
    {
        "entity": "readings from environmental sensors",
        "text": {
            "site": ("Alpha", "Bravo", "Delta", "Echo"),
            "placement": ("roof", "cellar", "garden", "hall"),
        },
        "numbers": {
            "temperature": (5, 40),
            "humidity": (20, 95),
            "noise": (30, 90),
            "battery": (10, 100),
        },
    },
    {
        "entity": "pupils' results at a school",
        "text": {
            "class": ("7A", "7B", "8A", "8B"),
            "club": ("chess", "drama", "music", "robotics"),
        },
        "numbers": {
            "maths": (20, 100),
            "science": (20, 100),
            "reading": (20, 100),
            "absences": (1, 15),
        },
    },
)


def draw_clean(theme: dict[str, Any], n_rows: int, rng: Random) -> dict[str, Any]:
    text, numbers = theme["text"], theme["numbers"]
    rows = [
        [
            100 + k,
            *(rng.choice(values) for values in text.values()),
            *(rng.randint(lo, hi) for lo, hi in numbers.values()),
        ]
        for k in range(n_rows)
    ]
    return {"columns": ["id", *text, *numbers], "rows": rows}


def matches(table: dict[str, Any], row: Row, where: list[str] | None) -> bool:
    return where is None or row[table["columns"].index(where[0])] == where[1]


# --- repairs: each maps a corrupted row to the clean one ------------------------------------


def _fix_scale(v: int, bug: dict[str, Any]) -> int:
    return v // bug["factor"]


def _fix_offset(v: int, bug: dict[str, Any]) -> int:
    return v - bug["delta"]


def _fix_sign(v: int, bug: dict[str, Any]) -> int:
    return -v


def _fix_null(v: int, bug: dict[str, Any]) -> int | None:
    return None if v == NULL_MARKER else v


VALUE_FIXES: dict[str, Callable[[int, dict[str, Any]], int | None]] = {
    "scale": _fix_scale,
    "offset": _fix_offset,
    "sign": _fix_sign,
    "null": _fix_null,
}
_BREAK: dict[str, Callable[[int, dict[str, Any]], int]] = {
    "scale": lambda v, bug: v * bug["factor"],
    "offset": lambda v, bug: v + bug["delta"],
    "sign": lambda v, bug: -v,
}


def corrupt(
    clean: dict[str, Any], bugs: list[dict[str, Any]], rng: Random
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clean, dirty) after the bugs; 'null' also blanks values of the clean table."""
    columns = clean["columns"]
    clean_rows = [list(row) for row in clean["rows"]]
    for bug in bugs:
        if bug["kind"] == "null":
            at = columns.index(bug["column"])
            for k in bug["rows"]:
                clean_rows[k][at] = None
    dirty_rows = [list(row) for row in clean_rows]
    for bug in bugs:
        kind = bug["kind"]
        for row in dirty_rows:
            if kind == "null":
                at = columns.index(bug["column"])
                row[at] = NULL_MARKER if row[at] is None else row[at]
            elif kind == "swap" and matches(clean, row, bug["where"]):
                a, b = columns.index(bug["columns"][0]), columns.index(bug["columns"][1])
                row[a], row[b] = row[b], row[a]
            elif kind in _BREAK and matches(clean, row, bug["where"]):
                at = columns.index(bug["column"])
                row[at] = _BREAK[kind](row[at], bug)
    for bug in bugs:
        if bug["kind"] == "duplicate":
            for k in sorted(bug["rows"], reverse=True):
                dirty_rows.insert(rng.randint(k + 1, len(dirty_rows)), list(dirty_rows[k]))
    return {"columns": columns, "rows": clean_rows}, {"columns": columns, "rows": dirty_rows}


def repair(dirty: dict[str, Any], bugs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The clean table and one note per bug describing what was changed (duplicates first)."""
    columns, rows, notes = dirty["columns"], [list(r) for r in dirty["rows"]], []
    for bug in sorted(bugs, key=lambda bug: bug["kind"] != "duplicate"):
        kind, changed = bug["kind"], []
        if kind == "duplicate":
            seen: set[int] = set()
            kept = []
            for row in rows:
                if row[0] in seen:
                    changed.append(f"dropped the repeated row of id {row[0]}")
                else:
                    seen.add(row[0])
                    kept.append(row)
            rows = kept
        elif kind == "swap":
            a, b = (columns.index(c) for c in bug["columns"])
            for row in rows:
                if matches(dirty, row, bug["where"]):
                    row[a], row[b] = row[b], row[a]
                    changed.append(f"id {row[0]}: {columns[a]} {row[a]}, {columns[b]} {row[b]}")
        else:
            at = columns.index(bug["column"])
            for row in rows:
                if matches(dirty, row, bug.get("where")):
                    fixed = VALUE_FIXES[kind](row[at], bug)
                    if fixed != row[at]:
                        changed.append(f"id {row[0]}: {row[at]} -> {_show(fixed)}")
                    row[at] = fixed
        notes.append(_summary(describe(bug), changed))
    return {"columns": columns, "rows": rows}, notes


_LISTED = 8


def _summary(bug_text: str, changed: list[str]) -> str:
    if not changed:
        return f"{bug_text} Nothing to change."
    shown = "; ".join(changed[:_LISTED])
    more = f"; ({len(changed) - _LISTED} more of the same)" if len(changed) > _LISTED else ""
    return f"{bug_text} Repairs: {shown}{more}."


def _show(value: int | None) -> str:
    return "missing" if value is None else str(value)


def describe(bug: dict[str, Any]) -> str:
    kind = bug["kind"]
    where = f"In rows where {bug['where'][0]} is {bug['where'][1]}, " if bug.get("where") else ""
    if kind == "scale":
        return f"{where}{bug['column']} was recorded {bug['factor']} times too large."
    if kind == "offset":
        return f"{where}{bug['column']} is {bug['delta']} too high."
    if kind == "sign":
        return f"{where}{bug['column']} was stored with the wrong sign (true values are positive)."
    if kind == "null":
        return (
            f"In the {bug['column']} column, {NULL_MARKER} marks a missing value; missing values "
            "are left out of every calculation."
        )
    if kind == "swap":
        a, b = bug["columns"]
        return f"{where}the {a} and {b} values were swapped with each other."
    return (
        "Some rows were entered twice: a repeated id is a copy of the first row with that id "
        "and must be dropped."
    )


def statistic(table: dict[str, Any], question: dict[str, Any]) -> tuple[Fraction, list[int]]:
    """The asked statistic of the clean table, and the values it was computed from."""
    at = table["columns"].index(question["column"])
    values = [
        row[at]
        for row in table["rows"]
        if matches(table, row, question["where"]) and row[at] is not None
    ]
    kind = question["stat"]
    if kind == "sum":
        return Fraction(sum(values)), values
    if kind == "max":
        return Fraction(max(values)), values
    if kind == "min":
        return Fraction(min(values)), values
    if kind == "count_above":
        return Fraction(sum(v > question["threshold"] for v in values)), values
    return Fraction(sum(values), len(values)), values
