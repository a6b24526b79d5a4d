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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from factory.backends.base import (
    Backend,
    BackendError,
    GenerationRequest,
    RequestFailed,
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


@dataclass(frozen=True)
class Job:
    """One sample to decode: both models' prompt ids, the student's eos, its seed."""

    teacher_prompt: tuple[int, ...]
    student_prompt: tuple[int, ...]
    student_eos: int | None
    seed: int


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
    """One sample (see :func:`decode_chunked_many` for many at once)."""
    job = Job(tuple(teacher_prompt), tuple(student_prompt), student_eos, seed)
    [(_, sample)] = list(decode_chunked_many(teacher, student, vocab, params, [job]))
    return sample


def decode_chunked_many(
    teacher: Backend,
    student: Backend,
    vocab: SharedVocab,
    params: RSDParams,
    jobs: Sequence[Job],
    in_flight: int = 64,
) -> Iterator[tuple[int, RSDSample]]:
    """Yield ``(job index, sample)`` as each finishes, up to ``in_flight`` decoded at once.

    The samples advance in lockstep rounds: one batched teacher ``generate`` drafts for
    every sample in flight, one batched student ``score_top`` scores every draft, then
    each sample walks its own draft. A sample's decisions depend only on its own
    context and draws, so each is what :func:`decode_chunked` alone gives; batching is
    what lets an engine (or an HTTP server, asked concurrently) stay busy.
    """
    queue = iter(enumerate(jobs))
    active: dict[int, _Sample] = {}
    while True:
        while len(active) < in_flight:
            item = next(queue, None)
            if item is None:
                break
            active[item[0]] = _Sample(item[1], params)
        if not active:
            return
        order = list(active)
        drafts = _drafts(teacher, [active[i].draft_request() for i in order], params.k)
        scored = student.score_top(
            [active[i].score_request(draft, vocab) for i, draft in zip(order, drafts, strict=True)],
            params.k,
        )
        for i, draft, steps in zip(order, drafts, scored, strict=True):
            sample = active[i]
            sample.walk(draft, steps, student, vocab)
            if sample.emitted.done:
                del active[i]
                yield i, sample.result()


class _Sample:
    """One sample's decoding state between rounds."""

    def __init__(self, job: Job, params: RSDParams) -> None:
        self.job = job
        self.params = params
        self.emitted = Emitted(job.student_eos, params.max_tokens)
        self.calls = Calls()

    def draft_request(self) -> GenerationRequest:
        length = min(self.params.draft_tokens, self.params.max_tokens - self.emitted.position)
        return GenerationRequest(
            prompt_token_ids=(*self.job.teacher_prompt, *self.emitted.teacher_ids),
            params=SamplingParams(temperature=0.0, max_tokens=length, logprobs=self.params.k),
        )

    def score_request(self, draft: list[TokenLogprob], vocab: SharedVocab) -> ScoreRequest:
        self.calls.teacher += 1
        self.calls.drafted += len(draft)
        self.calls.student += 1
        context = (*self.job.student_prompt, *self.emitted.student_ids)
        return ScoreRequest(prefix=context, continuation=_student_tokens(draft, vocab))

    def walk(
        self,
        draft: list[TokenLogprob],
        scored: list[TokenLogprob],
        student: Backend,
        vocab: SharedVocab,
    ) -> None:
        """Emit tokens along the draft until the rule departs from it (or decoding ends)."""
        emitted, params = self.emitted, self.params
        for teacher_step, student_step in zip(draft, scored, strict=False):
            step = rsd_step(
                params,
                self.job.seed,
                emitted.position,
                _pairs(teacher_step),
                _pairs(student_step),
                _StudentLookup(
                    student, student_step, self.job.student_prompt, emitted, params, self.calls
                ),
                vocab.teacher_to_student,
                vocab.student_to_teacher,
            )
            emitted.add(step)
            if emitted.done or step.teacher_id != teacher_step.token_id:
                break

    def result(self) -> RSDSample:
        return self.emitted.sample(self.calls.teacher, self.calls.student, self.calls.drafted)


def _drafts(
    teacher: Backend, requests: list[GenerationRequest], k: int
) -> list[list[TokenLogprob]]:
    """Every request's greedy draft with its top-k, in request order."""
    drafts: list[list[TokenLogprob]] = [[] for _ in requests]
    for index, generation in teacher.generate(requests):
        if isinstance(generation, RequestFailed):
            raise BackendError(f"model {teacher.name}: an RSD draft failed: {generation.error}")
        drafts[index] = list(generation.samples[0].logprobs or ())
    return drafts


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
