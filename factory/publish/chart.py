"""A small raster chart kit on Pillow for the dataset card: a canvas, axes with linear or
log scales, box plots, bars, a heat map, legends and a colour bar.

Everything drawn is axis-aligned, so only text needs anti-aliasing (FreeType's). The font
is the one Pillow embeds (Aileron), so a figure's pixels depend on Pillow's version alone,
never on the fonts a machine has; the PNG has no text chunk (no software, no date). Sizes
are pixels at ``DPI`` (a 10-point label is 14 px).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from factory.publish.chart_scale import Scale
from factory.storage.atomic import atomic_path

DPI = 100
LABEL = 14
TITLE = 15
SMALL = 13
TICK = 4
MIN_SIDE = 16
PNG_LEVEL = 3
"""zlib level of the PNGs: nearly as small as level 6, in half the time."""

Color = tuple[int, int, int]
BLACK: Color = (0, 0, 0)
WHITE: Color = (255, 255, 255)
FRAME_GREY: Color = (204, 204, 204)
PALETTE: tuple[Color, ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
"""Bar colours in turn (the tab10 palette); the second also marks medians."""
RAMP: tuple[Color, ...] = (
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
)
"""Heat-map colours from 0 to 1, evenly spaced (viridis at its quarters)."""


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)


def text_width(text: str, size: int = LABEL) -> int:
    return int(font(size).getlength(text) + 0.5)


def ramp_color(value: float) -> Color:
    """``value`` in [0, 1] on RAMP, linearly between its stops."""
    position = min(max(value, 0.0), 1.0) * (len(RAMP) - 1)
    index = min(int(position), len(RAMP) - 2)
    share = position - index
    red, green, blue = (
        round(a + (b - a) * share) for a, b in zip(RAMP[index], RAMP[index + 1], strict=True)
    )
    return red, green, blue


class Canvas:
    """A white RGB image to draw on, written as a PNG."""

    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int = LABEL,
        anchor: str = "mm",
        fill: Color = BLACK,
    ) -> None:
        """``text`` placed by ``anchor`` (Pillow's two letters: l/m/r, then a/m/s/d) at ``xy``."""
        self.draw.text(xy, text, fill=fill, font=font(size), anchor=anchor)

    def upright_text(self, xy: tuple[float, float], text: str, size: int = LABEL) -> None:
        """``text`` reading upwards, centred on ``xy`` (an axis label at the side)."""
        _, _, right, bottom = font(size).getbbox(text, anchor="lt")
        mask = Image.new("L", (right, bottom))
        ImageDraw.Draw(mask).text((0, 0), text, fill=255, font=font(size), anchor="lt")
        mask = mask.rotate(90, expand=True)
        corner = (round(xy[0] - mask.width / 2), round(xy[1] - mask.height / 2))
        self.image.paste(BLACK, (*corner, corner[0] + mask.width, corner[1] + mask.height), mask)

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            self.image.save(tmp, format="png", dpi=(DPI, DPI), compress_level=PNG_LEVEL)


@dataclass
class Axes:
    """A plotting area ``box`` (left, top, right, bottom pixels) of ``canvas`` with scales."""

    canvas: Canvas
    box: tuple[int, int, int, int]
    x: Scale
    y: Scale

    def __post_init__(self) -> None:
        """At least MIN_SIDE pixels each way, whatever the margins asked (labels as long
        as a panel is wide then run off its left edge)."""
        left, top, right, bottom = self.box
        self.box = (min(left, right - MIN_SIDE), min(top, bottom - MIN_SIDE), right, bottom)

    def px(self, x: float, y: float) -> tuple[int, int]:
        left, top, right, bottom = self.box
        return (
            round(left + self.x.share(x) * (right - left)),
            round(bottom - self.y.share(y) * (bottom - top)),
        )

    def rectangle(
        self,
        corner: tuple[float, float],
        opposite: tuple[float, float],
        fill: Color | None = None,
        outline: Color | None = None,
    ) -> None:
        (x0, y0), (x1, y1) = self.px(*corner), self.px(*opposite)
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.canvas.draw.rectangle(box, fill=fill, outline=outline)

    def line(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        fill: Color = BLACK,
        width: int = 1,
    ) -> None:
        self.canvas.draw.line([self.px(*start), self.px(*end)], fill=fill, width=width)

    def frame(self, y_side: str = "left", x_ticks: bool = True, size: int = LABEL) -> None:
        """The box, and tick marks with their labels below it and on ``y_side``."""
        draw, (left, _top, right, bottom) = self.canvas.draw, self.box
        draw.rectangle(self.box, outline=BLACK)
        for value, label in self.x.ticks if x_ticks else ():
            x = self.px(value, self.y.low)[0]
            draw.line([(x, bottom), (x, bottom + TICK)], fill=BLACK)
            self.canvas.text((x, bottom + TICK + 3), label, size, anchor="ma")
        side, sign, anchor = (left, -1, "rm") if y_side == "left" else (right, 1, "lm")
        for value, label in self.y.ticks:
            y = self.px(self.x.low, value)[1]
            draw.line([(side, y), (side + sign * TICK, y)], fill=BLACK)
            self.canvas.text((side + sign * (TICK + 3), y), label, size, anchor=anchor)

    def title(self, text: str) -> None:
        left, top, right, _ = self.box
        self.canvas.text(((left + right) / 2, top - 6), text, TITLE, anchor="md")

    def x_label(self, text: str) -> None:
        left, _, right, bottom = self.box
        self.canvas.text(((left + right) / 2, bottom + TICK + 22), text, LABEL, anchor="ma")

    def y_label(self, text: str, offset: int) -> None:
        """The y axis's label ``offset`` pixels left of the box."""
        left, top, _, bottom = self.box
        self.canvas.upright_text((left - offset, (top + bottom) / 2), text)


def tick_width(scale: Scale, size: int = LABEL) -> int:
    """How wide the widest tick label of ``scale`` is."""
    return max((text_width(label, size) for _, label in scale.ticks), default=0)


@dataclass(frozen=True)
class BoxStats:
    """A box plot's numbers: quartiles, whiskers at the furthest data within 1.5 IQR of the
    box, and the data beyond them."""

    q1: float
    median: float
    q3: float
    low: float
    high: float
    outliers: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> BoxStats:
        """The numbers of ``values``' finite part (all zero when it is empty)."""
        values = values[np.isfinite(values)]
        if not values.size:
            return cls(0.0, 0.0, 0.0, 0.0, 0.0, values)
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        reach = 1.5 * (q3 - q1)
        inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
        low = min(float(inside.min()), q1) if inside.size else q1
        high = max(float(inside.max()), q3) if inside.size else q3
        return cls(q1, median, q3, low, high, values[(values < low) | (values > high)])

    def extent(self, outliers: bool) -> tuple[float, float]:
        if outliers and self.outliers.size:
            return min(self.low, float(self.outliers.min())), max(
                self.high, float(self.outliers.max())
            )
        return self.low, self.high


def boxes_span(boxes: Sequence[BoxStats], outliers: bool) -> tuple[float, float]:
    """The lowest and highest point any of ``boxes`` draws (at least one box)."""
    extents = [box.extent(outliers) for box in boxes]
    return min(low for low, _ in extents), max(high for _, high in extents)


def box_plot(ax: Axes, boxes: Sequence[BoxStats], vertical: bool, outliers: bool) -> None:
    """Box ``i`` at category ``i + 1``, half a slot wide, its median in the second colour."""

    def point(at: float, value: float) -> tuple[float, float]:
        return (at, value) if vertical else (value, at)

    for at, box in enumerate(boxes, start=1):
        ax.rectangle(point(at - 0.25, box.q1), point(at + 0.25, box.q3), outline=BLACK)
        ax.line(point(at, box.q3), point(at, box.high))
        ax.line(point(at, box.q1), point(at, box.low))
        for end in (box.low, box.high):
            ax.line(point(at - 0.125, end), point(at + 0.125, end))
        ax.line(
            point(at - 0.25, box.median), point(at + 0.25, box.median), fill=PALETTE[1], width=2
        )
        if outliers:
            drawn: set[tuple[int, int]] = set()
            for value in box.outliers.tolist():
                x, y = ax.px(*point(at, value))
                if (x, y) not in drawn:  # thousands of outliers often share a pixel
                    drawn.add((x, y))
                    ax.canvas.draw.ellipse((x - 3, y - 3, x + 3, y + 3), outline=BLACK)


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: Color
    mark: bool = False  # a vertical tick rather than a filled swatch


def legend(canvas: Canvas, box: tuple[int, int, int, int], items: Sequence[LegendItem]) -> None:
    """One row of ``items`` in a grey frame, centred just above the axes ``box``."""
    swatch, gap, spacing, pad, height, above = 24, 8, 22, 10, 26, 8
    widths = [swatch + gap + text_width(item.label, SMALL) for item in items]
    width = sum(widths) + spacing * (len(items) - 1) + 2 * pad
    bottom = box[1] - above
    left, top = round((box[0] + box[2]) / 2 - width / 2), bottom - height
    canvas.draw.rectangle((left, top, left + width, bottom), outline=FRAME_GREY)
    x, middle = left + pad, top + height // 2
    for item, item_width in zip(items, widths, strict=True):
        if item.mark:
            centre = x + swatch // 2
            canvas.draw.line([(centre, middle - 8), (centre, middle + 8)], fill=item.color, width=2)
        else:
            canvas.draw.rectangle((x, middle - 5, x + swatch, middle + 5), fill=item.color)
        canvas.text((x + swatch + gap, middle), item.label, SMALL, anchor="lm")
        x += item_width + spacing


def colour_bar(canvas: Canvas, box: tuple[int, int, int, int], scale: Scale, label: str) -> None:
    """RAMP from ``scale.low`` (bottom) to ``scale.high`` (top) in ``box``, ticked on the right."""
    left, top, right, bottom = box
    for y in range(top, bottom + 1):
        share = (bottom - y) / max(bottom - top, 1)
        canvas.draw.line([(left, y), (right, y)], fill=ramp_color(share))
    bar = Axes(canvas, box, Scale(0, 1), scale)
    bar.frame(y_side="right", x_ticks=False)
    canvas.upright_text((right + TICK + 10 + tick_width(scale) + 14, (top + bottom) / 2), label)
