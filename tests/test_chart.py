"""The card's chart kit: scales and ticks, box-plot numbers, and what lands on the pixels."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from factory.publish.chart import (
    BLACK,
    PALETTE,
    RAMP,
    WHITE,
    Axes,
    BoxStats,
    Canvas,
    box_plot,
    ramp_color,
)
from factory.publish.chart_scale import (
    Scale,
    category_scale,
    compact,
    linear_scale,
    log_scale,
    nice_step,
    tick_labels,
)

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(finite, finite, st.booleans())
@example(0.0, 5e-324, False)  # a span of denormals: its tick step underflowed to zero
def test_a_linear_scale_holds_its_data_and_ticks_it_in_order(a: float, b: float, pin: bool):
    low, high = min(a, b), max(a, b)
    scale = linear_scale(low, high, pin_zero=pin)
    assert scale.low <= low and high <= scale.high and scale.low < scale.high
    values = [value for value, _ in scale.ticks]
    labels = [label for _, label in scale.ticks]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert all(
        scale.low - 1e-9 * abs(scale.low) <= v <= scale.high * (1 + 1e-9) + 1e-9 for v in values
    )
    assert 2 <= len(values) <= 13, values
    assert len(set(labels)) == len(labels), labels


@given(st.floats(min_value=1e-300, max_value=1e300), st.floats(min_value=1.0, max_value=1e6))
def test_a_log_scale_holds_its_data_and_ticks_powers_of_ten(low: float, ratio: float):
    high = low * ratio
    scale = log_scale(low, high)
    assert scale.log and scale.low <= low and high <= scale.high and scale.low < scale.high
    assert 0 < len(scale.ticks) <= 7
    for value, label in scale.ticks:
        assert scale.low <= value <= scale.high
        assert math.isclose(math.log10(value), round(math.log10(value)))
        assert label == compact(value)


def test_ticks_are_round_numbers_with_short_labels():
    assert [nice_step(x) for x in (0.7, 1.9, 2.2, 3.0, 7.5, 12.0)] == [1, 2, 2.5, 5, 10, 20]
    assert tick_labels([0.0, 2.5, 5.0], 2.5) == ["0.0", "2.5", "5.0"]
    assert tick_labels([0.0, 20000.0, 40000.0], 20000.0) == ["0", "20k", "40k"]
    assert tick_labels([1.5e6, 3e6], 1.5e6) == ["1.5M", "3.0M"]
    assert tick_labels([0.0, 2e-7, 4e-7], 2e-7) == ["0", "2e-07", "4e-07"]
    assert tick_labels([1.0, 1.00002], 0.00002) == ["1", "1.00002"]
    assert [compact(v) for v in (1.0, 100.0, 1e4, 1e6, 0.01)] == ["1", "100", "10k", "1M", "0.01"]
    assert [label for _, label in linear_scale(0, 12.5).ticks][:2] == ["0.0", "2.5"]


def test_a_pinned_end_stays_at_zero_and_a_single_value_gets_room():
    assert linear_scale(0, 40, pin_zero=True).low == 0
    assert linear_scale(0, 40).low < 0
    single = linear_scale(7, 7)
    assert single.low < 7 < single.high


def test_categories_sit_in_unit_slots_and_reverse_reads_from_the_top():
    scale = category_scale(["a", "b", "c"], reverse=True)
    assert scale.ticks == ((1.0, "a"), (2.0, "b"), (3.0, "c"))
    assert scale.share(1) > scale.share(3)  # "a" above "c"
    assert math.isclose(scale.share(0.5), 1.0) and math.isclose(scale.share(3.5), 0.0)


def test_box_numbers_are_quartiles_whiskers_within_one_and_a_half_iqr_and_outliers():
    values = np.array([*range(1, 10), 100.0])
    box = BoxStats.of(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert (box.q1, box.median, box.q3) == (q1, median, q3)
    assert (box.low, box.high) == (1.0, 9.0)
    assert box.outliers.tolist() == [100.0]
    assert box.extent(outliers=True) == (1.0, 100.0) and box.extent(outliers=False) == (1.0, 9.0)
    assert BoxStats.of(np.array([1.0, np.inf, np.nan, 3.0])).high == 3.0  # finite values only
    assert BoxStats.of(np.array([np.nan])).extent(outliers=True) == (0.0, 0.0)
    flat = BoxStats.of(np.array([5.0, 5.0, 5.0]))
    assert (flat.low, flat.q1, flat.median, flat.q3, flat.high) == (5.0,) * 5


def test_a_box_plot_lands_where_its_numbers_say():
    canvas = Canvas(200, 220)
    ax = Axes(canvas, (10, 10, 190, 210), category_scale(["one"]), Scale(0.0, 100.0))
    box_plot(ax, [BoxStats.of(np.array([0.0, 20.0, 40.0, 60.0, 80.0, 100.0]))], True, False)
    pixels = np.asarray(canvas.image)
    centre = ax.px(1, 0)[0]
    median_row = ax.px(1, 50)[1]
    assert tuple(pixels[median_row, centre]) == PALETTE[1]
    q3_row, q1_row = ax.px(1, 75)[1], ax.px(1, 25)[1]
    left_edge = ax.px(0.75, 0)[0]
    assert tuple(pixels[(q1_row + q3_row) // 2 + 5, left_edge]) == BLACK  # the box's side
    assert tuple(pixels[(q1_row + q3_row) // 2 + 5, left_edge - 3]) == WHITE
    assert tuple(pixels[ax.px(1, 90)[1], centre]) == BLACK  # the upper whisker
    assert tuple(pixels[ax.px(1, 90)[1], centre + 10]) == WHITE


def test_the_ramp_runs_through_its_stops():
    assert ramp_color(0.0) == RAMP[0] and ramp_color(1.0) == RAMP[-1]
    assert ramp_color(0.5) == RAMP[len(RAMP) // 2]
    assert ramp_color(-3.0) == RAMP[0] and ramp_color(7.0) == RAMP[-1]


def test_upright_text_reads_upwards():
    canvas = Canvas(100, 200)
    canvas.upright_text((50, 100), "solver effort")
    ink = np.argwhere(np.asarray(canvas.image.convert("L")) < 128)
    height, width = ink.max(axis=0) - ink.min(axis=0)
    assert height > 3 * width


rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "bb", "a_much_longer_subset_name"]),
        st.one_of(st.none(), st.integers(1, 10)),
        st.floats(0, 1e9, allow_nan=False),
        st.integers(0, 10**6),
        st.one_of(st.none(), st.floats(0, 1)),
        st.sampled_from(["hard", "easy"]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=25, deadline=None)
@given(rows, st.booleans(), st.lists(st.floats(0, 1), min_size=3, max_size=3))
def test_any_small_table_gives_every_figure(tmp_path_factory, data, graded, bar):
    """Whatever a version holds (one row, equal values, zeros beside huge efforts, no
    levels, no pass rates), every figure it supports is drawn, at least MIN_WIDTH wide."""
    import pyarrow as pa

    from factory.publish.card_figures import MIN_WIDTH, write_figures

    names = ["subset", "level", "solver_effort", "reference_chars", "pass_rate", "difficulty"]
    problems = pa.table(
        {name: list(column) for name, column in zip(names, zip(*data, strict=True), strict=True)}
    )
    directory = tmp_path_factory.mktemp("figures")
    figures = write_figures(
        directory, problems, {}, ["hard", "easy"] if graded else None, [("a 1", *bar)]
    )
    assert len(figures) >= 3
    for figure in figures:
        with Image.open(directory / figure.path) as image:
            assert image.mode == "RGB" and image.width >= MIN_WIDTH
