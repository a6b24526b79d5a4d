"""What an RSD engine produces for one sample, and the bookkeeping both engines share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from factory.rsd.rule import Step

TEACHER_MARK = "T"
STUDENT_MARK = "S"


class RSDSample(BaseModel):
    """One decoded sample, in the student's token ids (cached as it is)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_ids: tuple[int, ...]
    provenance: str  # one TEACHER_MARK / STUDENT_MARK per emitted token
    finish_reason: str  # "stop" (student end of sequence) or "length"
    candidate_draws: int
    teacher_calls: int
    student_calls: int
    drafted: int = 0  # chunked engine: teacher draft tokens proposed

    @property
    def draft_acceptance(self) -> float | None:
        """Share of drafted tokens the rule emitted as they were (chunked engine)."""
        kept = len(self.token_ids) + (self.finish_reason == "stop")
        return min(kept / self.drafted, 1.0) if self.drafted else None

    @property
    def fallback_share(self) -> float:
        return self.provenance.count(STUDENT_MARK) / max(len(self.provenance), 1)

    @property
    def acceptance_rate(self) -> float:
        """Teacher candidates accepted per candidate drawn."""
        return self.provenance.count(TEACHER_MARK) / max(self.candidate_draws, 1)


class Emitted:
    """Tokens emitted so far; knows when decoding must stop."""

    def __init__(self, student_eos: int | None, max_tokens: int) -> None:
        self.student_eos = student_eos
        self.max_tokens = max_tokens
        self.teacher_ids: list[int] = []
        self.student_ids: list[int] = []
        self.marks: list[str] = []
        self.draws = 0
        self.finish_reason: str | None = None

    def add(self, step: Step) -> None:
        self.draws += step.trials
        if step.student_id == self.student_eos:
            self.finish_reason = "stop"
            return
        self.teacher_ids.append(step.teacher_id)
        self.student_ids.append(step.student_id)
        self.marks.append(TEACHER_MARK if step.from_teacher else STUDENT_MARK)
        if len(self.student_ids) >= self.max_tokens:
            self.finish_reason = "length"

    @property
    def done(self) -> bool:
        return self.finish_reason is not None

    @property
    def position(self) -> int:
        return len(self.student_ids)

    def sample(self, teacher_calls: int, student_calls: int, drafted: int = 0) -> RSDSample:
        return RSDSample(
            drafted=drafted,
            token_ids=tuple(self.student_ids),
            provenance="".join(self.marks),
            finish_reason=self.finish_reason or "length",
            candidate_draws=self.draws,
            teacher_calls=teacher_calls,
            student_calls=student_calls,
        )
