"""Human-readable description of a task: knobs with types, bounds and defaults, and levels."""

from __future__ import annotations

import typing
from typing import Any

import annotated_types

from generators.base import Task

_BOUNDS = {
    annotated_types.Ge: (">=", "ge"),
    annotated_types.Gt: (">", "gt"),
    annotated_types.Le: ("<=", "le"),
    annotated_types.Lt: ("<", "lt"),
}


def _type_name(annotation: object) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    return getattr(annotation, "__name__", str(annotation))


def _bound_items(metadata: list[object]) -> list[tuple[str, str, object]]:
    """(symbol, name, value) of each numeric bound in a field's metadata."""
    return [
        (symbol, attribute, getattr(item, attribute))
        for item in metadata
        for kind, (symbol, attribute) in _BOUNDS.items()
        if isinstance(item, kind)
    ]


def _bounds(metadata: list[object]) -> str:
    return ", ".join(f"{symbol} {value}" for symbol, _, value in _bound_items(metadata))


def describe_task(task: Task) -> str:
    lines = [f"{task.name} (v{task.version}): {task.description}", "  knobs:"]
    for name, info in task.Config.model_fields.items():
        bounds = _bounds(info.metadata)
        detail = f"{_type_name(info.annotation)}, default {info.default!r}"
        if bounds:
            detail += f", {bounds}"
        lines.append(
            f"    {name}: {detail}" + (f" — {info.description}" if info.description else "")
        )
    lines.append("  levels:")
    for level, knobs in sorted(task.LEVELS.items()):
        lines.append(f"    {level:>2}: " + ", ".join(f"{k}={v}" for k, v in knobs.items()))
    return "\n".join(lines)


def task_record(task: Task) -> dict[str, Any]:
    """What ``factory tasks --json`` says of a task: name, family, version, description,
    knobs (type, default, bounds, description) and levels (level → knob values)."""
    from generators.registry import task_family

    knobs = [
        {
            "name": name,
            "type": _type_name(info.annotation),
            "default": info.default,
            "bounds": {name: value for _, name, value in _bound_items(info.metadata)},
            "description": info.description,
        }
        for name, info in task.Config.model_fields.items()
    ]
    return {
        "name": task.name,
        "family": task_family(task.name),
        "version": task.version,
        "description": task.description,
        "levels": {str(level): knobs for level, knobs in sorted(task.LEVELS.items())},
        "knobs": knobs,
    }


def by_family(names: list[str]) -> dict[str, list[str]]:
    """``names`` grouped by family, families in the registry's order (plug-ins last)."""
    from generators.registry import family_names, task_family

    groups: dict[str, list[str]] = {family: [] for family in family_names()}
    for name in names:
        groups.setdefault(task_family(name), []).append(name)
    return {family: members for family, members in groups.items() if members}


def task_summary(names: list[str]) -> str:
    """One line per task (name, version, description), under a line naming its family."""
    from generators.registry import get_task

    width = max(map(len, names), default=0)
    lines = []
    for family, members in by_family(names).items():
        lines.append(f"{family} ({len(members)}):")
        for name in members:
            task = get_task(name)
            lines.append(f"  {name:<{width}}  v{task.version:<6}  {task.description}")
    return "\n".join(lines)
