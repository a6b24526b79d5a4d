"""Human-readable description of a task: knobs with types, bounds and defaults, and levels."""

from __future__ import annotations

import typing

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


def _bounds(metadata: list[object]) -> str:
    parts = []
    for item in metadata:
        for kind, (symbol, attribute) in _BOUNDS.items():
            if isinstance(item, kind):
                parts.append(f"{symbol} {getattr(item, attribute)}")
    return ", ".join(parts)


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


def task_summary() -> str:
    """One line per registered task: name, version and description."""
    from generators.registry import get_task, task_names

    names = task_names()
    width = max(map(len, names), default=0)
    lines = []
    for name in names:
        task = get_task(name)
        lines.append(f"{name:<{width}}  v{task.version:<6}  {task.description}")
    return "\n".join(lines)
