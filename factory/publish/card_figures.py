"""PNG figures for the dataset card: difficulty per task, trace lengths, pass rate by level.

Drawn with Matplotlib's Agg canvas (no pyplot, no display) in the default style
whatever the user's matplotlibrc says, and written by Pillow as RGB PNGs without text
chunks (no Software, no date), so the same data gives byte-identical files: the
manifest hashes them like any data file. Every figure is at least ``MIN_WIDTH``
inches at ``DPI`` (900 px) wide, with labels of at least ``LABEL_SIZE`` points,
readable on the Hub's dataset page.

Margins are fixed in inches, widened for the longest tick label (:func:`_margins`),
rather than found by a constrained layout, which draws every figure once more to
measure it: that was half of the figures' time in a build.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from factory.publish.card_data import by_subset, grouped_values, level_label, level_order
from factory.storage.atomic import atomic_path

FIGURES_DIR = "figures"
COLUMNS = 3
PANEL = (4.0, 2.8)
DPI = 100
MIN_WIDTH = 9.0
LABEL_SIZE = 10
TITLE_SIZE = 11
PNG_LEVEL = 3
"""zlib level of the RGB PNGs: about as small as Matplotlib's RGBA ones at 6, in half the time."""
STYLE = ["default", {"axes.titley": 1.0}]
"""Matplotlib's default style, whatever the user's matplotlibrc says, with each title set
at the top of its axes: where Matplotlib would put it here anyway (no axes has tick labels
above it), without measuring every axis's tick labels first to decide, a fifth of the
figures' drawing time (``tests/test_card.py`` compares the pixels)."""
CHAR_WIDTH = 0.62
"""A character's width in em, a little over DejaVu Sans's average: label widths from lengths."""


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
    figures: list[tuple[str, str, Callable]] = [
        ("solver_effort", "Solver effort by level, per task", lambda f: _effort(f, problems))
    ]
    if buckets is not None:
        figures.append(
            (
                "difficulty_buckets",
                "Difficulty buckets (teacher pass rate), per task",
                lambda f: _buckets(f, problems, buckets),
            )
        )
    figures.append(
        ("trace_length", "Trace length, per task", lambda f: _lengths(f, problems, traces))
    )
    if problems.num_rows and problems["pass_rate"].null_count < problems.num_rows:
        figures.append(
            ("pass_rate_by_level", "Teacher pass rate by level", lambda f: _pass(f, problems))
        )
    if audit_bars:
        title = "What guessing wins, per subset and level"
        figures.append(("answer_space", title, lambda f: _guesses(f, audit_bars)))
    import matplotlib.style

    with matplotlib.style.context(STYLE):
        for name, _, draw in figures:
            _save(version_dir / f"{FIGURES_DIR}/{name}.png", draw)
    return [Figure(f"{FIGURES_DIR}/{name}.png", title) for name, title, _ in figures]


def _save(path: Path, draw: Callable) -> None:
    """Draw a figure and write it as an RGB PNG: the canvas is opaque, so the alpha
    channel ``savefig`` keeps is all 255, and without it zlib has a quarter less to do."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from PIL import Image

    canvas = FigureCanvasAgg(MplFigure(dpi=DPI))
    draw(canvas.figure)
    canvas.draw()
    size = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    with atomic_path(path) as tmp:
        rgba.convert("RGB").save(tmp, format="png", dpi=(DPI, DPI), compress_level=PNG_LEVEL)


def _inches(labels: Iterable[str], size: float = LABEL_SIZE) -> float:
    """About how wide the longest of ``labels`` is, set in ``size`` points."""
    return CHAR_WIDTH * size / 72 * max((len(label) for label in labels), default=0)


def _margins(
    figure,
    left: float,
    top: float,
    bottom: float = 0.55,
    right: float = 0.3,
    gaps: tuple[float, float] = (0.0, 0.0),
) -> None:
    """Margins of the figure (as now sized) in inches; ``gaps``: (between columns, between
    rows) as shares of an axes' width and height. Set before adding axes."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=gaps[0],
        hspace=gaps[1],
    )


def _grid(figure, count: int):
    """``count`` axes in rows of COLUMNS, the figure sized to fit."""
    columns = min(COLUMNS, max(count, 1))
    rows = math.ceil(max(count, 1) / columns)
    figure.set_size_inches(max(PANEL[0] * columns, MIN_WIDTH), PANEL[1] * rows)
    _margins(figure, left=0.85, top=0.35, gaps=(0.4, 0.55))
    return [figure.add_subplot(rows, columns, i + 1) for i in range(max(count, 1))]


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


def _effort(figure, problems: pa.Table) -> None:
    levels = _levels(problems)
    axes = _grid(figure, len(levels))
    for ax, (subset, groups) in zip(axes, levels.items(), strict=False):
        ax.boxplot(list(groups.values()), tick_labels=list(groups), showfliers=False)
        values = np.concatenate(list(groups.values()))
        if values.min() > 0 and values.max() / values.min() > 100:
            ax.set_yscale("log")
        ax.set_title(subset, fontsize=TITLE_SIZE)
        ax.set_xlabel("level", fontsize=LABEL_SIZE)
        ax.set_ylabel("solver effort", fontsize=LABEL_SIZE)
        ax.tick_params(labelsize=LABEL_SIZE)
    if not levels:
        axes[0].set_title("no problems")


