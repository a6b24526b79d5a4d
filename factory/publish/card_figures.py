"""PNG figures for the dataset card: difficulty per task, trace lengths, pass rate by level.

Drawn by ``factory.publish.chart`` (Pillow, no Matplotlib): the same data gives
byte-identical files, which the manifest hashes like any data file. Every figure is at
least ``MIN_WIDTH`` pixels wide with labels of 14 px (10 points at 100 dpi), readable on
the Hub's dataset page. Margins follow the widest tick label, measured in the font.
Categories listed down an axis (subsets, audit groups) read from the top.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import numpy as np
import pyarrow as pa

from factory.publish.card_data import by_subset, grouped_values, level_label, level_order
from factory.publish.chart import (
    BLACK,
    PALETTE,
    SMALL,
    TICK,
    WHITE,
    Axes,
    BoxStats,
    Canvas,
    LegendItem,
    box_plot,
    boxes_span,
    colour_bar,
    legend,
    ramp_color,
    tick_width,
)
from factory.publish.chart_scale import Scale, category_scale, linear_scale, log_scale

FIGURES_DIR = "figures"
COLUMNS = 3
PANEL = (400, 280)
MIN_WIDTH = 900
ROW = 40
"""Height of a subset's row in the figures that list subsets down the side."""
LABEL_GAP = TICK + 3
"""From an axis to its tick labels."""
Y_LABEL_ROOM = 26
"""Left of the tick labels: the upright y label and a gap."""
X_LABEL_ROOM = 48
"""Below an axis: its tick labels and its label."""
LEGEND_ROOM = 50
"""Above an axes with a legend over it."""
LOG_DECADES = 2
"""Solver efforts whose largest is more than 10^this times their smallest get a log axis."""


AuditBar = tuple[str, float, float, float]


@dataclass(frozen=True)
class Figure:
    path: str  # relative to the version directory
    title: str


def write_figures(
    version_dir: Path,
    problems: pa.Table,
    traces: dict[str, pa.Table],
    buckets: list[str] | None,
    audit_bars: list[AuditBar] | None = None,
) -> list[Figure]:
    """Write every figure the data supports under ``figures/``; ``buckets`` are a graded
    build's difficulty bucket names, hardest first; ``audit_bars`` the answer-space audit's
    (group, best constant's win, worst trivial win, limit)."""
    figures: list[tuple[str, str, Callable[[], Canvas]]] = [
        ("solver_effort", "Solver effort by level, per task", lambda: _effort(problems))
    ]
    if buckets is not None:
        figures.append(
            (
                "difficulty_buckets",
                "Difficulty buckets (teacher pass rate), per task",
                lambda: _buckets(problems, buckets),
            )
        )
    figures.append(("trace_length", "Trace length, per task", lambda: _lengths(problems, traces)))
    if problems.num_rows and problems["pass_rate"].null_count < problems.num_rows:
        figures.append(
            ("pass_rate_by_level", "Teacher pass rate by level", lambda: _pass(problems))
        )
    if audit_bars:
        title = "What guessing wins, per subset and level"
        figures.append(("answer_space", title, lambda: _guesses(audit_bars)))
    for name, _, draw in figures:
        draw().save(version_dir / f"{FIGURES_DIR}/{name}.png")
    return [Figure(f"{FIGURES_DIR}/{name}.png", title) for name, title, _ in figures]


def _levels(problems: pa.Table) -> dict[str, dict[str, np.ndarray]]:
    """subset → level label → solver efforts (label 'default' for builds without levels)."""
    result: dict[str, dict[str, np.ndarray]] = {}
    for (subset, level), efforts in grouped_values(
        problems, ["subset", "level"], "solver_effort"
    ).items():
        result.setdefault(subset, {})[level_label(level)] = efforts
    return {
        s: {k: result[s][k] for k in sorted(result[s], key=level_order)} for s in sorted(result)
    }


def _effort_scale(boxes: list[BoxStats]) -> Scale:
    """The whiskers' range; a log axis when the efforts (outliers too) span more than
    LOG_DECADES."""
    if not boxes:
        return linear_scale(0.0, 1.0)
    low, high = boxes_span(boxes, outliers=False)
    smallest, largest = boxes_span(boxes, outliers=True)
    if smallest > 0 and np.log10(largest) - np.log10(smallest) > LOG_DECADES:
        return log_scale(low, high)
    return linear_scale(low, high)


