"""Axis scales for the card's charts: data limits, round tick positions and their labels.

A linear axis spans its data plus ``MARGIN`` of the range on each side (an end pinned at
zero, as bars are, gets none) and ticks every 1, 2, 2.5 or 5 × 10^k, about ``TICKS`` of
them. A log axis does the same in decades and ticks at powers of ten. Labels are short:
``2.5``, ``40k``, ``1.5M``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MARGIN = 0.05
TICKS = 6
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
UNITS = ((1e9, "G"), (1e6, "M"), (1e3, "k"))
LOG_FLOOR = -307.0
"""A log axis's limits stay within 10^±this, normal floats, and one decade apart at least
(data beyond them, such as denormals, is drawn off the axis rather than failing)."""
MIN_SPAN = 1e-300
"""Data spanning no more than this counts as one value (a span of denormals, such as 0 to
5e-324, would have a tick step that underflows to zero)."""
SHORT_STEPS = (1e-4, 1e12)
"""Tick steps labelled in plain decimals and UNITS; the rest in exponent form."""

Tick = tuple[float, str]


@dataclass(frozen=True)
class Scale:
    """Maps data values to a share of the axis: ``low`` at 0, ``high`` at 1 (the other way
    round when ``reverse``, as for rows listed from the top)."""

    low: float
    high: float
    ticks: tuple[Tick, ...] = ()
    log: bool = False
    reverse: bool = False

    def share(self, value: float) -> float:
        low, high = self.low, self.high
        if self.log:
            value, low, high = math.log10(value), math.log10(low), math.log10(high)
        share = (value - low) / (high - low)
        return 1 - share if self.reverse else share


def linear_scale(low: float, high: float, pin_zero: bool = False) -> Scale:
    """A linear axis over data from ``low`` to ``high``; ``pin_zero``: an end at 0 stays
    there (bars grow from it)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    # one value, as far as ticks can tell
    if high - low <= max(1e-9 * max(abs(low), abs(high)), MIN_SPAN):
        half = max(abs(low) * MARGIN, 0.5)
        low, high = low - half, high + half
    pad = (high - low) * MARGIN
    low = low if pin_zero and low == 0 else low - pad
    high = high if pin_zero and high == 0 else high + pad
    step = nice_step((high - low) / TICKS)
    first = math.ceil(low / step - 1e-9)
    values = [i * step for i in range(first, math.floor(high / step + 1e-9) + 1)]
    return Scale(low, high, tuple(zip(values, tick_labels(values, step), strict=True)))


def log_scale(low: float, high: float) -> Scale:
    """A log axis over positive data from ``low`` to ``high``, ticked at powers of ten."""
    span = max(math.log10(high) - math.log10(low), 1.0)
    low_exp = min(max(math.log10(low) - MARGIN * span, LOG_FLOOR), -LOG_FLOOR - 1)
    high_exp = max(min(math.log10(high) + MARGIN * span, -LOG_FLOOR), low_exp + 1)
    if math.floor(high_exp) < math.ceil(low_exp):  # no power of ten inside: the decade round it
        low_exp, high_exp = math.floor(low_exp), math.ceil(high_exp)
    exponents = range(math.ceil(low_exp), math.floor(high_exp) + 1)
    stride = math.ceil(len(exponents) / TICKS) or 1
    ticks = tuple((10.0**e, compact(10.0**e)) for e in exponents[::stride])
    return Scale(10**low_exp, 10**high_exp, ticks, log=True)


def category_scale(labels: Sequence[str], reverse: bool = False) -> Scale:
    """Categories at 1, 2, …, each in a slot one wide; ``reverse``: the first at the top."""
    ticks = tuple((float(i + 1), label) for i, label in enumerate(labels))
    return Scale(0.5, len(labels) + 0.5, ticks, reverse=reverse)


def nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at least ``raw`` (> 0)."""
    exponent = math.floor(math.log10(raw))
    mantissa = raw / 10**exponent
    return next(n for n in NICE_STEPS if n >= mantissa - 1e-9) * 10**exponent


def tick_labels(values: Sequence[float], step: float) -> list[str]:
    """Labels of ticks ``step`` apart, all in one unit and with the decimals the step needs;
    in exponent form, with the digits that tell them apart, for steps below ``1e-4`` or
    above ``UNITS``' largest."""
    if not SHORT_STEPS[0] <= step < SHORT_STEPS[1]:
        largest = max(abs(value) for value in values)
        digits = min(17, max(1, math.ceil(math.log10(max(largest, step) / step)) + 1))
        return [f"{value:.{digits}g}" for value in values]
    scale, suffix = next(((u, s) for u, s in UNITS if step >= u), (1.0, ""))
    step /= scale
    exponent = math.floor(math.log10(step))
    whole = round(step / 10**exponent, 6).is_integer()
    decimals = max(0, -exponent + (0 if whole else 1))
    labels = []
    for value in values:
        value = 0.0 if abs(value) < step * scale * 1e-9 else value / scale
        labels.append(f"{value:.{decimals}f}{suffix if value else ''}")
    return labels


def compact(value: float) -> str:
    """``value`` short: 1, 10, 1k, 10M, 0.01."""
    scale, suffix = next(((u, s) for u, s in UNITS if abs(value) >= u), (1.0, ""))
    return f"{value / scale:g}{suffix}"