def _buckets(figure, problems: pa.Table, buckets: list[str]) -> None:
    counts: dict[str, dict[str, int]] = {}
    grouped = problems.group_by(["subset", "difficulty"]).aggregate([("subset", "count")])
    for row in grouped.to_pylist():
        counts.setdefault(row["subset"], {})[row["difficulty"]] = row["subset_count"]
    subsets = sorted(counts)
    figure.set_size_inches(MIN_WIDTH, 1.6 + 0.4 * max(len(subsets), 1))
    _margins(figure, left=0.3 + _inches(subsets), top=0.6)
    ax = figure.add_subplot()
    left = np.zeros(len(subsets))
    for bucket in buckets:
        widths = np.asarray([counts[s].get(bucket, 0) for s in subsets], float)
        ax.barh(subsets, widths, left=left, label=bucket)
        left += widths
    ax.set_xlabel("problems", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=LABEL_SIZE)
    ax.legend(
        fontsize=LABEL_SIZE - 1, ncols=len(buckets), loc="lower center", bbox_to_anchor=(0.5, 1.0)
    )


def _lengths(figure, problems: pa.Table, traces: dict[str, pa.Table]) -> None:
    panels = [("reference traces (characters)", by_subset(problems, "reference_chars"))]
    for producer, table in traces.items():
        unit = table.schema.metadata[b"unit"].decode()
        panels.append((f"{producer} samples ({unit})", by_subset(table, "length")))
    figure.set_size_inches(max(4.5 * len(panels), MIN_WIDTH), 1.8 + 0.4 * max(len(panels[0][1]), 1))
    labels = _inches(subset for _, groups in panels for subset in groups)
    axes_width = (figure.get_size_inches()[0] - labels - 0.6) / len(panels) - labels
    _margins(figure, left=0.3 + labels, top=0.4, gaps=((labels + 0.3) / axes_width, 0.0))
    for i, (title, groups) in enumerate(panels):
        ax = figure.add_subplot(1, len(panels), i + 1)
        if groups:
            ax.boxplot(list(groups.values()), tick_labels=list(groups), orientation="horizontal")
        ax.set_title(title, fontsize=TITLE_SIZE)
        ax.tick_params(labelsize=LABEL_SIZE)


def _pass(figure, problems: pa.Table) -> None:
    sums = {
        (subset, level_label(level)): rates
        for (subset, level), rates in grouped_values(
            problems, ["subset", "level"], "pass_rate"
        ).items()
    }
    subsets = sorted({s for s, _ in sums})
    levels = sorted({level for _, level in sums}, key=level_order)
    grid = np.full((len(subsets), len(levels)), np.nan)
    for (subset, level), rates in sums.items():
        grid[subsets.index(subset), levels.index(level)] = float(np.mean(rates))
    figure.set_size_inches(max(2.4 + 0.7 * len(levels), MIN_WIDTH), 1.6 + 0.4 * len(subsets))
    _margins(figure, left=0.3 + _inches(subsets), top=0.2, right=0.1)
    ax = figure.add_subplot()
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    for (row, column), value in np.ndenumerate(grid):
        if not np.isnan(value):
            color = "white" if value < 0.5 else "black"
            ax.text(
                column,
                row,
                f"{value:.2f}",
                ha="center",
                va="center",
                fontsize=LABEL_SIZE - 1,
                c=color,
            )
    ax.set_xticks(range(len(levels)), levels)
    ax.set_yticks(range(len(subsets)), subsets)
    ax.tick_params(labelsize=LABEL_SIZE)
    ax.set_xlabel("level", fontsize=LABEL_SIZE)
    figure.colorbar(image, ax=ax, label="mean pass rate")


def _guesses(figure, bars: list[AuditBar]) -> None:
    """Win rates of the best constant and the worst trivial strategy against the limit."""
    labels = [bar[0] for bar in bars]
    rows = np.arange(len(bars))
    figure.set_size_inches(MIN_WIDTH, 1.8 + 0.3 * max(len(bars), 1))
    _margins(figure, left=0.3 + _inches(labels, LABEL_SIZE - 1), top=0.6)
    ax = figure.add_subplot()
    best = _barh(ax, rows - 0.2, [100 * b[1] for b in bars], "C0")
    worst = _barh(ax, rows + 0.2, [100 * b[2] for b in bars], "C1")
    limit = ax.scatter([100 * b[3] for b in bars], rows, marker="|", s=200, c="black")
    ax.set_yticks(rows, labels, fontsize=LABEL_SIZE - 1)
    ax.invert_yaxis()
    ax.set_xlabel("problems won without solving (%)", fontsize=LABEL_SIZE)
    ax.legend(
        [limit, best, worst],
        ["limit", "best constant answer", "worst trivial strategy"],
        fontsize=LABEL_SIZE - 1,
        ncols=3,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
    )


def _barh(ax, centres: np.ndarray, widths: list[float], color: str):
    """Bars 0.4 high from x = 0, drawn as ``barh`` draws them (no edge, corners in its
    arithmetic, sticky at 0) but as one PolyCollection rather than a patch per bar, whose
    data limits cost more than drawing it."""
    from matplotlib.collections import PolyCollection

    bottoms = centres - 0.4 / 2
    tops = bottoms + 0.4
    boxes = [
        [(0, b), (0, t), (w, t), (w, b)] for b, t, w in zip(bottoms, tops, widths, strict=True)
    ]
    bars = PolyCollection(boxes, facecolors=color, edgecolors="none")
    bars.sticky_edges.x.append(0)
    ax.add_collection(bars)
    return bars