def _effort(problems: pa.Table) -> Canvas:
    """A box plot of solver effort by level for each subset, in rows of COLUMNS panels."""
    panels = _levels(problems) or {"no problems": {}}
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    width = max(PANEL[0] * columns, MIN_WIDTH)
    canvas = Canvas(width, PANEL[1] * rows)
    cell = width // columns
    for index, (subset, groups) in enumerate(panels.items()):
        left, top = (index % columns) * cell, (index // columns) * PANEL[1]
        boxes = [BoxStats.of(values) for values in groups.values()]
        y = _effort_scale(boxes)
        labels = tick_width(y)
        box = (
            left + Y_LABEL_ROOM + labels + LABEL_GAP + 6,
            top + 34,
            left + cell - 24,
            top + PANEL[1] - X_LABEL_ROOM - 6,
        )
        ax = Axes(canvas, box, category_scale(list(groups)), y)
        box_plot(ax, boxes, vertical=True, outliers=False)
        ax.frame()
        ax.title(subset)
        ax.x_label("level")
        ax.y_label("solver effort", offset=LABEL_GAP + labels + 12)
    return canvas


def _buckets(problems: pa.Table, buckets: list[str]) -> Canvas:
    """Problems per difficulty bucket, stacked, one bar per subset."""
    counts: dict[str, dict[str, int]] = {}
    grouped = problems.group_by(["subset", "difficulty"]).aggregate([("subset", "count")])
    for row in grouped.to_pylist():
        counts.setdefault(row["subset"], {})[row["difficulty"]] = row["subset_count"]
    subsets = sorted(counts)
    totals = [sum(counts[s].values()) for s in subsets]
    canvas = Canvas(MIN_WIDTH, 120 + LEGEND_ROOM + ROW * max(len(subsets), 1))
    y = category_scale(subsets, reverse=True)
    box = (
        24 + tick_width(y),
        LEGEND_ROOM + 10,
        MIN_WIDTH - 30,
        canvas.image.height - X_LABEL_ROOM - 10,
    )
    ax = Axes(canvas, box, linear_scale(0, max(totals, default=1), pin_zero=True), y)
    colours = dict(zip(buckets, cycle(PALETTE)))
    for row, subset in enumerate(subsets, start=1):
        start = 0
        for bucket, color in colours.items():
            count = counts[subset].get(bucket, 0)
            if count:
                ax.rectangle((start, row - 0.4), (start + count, row + 0.4), fill=color)
            start += count
    ax.frame()
    ax.x_label("problems")
    legend(canvas, box, [LegendItem(bucket, color) for bucket, color in colours.items()])
    return canvas


def _lengths(problems: pa.Table, traces: dict[str, pa.Table]) -> Canvas:
    """Box plots of trace lengths per subset: the reference traces, then each producer's."""
    panels = [("reference traces (characters)", by_subset(problems, "reference_chars"))]
    for producer, table in traces.items():
        unit = table.schema.metadata[b"unit"].decode()
        panels.append((f"{producer} samples ({unit})", by_subset(table, "length")))
    width = max(450 * len(panels), MIN_WIDTH)
    height = 130 + ROW * max(len(panels[0][1]), 1)
    canvas = Canvas(width, height)
    cell = width // len(panels)
    for index, (title, groups) in enumerate(panels):
        boxes = [BoxStats.of(values) for values in groups.values()]
        x = linear_scale(*(boxes_span(boxes, outliers=True) if boxes else (0.0, 1.0)))
        y = category_scale(list(groups), reverse=True)
        left = index * cell
        box = (left + 20 + tick_width(y), 34, left + cell - 24, height - X_LABEL_ROOM + 14)
        ax = Axes(canvas, box, x, y)
        box_plot(ax, boxes, vertical=False, outliers=True)
        ax.frame()
        ax.title(title)
    return canvas


def _pass(problems: pa.Table) -> Canvas:
    """Mean teacher pass rate per subset and level, as a heat map with its values."""
    rates = {
        (subset, level_label(level)): float(np.mean(values))
        for (subset, level), values in grouped_values(
            problems, ["subset", "level"], "pass_rate"
        ).items()
    }
    subsets = sorted({s for s, _ in rates})
    levels = sorted({level for _, level in rates}, key=level_order)
    canvas = Canvas(max(240 + 70 * len(levels), MIN_WIDTH), 110 + ROW * len(subsets))
    x, y = category_scale(levels), category_scale(subsets, reverse=True)
    ramp = Scale(0.0, 1.0, tuple((i / 5, f"{i / 5:.1f}") for i in range(6)))
    right = canvas.image.width - 50 - TICK - 10 - tick_width(ramp)
    box = (24 + tick_width(y), 20, right - 40, canvas.image.height - X_LABEL_ROOM - 10)
    ax = Axes(canvas, box, x, y)
    for (subset, level), rate in rates.items():
        column, row = levels.index(level) + 1, subsets.index(subset) + 1
        ax.rectangle((column - 0.5, row - 0.5), (column + 0.5, row + 0.5), fill=ramp_color(rate))
        color = WHITE if rate < 0.5 else BLACK
        canvas.text(ax.px(column, row), f"{rate:.2f}", SMALL, fill=color)
    ax.frame()
    ax.x_label("level")
    colour_bar(canvas, (right - 20, box[1], right, box[3]), ramp, "mean pass rate")
    return canvas


def _guesses(bars: list[AuditBar]) -> Canvas:
    """Win rates of the best constant and the worst trivial strategy against the limit."""
    labels = [bar[0] for bar in bars]
    canvas = Canvas(MIN_WIDTH, 110 + LEGEND_ROOM + 30 * len(bars))
    y = category_scale(labels, reverse=True)
    high = max(max(b[1], b[2], b[3]) for b in bars)
    x = linear_scale(0.0, 100 * high, pin_zero=True)
    box = (
        24 + tick_width(y, SMALL),
        LEGEND_ROOM + 10,
        MIN_WIDTH - 30,
        canvas.image.height - X_LABEL_ROOM - 10,
    )
    ax = Axes(canvas, box, x, y)
    for row, (_, best, worst, limit) in enumerate(bars, start=1):
        if best:
            ax.rectangle((0, row - 0.4), (100 * best, row), fill=PALETTE[0])
        if worst:
            ax.rectangle((0, row), (100 * worst, row + 0.4), fill=PALETTE[1])
        at, middle = ax.px(100 * limit, row)
        canvas.draw.line([(at, middle - 10), (at, middle + 10)], fill=BLACK, width=2)
    ax.frame(size=SMALL)
    ax.x_label("problems won without solving (%)")
    items = [
        LegendItem("limit", BLACK, mark=True),
        LegendItem("best constant answer", PALETTE[0]),
        LegendItem("worst trivial strategy", PALETTE[1]),
    ]
    legend(canvas, box, items)
    return canvas
