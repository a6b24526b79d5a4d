"""The transformation family: four stages applied in a fixed order, each optional.

1. *structure*: gravity, lines from every coloured cell, fill enclosed background, or shift;
2. *geometry*: a flip, a rotation, or a transpose;
3. *scale*: every cell becomes a k×k block;
4. *colour*: two non-background colours swap.

Steps act on a stack of grids of one shape (``array[k, rows, cols]``) so that all the
examples and the test input are transformed at once. A step is ``[kind, param]`` (JSON).
"""

from __future__ import annotations

from typing import Any

import numpy as np

Step = list[Any]  # [kind, param]
DIRECTIONS = ("down", "up", "right", "left")
GEOMETRY: tuple[Step, ...] = (
    ["flip", "left-right"],
    ["flip", "top-bottom"],
    ["rotate", 90],
    ["rotate", 180],
    ["rotate", 270],
    ["transpose", "main"],
    ["transpose", "anti"],
)
SHIFTS = tuple((dr, dc) for dr in range(-2, 3) for dc in range(-2, 3) if (dr, dc) != (0, 0))
STRUCTURE: tuple[Step, ...] = (
    *(["gravity", d] for d in DIRECTIONS),
    *(["lines", d] for d in DIRECTIONS),
    *(["fill", c] for c in range(1, 10)),
    *(["shift", [dr, dc]] for dr, dc in SHIFTS),
)
STAGES = ("structure", "geometry", "scale", "colour")


def _along(a: np.ndarray, direction: str, fn) -> np.ndarray:
    """Apply ``fn`` (which works downwards along axis 1) in any direction."""
    if direction == "down":
        return fn(a)
    if direction == "up":
        return fn(a[:, ::-1])[:, ::-1]
    turned = a.transpose(0, 2, 1)
    if direction == "right":
        return fn(turned).transpose(0, 2, 1)
    return fn(turned[:, ::-1])[:, ::-1].transpose(0, 2, 1)


def _fall(a: np.ndarray) -> np.ndarray:
    order = np.argsort(a != 0, axis=1, kind="stable")
    return np.take_along_axis(a, order, axis=1)


def _extend(a: np.ndarray) -> np.ndarray:
    rows = np.arange(a.shape[1])[None, :, None]
    last = np.maximum.accumulate(np.where(a != 0, rows, -1), axis=1)
    return np.where(last >= 0, np.take_along_axis(a, np.maximum(last, 0), axis=1), 0)


def enclosed(a: np.ndarray) -> np.ndarray:
    """Background cells with no 4-connected background path to the border."""
    background = a == 0
    reach = np.zeros_like(background)
    reach[:, 0, :] = background[:, 0, :]
    reach[:, -1, :] = background[:, -1, :]
    reach[:, :, 0] |= background[:, :, 0]
    reach[:, :, -1] |= background[:, :, -1]
    while True:
        grown = reach.copy()
        grown[:, 1:, :] |= reach[:, :-1, :]
        grown[:, :-1, :] |= reach[:, 1:, :]
        grown[:, :, 1:] |= reach[:, :, :-1]
        grown[:, :, :-1] |= reach[:, :, 1:]
        grown &= background
        if np.array_equal(grown, reach):
            return background & ~reach
        reach = grown


def shift(a: np.ndarray, dr: int, dc: int) -> np.ndarray:
    """Move everything by (dr, dc); what leaves the grid is lost."""
    out = np.zeros_like(a)
    rows, cols = a.shape[1:]
    src_r, dst_r = slice(max(0, -dr), rows - max(0, dr)), slice(max(0, dr), rows - max(0, -dr))
    src_c, dst_c = slice(max(0, -dc), cols - max(0, dc)), slice(max(0, dc), cols - max(0, -dc))
    out[:, dst_r, dst_c] = a[:, src_r, src_c]
    return out


def apply(step: Step, a: np.ndarray, holes: np.ndarray | None = None) -> np.ndarray:
    """One step on a stack of grids (``holes`` caches :func:`enclosed` for fills)."""
    kind, param = step
    if kind == "gravity":
        return _along(a, param, _fall)
    if kind == "lines":
        return _along(a, param, _extend)
    if kind == "fill":
        return np.where(enclosed(a) if holes is None else holes, param, a)
    if kind == "shift":
        return shift(a, *param)
    if kind == "flip":
        return a[:, :, ::-1] if param == "left-right" else a[:, ::-1, :]
    if kind == "rotate":
        return np.rot90(a, -param // 90, axes=(1, 2))
    if kind == "transpose":
        turned = a.transpose(0, 2, 1)
        return turned if param == "main" else turned[:, ::-1, ::-1]
    if kind == "scale":
        return a.repeat(param, axis=1).repeat(param, axis=2)
    if kind == "swap":
        x, y = param
        return np.where(a == x, y, np.where(a == y, x, a))
    raise ValueError(f"unknown step {kind!r}")


_WORDING = {
    "gravity": "every coloured cell falls {0} as far as it can (order kept)",
    "lines": "every coloured cell draws a line {0} over the background up to the next colour",
    "fill": "background cells enclosed by colour are filled with {0}",
    "flip": "the grid is mirrored {0}",
    "rotate": "the grid is rotated {0} degrees clockwise",
    "transpose": "the grid is transposed about its {0} diagonal",
    "scale": "every cell becomes a {0}x{0} block",
    "swap": "colours {0[0]} and {0[1]} swap",
}


def describe(step: Step) -> str:
    kind, param = step
    if kind != "shift":
        return _WORDING[kind].format(param)
    axes = (("row", "down", "up"), ("column", "right", "left"))
    moves = [
        f"{abs(d)} {unit}{'s' if abs(d) > 1 else ''} {pos if d > 0 else neg}"
        for d, (unit, pos, neg) in zip(param, axes, strict=True)
        if d
    ]
    return f"everything moves {' and '.join(moves)} (what leaves the grid is lost)"
