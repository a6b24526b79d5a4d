"""Difficulty grading of a build: pass-rate buckets, and which problems a graded corpus keeps."""

from __future__ import annotations

from bisect import bisect_left

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DifficultyBuckets(BaseModel):
    """Pass rate → bucket name. The defaults, hardest first:

    ``never_solved`` (p = 0), ``hard`` (0 < p ≤ 0.25), ``medium`` (0.25 < p ≤ 0.75),
    ``easy`` (0.75 < p < 1), ``always_solved`` (p = 1).

    The two extremes are buckets of their own because they carry no training signal
    for RL and are what a graded corpus drops or caps; quartile edges between them
    keep the mixed band readable with the usual 4–16 samples per problem (with 4
    samples: 1 pass is hard, 2–3 medium). ``mixed_edges`` are the inclusive upper
    pass-rate bounds of all but the last of ``mixed_names``; the last runs up to (not
    including) 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    never_solved: str = "never_solved"
    always_solved: str = "always_solved"
    mixed_edges: tuple[float, ...] = (0.25, 0.75)
    mixed_names: tuple[str, ...] = ("hard", "medium", "easy")

    @model_validator(mode="after")
    def _check(self) -> DifficultyBuckets:
        edges = self.mixed_edges
        if any(not 0 < edge < 1 for edge in edges):
            raise ValueError(f"mixed_edges must lie strictly between 0 and 1, not {edges}")
        if any(a >= b for a, b in zip(edges, edges[1:], strict=False)):
            raise ValueError(f"mixed_edges must increase strictly, not {edges}")
        if len(self.mixed_names) != len(edges) + 1:
            raise ValueError(
                f"{len(edges)} mixed_edges need {len(edges) + 1} mixed_names, "
                f"not {len(self.mixed_names)}"
            )
        names = self.names()
        if len(set(names)) != len(names) or not all(names):
            raise ValueError(f"bucket names must be non-empty and distinct, not {names}")
        return self

    def names(self) -> list[str]:
        """Every bucket name, hardest first."""
        return [self.never_solved, *self.mixed_names, self.always_solved]

    def bucket(self, rate: float) -> str:
        if not 0 <= rate <= 1:
            raise ValueError(f"a pass rate lies in [0, 1], not {rate}")
        if rate == 0:
            return self.never_solved
        if rate == 1:
            return self.always_solved
        return self.mixed_names[bisect_left(self.mixed_edges, rate)]


class GradingConfig(BaseModel):
    """A difficulty-graded corpus: bucket each problem by its teacher pass rate, drop
    whole buckets, cap the others per subset. Needs a ``teacher`` (n samples each)."""

    model_config = ConfigDict(extra="forbid")

    buckets: DifficultyBuckets = Field(default_factory=DifficultyBuckets)
    pass_threshold: float = Field(default=0.99, gt=0.0, le=1.0, description="a sample passes")
    drop: list[str] = Field(
        default_factory=lambda: ["never_solved", "always_solved"],
        description="buckets left out entirely (no training signal when always or never solved)",
    )
    quotas: dict[str, int] = Field(
        default_factory=dict,
        description="bucket → most problems kept per subset; a bucket not named is not capped",
    )
    min_problems: int = Field(
        default=1,
        ge=0,
        description="the build fails when the selection keeps fewer problems (all subsets)",
    )

    @model_validator(mode="after")
    def _known_buckets(self) -> GradingConfig:
        names = self.buckets.names()
        for field, given in (("drop", self.drop), ("quotas", list(self.quotas))):
            unknown = [name for name in given if name not in names]
            if unknown:
                raise ValueError(f"{field}: unknown bucket(s) {unknown}; buckets are {names}")
        if any(quota < 0 for quota in self.quotas.values()):
            raise ValueError("quotas: a quota is a count >= 0")
        return self
