"""Difficulty formulas against hand-computed cases."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from factory.scoring.difficulty import (
    coefficient_of_variation,
    effort_percentiles,
    pass_rate,
)
from schemas.grading import DifficultyBuckets


@pytest.mark.parametrize(
    ("scores", "threshold", "expected"),
    [
        ([1, 0, 1, 1], 0.99, 0.75),
        ([0, 0, 0], 0.99, 0.0),
        ([1.0], 0.99, 1.0),
        ([0.99, 0.98, 1.0, 0.5], 0.99, 0.5),  # at the threshold passes, below fails
        ([0.6, 0.4], 0.5, 0.5),
    ],
)
def test_pass_rate(scores, threshold, expected):
    assert pass_rate(scores, threshold) == expected


def test_pass_rate_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="at least one score"):
        pass_rate([])


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([1, 0, 1, 1], math.sqrt(0.25 / 0.75)),  # 0.5774: binary sqrt((1 - p) / p)
        ([1, 0], 1.0),  # μ = 0.5, σ = 0.5
        ([1, 0, 0, 0], math.sqrt(3)),  # p = 0.25: sqrt(0.75 / 0.25)
        ([1, 1, 1], 0.0),
        ([0.5, 1.0], 0.25 / 0.75),  # μ = 0.75, σ = 0.25 (population)
        ([2, 4, 4, 4, 5, 5, 7, 9], 2 / 5),  # the textbook σ = 2, μ = 5
    ],
)
def test_coefficient_of_variation(scores, expected):
    assert coefficient_of_variation(scores) == pytest.approx(expected, rel=1e-12)


def test_cv_of_the_worked_example_to_four_places():
    assert round(coefficient_of_variation([1, 0, 1, 1]), 4) == 0.5774


def test_cv_is_none_when_every_score_is_zero():
    assert coefficient_of_variation([0, 0, 0, 0]) is None
    assert coefficient_of_variation([0.0]) is None


@pytest.mark.parametrize(
    ("rate", "bucket"),
    [
        (0.0, "never_solved"),
        (1e-9, "hard"),
        (0.25, "hard"),
        (0.2500001, "medium"),
        (0.5, "medium"),
        (0.75, "medium"),
        (0.7500001, "easy"),
        (0.9999, "easy"),
        (1.0, "always_solved"),
    ],
)
def test_default_buckets_at_the_edges(rate, bucket):
    assert DifficultyBuckets().bucket(rate) == bucket


def test_buckets_of_four_samples():
    buckets = DifficultyBuckets()
    rates = [pass_rate([1] * k + [0] * (4 - k)) for k in range(5)]
    assert [buckets.bucket(rate) for rate in rates] == [
        "never_solved",
        "hard",
        "medium",
        "medium",
        "always_solved",
    ]


def test_configured_buckets():
    buckets = DifficultyBuckets(
        never_solved="unsolved",
        always_solved="trivial",
        mixed_edges=(0.5,),
        mixed_names=("tough", "fair"),
    )
    assert buckets.names() == ["unsolved", "tough", "fair", "trivial"]
    assert [buckets.bucket(p) for p in (0, 0.5, 0.51, 1)] == buckets.names()
    assert DifficultyBuckets(mixed_edges=(), mixed_names=("mixed",)).bucket(0.3) == "mixed"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mixed_edges": (0.75, 0.25)}, "increase strictly"),
        ({"mixed_edges": (0.0, 0.5)}, "strictly between 0 and 1"),
        ({"mixed_edges": (0.5, 1.0)}, "strictly between 0 and 1"),
        ({"mixed_names": ("hard", "easy")}, "need 3 mixed_names"),
        ({"mixed_names": ("hard", "hard", "easy")}, "distinct"),
        ({"never_solved": "easy"}, "distinct"),
        ({"always_solved": ""}, "non-empty"),
        ({"edges": (0.5,)}, "Extra inputs"),
    ],
)
def test_invalid_buckets_are_rejected(fields, message):
    with pytest.raises(ValidationError, match=message):
        DifficultyBuckets(**fields)


@pytest.mark.parametrize("rate", [-0.1, 1.1, math.nan])
def test_a_pass_rate_outside_0_1_has_no_bucket(rate):
    with pytest.raises(ValueError, match="lies in"):
        DifficultyBuckets().bucket(rate)


def test_effort_percentiles_with_ties():
    # sorted: 1, 5, 5, 9 → below/equal: 1: 0/1, 5: 1/2, 9: 3/1
    assert effort_percentiles([5, 1, 9, 5]) == [0.5, 0.125, 0.875, 0.5]
    assert effort_percentiles([7, 7, 7]) == [0.5, 0.5, 0.5]
    assert effort_percentiles([42]) == [0.5]
    assert effort_percentiles([]) == []


def test_nan_effort_is_rejected():
    with pytest.raises(ValueError, match="NaN"):
        effort_percentiles([1.0, math.nan])
