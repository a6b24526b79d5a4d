"""Chunked RSD on any backend: the teacher drafts, the student scores the draft at once.

One round: the teacher greedily drafts ``draft_tokens`` tokens from the current context,
reporting its top-k at each position; the student scores the draft in one pass
(``score_top``), giving its top-k and the draft token's logprob at each position. Walking
the draft, the token rule runs on exactly the numbers token-by-token decoding would see
— both models' outputs at a position depend only on the context before it, and that
context *is* the draft as long as every emitted token equals the draft token. At the
first position where the rule emits something else, that token is kept and the next
round starts from there. So the output equals token-by-token RSD with the same draws,
while most model calls disappear when the teacher's draft is usually what the rule
emits.

The student's probability of a candidate outside its reported top-k is only bounded by
the k-th logprob; when that bound is already below ``p_th`` the candidate is rejected
(the same decision), otherwise the student is asked for that one token.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from factory.backends.base import (
    Backend,
    GenerationRequest,
    SamplingParams,
    ScoreRequest,
    TokenLogprob,
)
from factory.rsd.decoding import Emitted, RSDSample
from factory.rsd.rule import rsd_step
from factory.rsd.vocab import SharedVocab
from schemas.config import RSDParams


@dataclass
class Calls:
    teacher: int = 0
    student: int = 0
    drafted: int = 0


def decode_chunked(
    teacher: Backend,
    student: Backend,
    vocab: SharedVocab,
    params: RSDParams,
    teacher_prompt: Sequence[int],
    student_prompt: Sequence[int],
    student_eos: int | None,
    seed: int,
) -> RSDSample:
    emitted = Emitted(student_eos, params.max_tokens)
    calls = Calls()
    while not emitted.done:
        draft_length = min(params.draft_tokens, params.max_tokens - emitted.position)
        draft = _draft(teacher, [*teacher_prompt, *emitted.teacher_ids], draft_length, params.k)
        calls.teacher += 1
        calls.drafted += len(draft)
        context = [*student_prompt, *emitted.student_ids]
        scored = student.score_top(
            [ScoreRequest(prefix=tuple(context), continuation=_student_tokens(draft, vocab))],
            params.k,
        )[0]
        calls.student += 1
        for teacher_step, student_step in zip(draft, scored, strict=False):
            step = rsd_step(
                params,
                seed,
                emitted.position,
                _pairs(teacher_step),
                _pairs(student_step),
                _StudentLookup(student, student_step, student_prompt, emitted, params, calls),
                vocab.teacher_to_student,
                vocab.student_to_teacher,
            )
            emitted.add(step)
            if emitted.done or step.teacher_id != teacher_step.token_id:
                break
    return emitted.sample(calls.teacher, calls.student, calls.drafted)


def _draft(teacher: Backend, context: list[int], length: int, k: int) -> list[TokenLogprob]:
    request = GenerationRequest(
        prompt_token_ids=tuple(context),
        params=SamplingParams(temperature=0.0, max_tokens=length, logprobs=k),
    )
    (_, generation), *_ = list(teacher.generate([request]))
    return list(generation.samples[0].logprobs or ())


def _student_tokens(draft: list[TokenLogprob], vocab: SharedVocab) -> tuple[int, ...]:
    """The draft in student ids, up to (and standing in for) the first unshared token: the
    student's top-k at a position does not depend on the token placed there."""
    tokens = []
    for step in draft:
        student_id = vocab.teacher_to_student.get(step.token_id)
        if student_id is None:
            tokens.append(next(iter(vocab.student_to_teacher)))
            break
        tokens.append(student_id)
    return tuple(tokens)


def _pairs(step: TokenLogprob) -> list[tuple[int, float]]:
    return [(token, value) for token, (_, value) in zip(step.top_ids or (), step.top, strict=True)]


class _StudentLookup:
    """The student's raw logprob of a token at the current position."""

    def __init__(
        self,
        student: Backend,
        step: TokenLogprob,
        student_prompt: Sequence[int],
        emitted: Emitted,
        params: RSDParams,
        calls: Calls,
    ) -> None:
        self.known = dict(_pairs(step))
        if step.token_id is not None:
            self.known[step.token_id] = step.logprob
        self.student = student
        self.student_prompt = student_prompt
        self.emitted = emitted
        self.params = params
        self.calls = calls

    def __call__(self, token: int) -> float:
        if token in self.known:
            return self.known[token]
        bound = min(self.known.values())
        if bound < math.log(self.params.p_th):
            return bound  # an upper bound that already rejects: the same decision
        self.calls.student += 1
        prefix = (*self.student_prompt, *self.emitted.student_ids)
        return self.student.score([ScoreRequest(prefix=prefix, continuation=(token,))])[0][0]
