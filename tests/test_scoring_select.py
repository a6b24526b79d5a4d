"""Selection of a difficulty-graded corpus (pure) and its config checks."""

import pytest
from pydantic import ValidationError

from factory.config import parse_build_config
from factory.errors import ConfigError
from factory.scoring.select import Graded, select_problems
from schemas.grading import GradingConfig


def graded(pid, rate, cv=None, effort=1.0, subset="s"):
    return Graded(pid, subset, rate, cv, effort)


PROBLEMS = [
    graded("a", 0.0, effort=9),
    graded("b", 1.0, 0.0, effort=1),
    graded("c", 0.5, 1.0, effort=4),
    graded("d", 0.5, 1.0, effort=4),
    graded("e", 0.25, 1.7, effort=2),
    graded("f", 0.75, 0.58, effort=3),
    graded("g", 0.5, 1.0, effort=5, subset="t"),
]


def by_id(selections):
    return {s.problem_id: s for s in selections}


def test_default_grading_drops_never_and_always_solved():
    chosen = by_id(select_problems(PROBLEMS, GradingConfig()))
    assert [p for p, s in sorted(chosen.items()) if s.selected] == ["c", "d", "e", "f", "g"]
    assert chosen["a"].difficulty == "never_solved"
    assert chosen["a"].reason == "bucket never_solved is dropped"
    assert chosen["b"].difficulty == "always_solved"
    assert (chosen["e"].difficulty, chosen["c"].difficulty, chosen["f"].difficulty) == (
        "hard",
        "medium",
        "medium",
    )


def test_quotas_keep_the_most_mixed_outcomes_first_per_subset():
    grading = GradingConfig(quotas={"medium": 2}, drop=[])
    chosen = by_id(select_problems(PROBLEMS, grading))
    medium = {p for p, s in chosen.items() if s.difficulty == "medium" and s.subset == "s"}
    assert medium == {"c", "d", "f"}
    assert {p for p in medium if chosen[p].selected} == {"c", "d"}, "cv 1.0 beats cv 0.58"
    assert chosen["f"].reason == "over the medium quota of 2"
    assert chosen["g"].selected, "quotas count per subset"
    assert chosen["a"].selected and chosen["b"].selected


def test_effort_percentiles_are_ranked_within_each_subset():
    chosen = by_id(select_problems(PROBLEMS, GradingConfig()))
    assert chosen["b"].effort_percentile == pytest.approx(0.5 / 6, abs=1e-6)
    assert chosen["a"].effort_percentile == pytest.approx(5.5 / 6, abs=1e-6)
    assert chosen["c"].effort_percentile == chosen["d"].effort_percentile
    assert chosen["g"].effort_percentile == 0.5


def test_unknown_buckets_and_negative_quotas_are_refused():
    with pytest.raises(ValidationError, match="drop: unknown bucket"):
        GradingConfig(drop=["impossible"])
    with pytest.raises(ValidationError, match="quotas: unknown bucket"):
        GradingConfig(quotas={"tricky": 3})
    with pytest.raises(ValidationError, match="quota is a count"):
        GradingConfig(quotas={"hard": -1})


def test_grading_needs_a_teacher():
    data = {"name": "g", "tasks": [{"task": "knights_knaves", "count": 2}], "grading": {}}
    with pytest.raises(ConfigError, match="grading: needs a `teacher`"):
        parse_build_config(data)


def test_a_selection_below_min_problems_names_the_dropped_buckets():
    from factory.scoring.select import shortfall

    problems = [graded("a", 0.0), graded("b", 0.0), graded("c", 1.0)]
    grading = GradingConfig()
    why = shortfall(select_problems(problems, grading), grading)
    assert why is not None and "\n" not in why
    assert "keeps 0 of 3 problems" in why
    assert "never_solved held 2, always_solved held 1" in why
    mixed = [*problems, graded("d", 0.5)]
    assert shortfall(select_problems(mixed, grading), grading) is None
    capped = GradingConfig(drop=[], quotas={"never_solved": 1}, min_problems=4)
    why = shortfall(select_problems(mixed, capped), capped)
    assert "keeps 3 of 4" in why and "dropped buckets: none; over the never_solved quota: 1" in why
    none_needed = GradingConfig(min_problems=0)
    assert shortfall(select_problems(problems, none_needed), none_needed) is None
