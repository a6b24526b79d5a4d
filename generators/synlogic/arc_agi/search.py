"""Which rules of the family fit the examples, and what each says about the test input.

A rule is (structure or none, geometry or none, scale 1..3, colour swap or none). The
search enumerates structure × geometry (42 × 8 pipelines) on the stacked grids; scale is
read off the output size, and the colour swap is inferred cell by cell (a swap maps
background to background, so shapes must already agree). A rule whose swap is not pinned
down by the examples, while the test uses a colour the examples never fix, counts as
ambiguous: some swap would recolour the test differently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generators.synlogic.arc_agi.transforms import GEOMETRY, STRUCTURE, Step, apply, enclosed


@dataclass(frozen=True)
class Fit:
    """One rule consistent with every example, and its test output (None: ambiguous)."""

    steps: tuple[Step, ...]
    test_output: np.ndarray | None


def _swap_from(pred: np.ndarray, out: np.ndarray) -> tuple[bool, Step | None, set[int]]:
    """(consistent, the swap or None, colours the examples map to themselves)."""
    pairs = np.unique(pred.astype(np.int16) * 10 + out)
    mapping: dict[int, int] = {}
    for pair in pairs.tolist():
        src, dst = divmod(pair, 10)
        if mapping.setdefault(src, dst) != dst:
            return False, None, set()
    moved = {(a, b) for a, b in mapping.items() if a != b}
    if not moved:
        return True, None, set(mapping)
    (a, b), *rest = sorted(moved)
    if rest != ([(b, a)] if rest else []) or mapping.get(b, a) != a:
        return False, None, set()
    return True, ["swap", [min(a, b), max(a, b)]], set(mapping)


def fits(inputs: np.ndarray, outputs: list[np.ndarray], test: np.ndarray) -> list[Fit]:
    """Every rule of the family consistent with all (input, output) examples.

    ``inputs`` is the stack of example inputs, ``test`` the test input (same shape).
    """
    stack = np.concatenate([inputs, test[None]])
    out = np.stack(outputs)
    n = len(outputs)
    out_nonzero = out != 0
    holes = enclosed(stack)
    found: list[Fit] = []
    for structure in (None, *STRUCTURE):
        first = stack if structure is None else apply(structure, stack, holes)
        for geometry in (None, *GEOMETRY):
            grids = first if geometry is None else apply(geometry, first)
            rows, cols = grids.shape[1:]
            k, extra = divmod(out.shape[1], rows)
            if extra or k not in (1, 2, 3) or out.shape[2] != cols * k:
                continue
            pred = grids if k == 1 else apply(["scale", k], grids)
            if not np.array_equal(pred[:n] != 0, out_nonzero):
                continue
            ok, swap, fixed = _swap_from(pred[:n], out)
            if not ok:
                continue
            steps = tuple(
                s
                for s in (structure, geometry, ["scale", k] if k > 1 else None, swap)
                if s is not None
            )
            test_out = pred[n] if swap is None else apply(swap, pred[n:])[0]
            if swap is None and not set(np.unique(test_out).tolist()) <= fixed | {0}:
                test_out = None
            found.append(Fit(steps, test_out))
    return found


def unique_output(found: list[Fit]) -> np.ndarray | None:
    """The test output all fitting rules agree on, or None when they differ or one is open."""
    if not found or any(f.test_output is None for f in found):
        return None
    first = found[0].test_output
    same = all(np.array_equal(f.test_output, first) for f in found[1:])
    return first if same else None
