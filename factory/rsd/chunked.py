"""Chunked RSD on any backend: the teacher drafts, the student checks the draft at once.

One round: the teacher drafts tokens from the current context, reporting its top-k at
each position; the student scores the draft in one request. Walking the draft, the token
rule runs on exactly the numbers token-by-token decoding would see — both models' outputs
at a position depend only on the context before it, and that context *is* the draft as
long as every emitted token equals the draft token. At the first position where the rule
emits something else, that token is kept and the next round starts from there.

Two engines share the walk:

- ``chunked``: the teacher drafts greedily and every candidate is the rule's own draw
  ``draw(seed, position, trial)``, so the output equals token-by-token RSD with the same
  draws (the tests prove it). A draft token survives when the draw picks the teacher's
  best token.
- ``sampled``: the teacher samples its draft with the rule's temperature, top_p and top-k,
  seeded per round (``rule.round_seed``), and its sampled token is the first candidate at
  each position (``rsd_step(first_candidate=...)``). A candidate is still one draw from
  the same distribution, so the traces are RSD's with the teacher's sampler as the source
  of the first draw; a draft token survives whenever the student accepts it, so rounds
  are long — the engine for servers.

The draft length adapts: ``draft_tokens`` at first (``DRAFT_GROWTH`` times that for the
sampled engine, which expects its drafts kept), ``DRAFT_GROWTH`` times longer (up to the
token budget) after a round that kept its whole draft, back to ``draft_tokens`` after one
that did not. It is a function of the sample's own history, so decoding stays
deterministic. Each round costs a teacher request and a student scoring of the whole
context (servers skip their prefix cache for prompt logprobs), so a long accepted run
should take few rounds; a draft about ``DRAFT_GROWTH - 1`` times as long as the run kept
before it bounds what a rejection wastes. The sampled engine reseeds the teacher at each
round's start, so this schedule is part of what its traces are.

The student's top-k at a position is needed only where the first candidate is not the
draft token or is rejected, and for the fallback. Backends that compute every position's
top-k in one pass give it with the scoring. Where each position's top-k is a request of
its own (``score_top_per_position``: HTTP servers) and the engine is ``sampled`` (whose
draft tokens are mostly kept), the round asks only the draft tokens' logprobs, and a
position's top-k is fetched when the rule needs it — batched across the samples in
flight. The greedy engine departs from most drafts, so it asks every position's top-k at
once: a fetch after the scoring would add a round trip to most rounds.

The student's probability of a candidate outside its reported top-k is only bounded by
the k-th logprob; when that bound is already below ``p_th`` the candidate is rejected
(the same decision), otherwise the student is asked for that one token.
"""

from __future__ import annotations

import collections
import itertools
import math
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Literal, NamedTuple

from factory.backends.base import (
    Backend,
    BackendError,
    GenerationRequest,
    RequestFailed,
    Sample,
    SamplingParams,
    ScoreRequest,
    TokenLogprob,
)
from factory.rsd.decoding import Emitted, RSDSample
from factory.rsd.rule import round_seed, rsd_step
from factory.rsd.vocab import SharedVocab
from schemas.config import RSDParams

DRAFT_GROWTH = 4
"""How much longer a draft is after a round that kept its whole draft."""

Fetch = tuple[Literal["teacher", "student"], GenerationRequest | ScoreRequest]
Walk = Generator[Fetch, "TokenLogprob | Drafted", None]
"""A sample walking its draft: it yields a one-position request whenever the rule needs a
model's top-k there, and is sent the answer."""


class Drafted(NamedTuple):
    """One draft token and, for greedy drafts, the teacher's top-k there."""

    token_id: int
    top: list[tuple[int, float]] | None


Draft = list[Drafted]


class Calls:
    """Model calls and drafted tokens of one sample (its pipeline counts from several
    threads)."""

    def __init__(self) -> None:
        self.teacher = self.student = self.drafted = 0
        self._lock = threading.Lock()

    def add(self, teacher: int = 0, student: int = 0, drafted: int = 0) -> None:
        with self._lock:
            self.teacher += teacher
            self.student += student
            self.drafted += drafted


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
    sampled: bool = False,
) -> RSDSample:
    """One sample (see :func:`decode_chunked_many` for many at once)."""
    job = Job(tuple(teacher_prompt), tuple(student_prompt), student_eos, seed)
    [(_, sample)] = list(decode_chunked_many(teacher, student, vocab, params, [job], 1, sampled))
    return sample


def decode_chunked_many(
    teacher: Backend,
    student: Backend,
    vocab: SharedVocab,
    params: RSDParams,
    jobs: Sequence[Job],
    in_flight: int = 64,
    sampled: bool = False,
) -> Iterator[tuple[int, RSDSample]]:
    """Yield ``(job index, sample)`` as each finishes, up to ``in_flight`` decoded at once.

    A sample's decisions depend only on its own context and draws, so each is what
    :func:`decode_chunked` alone gives, however the samples share the models:

    - in-process engines: the samples advance in lockstep rounds — one batched teacher
      ``generate`` drafts for every sample in flight, one batched student request scores
      every draft, then each sample walks its own draft (the top-k fetches the walks need
      are batched too);
    - when both backends take calls from several threads (``Backend.thread_safe``: HTTP
      servers), each sample runs its own pipeline of rounds (:class:`_Chain`), so drafts
      and scorings of different samples overlap and no sample waits for the slowest of a
      round.
    """
    samples = ((index, _Sample(job, params, sampled)) for index, job in enumerate(jobs))
    drafter = Drafter(teacher)
    if teacher.thread_safe and student.thread_safe and in_flight > 1:
        yield from _concurrently(drafter, student, vocab, samples, in_flight)
    else:
        yield from _in_lockstep(drafter, student, vocab, samples, in_flight)


def _in_lockstep(
    teacher: Drafter,
    student: Backend,
    vocab: SharedVocab,
    samples: Iterator[tuple[int, _Sample]],
    in_flight: int,
) -> Iterator[tuple[int, RSDSample]]:
    active: dict[int, _Sample] = {}
    while True:
        active.update(itertools.islice(samples, in_flight - len(active)))
        if not active:
            return
        _round(list(active.values()), teacher, student, vocab)
        for index in [i for i, sample in active.items() if sample.emitted.done]:
            yield index, active.pop(index).result()


def _concurrently(
    teacher: Drafter,
    student: Backend,
    vocab: SharedVocab,
    samples: Iterator[tuple[int, _Sample]],
    in_flight: int,
) -> Iterator[tuple[int, RSDSample]]:
    pending: dict[Future[RSDSample], int] = {}
    with (
        ThreadPoolExecutor(in_flight, thread_name_prefix="rsd-sample") as pool,
        ThreadPoolExecutor((MAX_AHEAD + 2) * in_flight, thread_name_prefix="rsd-ahead") as ahead,
    ):
        try:
            while True:
                for index, sample in itertools.islice(samples, in_flight - len(pending)):
                    chain = _Chain(sample, teacher, student, vocab, ahead)
                    pending[pool.submit(chain.decode)] = index
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


MAX_AHEAD = 3
"""Rounds a sample's pipeline may run ahead of the one being checked."""


@dataclass
class _Link:
    """One planned round: the context it drafts from (assuming every earlier round of its
    chain kept its whole draft), its length, and the draft with the student's scoring."""

    position: int
    length: int
    teacher_ids: tuple[int, ...]
    student_ids: tuple[int, ...]
    checked: Future[tuple[Draft, list[_Position]]]


class _Chain:
    """One sample's rounds, pipelined over thread-safe backends.

    A link drafts from the end of the previous link's draft — exactly what the next round
    asks if that draft is kept whole — as soon as that draft exists, so the teacher keeps
    drafting while the student scores behind it, up to ``MAX_AHEAD`` rounds ahead. When the
    rule departs from a draft, the links after it are dropped and a new chain starts from
    what was emitted. A chain runs ahead only when the last round kept its whole draft
    (from the first round for the sampled engine), so low acceptance wastes little.
    """

    def __init__(
        self,
        sample: _Sample,
        teacher: Drafter,
        student: Backend,
        vocab: SharedVocab,
        pool: ThreadPoolExecutor,
    ) -> None:
        self.sample, self.teacher, self.student, self.vocab = sample, teacher, student, vocab
        self.pool = pool
        self.links: collections.deque[_Link] = collections.deque()
        self.stopped = threading.Event()
        self.ahead = False

    def decode(self) -> RSDSample:
        sample, k = self.sample, self.sample.params.k
        while True:
            if not self.links:
                self._restart()
            draft, positions = self.links.popleft().checked.result()
            walk = sample.walk(draft, positions, self.student, self.vocab)
            _finish([walk], self.teacher, self.student, k)
            if sample.emitted.done:
                self.stopped.set()
                return sample.result()
            if not sample.kept_last:
                self._restart()

    def _restart(self) -> None:
        """A new chain from what was emitted; the old one's links are dropped."""
        self.stopped.set()
        self.links, self.stopped = collections.deque(), threading.Event()
        sample = self.sample
        self.ahead = sample.kept_last
        student_ids = (*sample.job.student_prompt, *sample.emitted.student_ids)
        teacher_ids = tuple(sample.emitted.teacher_ids)
        first = (sample.emitted.position, sample.length, teacher_ids, student_ids)
        self._plan(first, self.links, self.stopped)

    def _plan(
        self,
        start: tuple[int, int, tuple[int, ...], tuple[int, ...]],
        links: collections.deque[_Link],
        stopped: threading.Event,
    ) -> None:
        link = _Link(*start, checked=Future())
        links.append(link)
        self.pool.submit(self._run, link, links, stopped)

    def _run(self, link: _Link, links: collections.deque[_Link], stopped: threading.Event) -> None:
        sample = self.sample
        try:
            if _dropped(link, stopped):
                return
            request = sample.draft_at(link.position, link.length, link.teacher_ids)
            draft = self.teacher.drafts([request])[0]
            if _dropped(link, stopped):
                return
            self._extend(link, draft, links, stopped)
            continuation = _student_tokens(draft, self.vocab)
            scoring = ScoreRequest(prefix=link.student_ids, continuation=continuation)
            sample.calls.add(drafted=len(draft), student=1)
            lazy = sample.sampled and self.student.score_top_per_position
            positions = _score_drafts(self.student, [scoring], sample.params.k, lazy)
            link.checked.set_result((draft, positions[0]))
        except BaseException as error:  # handed to the sample's thread
            link.checked.set_exception(error)

    def _extend(
        self,
        link: _Link,
        draft: Draft,
        links: collections.deque[_Link],
        stopped: threading.Event,
    ) -> None:
        """Plan the round after ``link`` in its own chain, if its draft, kept whole,
        leaves one to run."""
        params = self.sample.params
        position = link.position + len(draft)
        student = [self.vocab.teacher_to_student.get(step.token_id) for step in draft]
        if (
            not self.ahead
            or stopped.is_set()
            or len(links) >= MAX_AHEAD
            or position >= params.max_tokens
            or len(draft) < min(link.length, params.max_tokens - link.position)
            or None in student
        ):
            return
        teacher_ids = (*link.teacher_ids, *(step.token_id for step in draft))
        length = _grown(params, link.length)
        start = (position, length, teacher_ids, (*link.student_ids, *student))
        self._plan(start, links, stopped)  # type: ignore[arg-type]


def _dropped(link: _Link, stopped: threading.Event) -> bool:
    """Whether the rule left ``link``'s chain, so nobody reads it (then it is cancelled):
    its draft is not asked, or not scored."""
    dropped = stopped.is_set()
    if dropped:
        link.checked.cancel()
    return dropped


def _round(samples: list[_Sample], teacher: Drafter, student: Backend, vocab: SharedVocab) -> None:
    """One round for every sample: draft, then check."""
    drafts = teacher.drafts([sample.draft_request() for sample in samples])
    _check(samples, drafts, teacher, student, vocab)


def _check(
    samples: list[_Sample],
    drafts: list[Draft],
    teacher: Drafter,
    student: Backend,
    vocab: SharedVocab,
) -> None:
    """The student scores every draft and each sample walks its own."""
    k = samples[0].params.k
    requests = [s.score_request(d, vocab) for s, d in zip(samples, drafts, strict=True)]
    lazy = samples[0].sampled and student.score_top_per_position
    scored = _score_drafts(student, requests, k, lazy)
    walks = [
        sample.walk(draft, positions, student, vocab)
        for sample, draft, positions in zip(samples, drafts, scored, strict=True)
    ]
    _finish(walks, teacher, student, k)


def _score_drafts(
    student: Backend, requests: list[ScoreRequest], k: int, lazy: bool
) -> list[list[_Position]]:
    """The student at every draft position: with its top-k, or (``lazy``) the draft
    tokens' logprobs alone, top-k fetched later where needed."""
    if lazy:
        return [
            [_Position.of_logprob(t, lp) for t, lp in zip(r.continuation, lps, strict=True)]
            for r, lps in zip(requests, student.score(requests), strict=True)
        ]
    return [
        [_Position.of_step(t, step) for t, step in zip(r.continuation, steps, strict=True)]
        for r, steps in zip(requests, student.score_top(requests, k), strict=True)
    ]


def _finish(walks: list[Walk], teacher: Drafter, student: Backend, k: int) -> None:
    """Run every walk to its end, answering the top-k requests they yield in batches (one
    teacher and one student call a pass)."""
    waiting = {index: fetch for index, walk in enumerate(walks) if (fetch := _resume(walk))}
    while waiting:
        asked = {
            model: [i for i, (wanted, _) in waiting.items() if wanted == model]
            for model in ("teacher", "student")
        }
        teacher_asks = [waiting[i][1] for i in asked["teacher"]]
        student_asks = [waiting[i][1] for i in asked["student"]]
        answers = dict(zip(asked["teacher"], _teacher_tops(teacher, teacher_asks), strict=True))
        answers.update(zip(asked["student"], _student_tops(student, student_asks, k), strict=True))
        waiting = {
            i: fetch for i, answer in answers.items() if (fetch := _resume(walks[i], answer))
        }


def _teacher_tops(teacher: Drafter, requests: list) -> list[Drafted]:
    """The teacher's top-k where each request (one greedy token) ends."""
    return [draft[0] for draft in teacher.drafts(requests)] if requests else []


def _student_tops(student: Backend, requests: list, k: int) -> list[TokenLogprob]:
    """The student's top-k at each request's one continuation position."""
    return [steps[0] for steps in student.score_top(requests, k)] if requests else []


def _resume(walk: Walk, answer: TokenLogprob | Drafted | None = None) -> Fetch | None:
    try:
        return next(walk) if answer is None else walk.send(answer)
    except StopIteration:
        return None


class _TopNeeded(Exception):
    """The rule needs a model's top-k at a position where it is not fetched yet."""

    def __init__(self, model: Literal["teacher", "student"]) -> None:
        super().__init__(model)
        self.model = model


class _TeacherTop:
    """The teacher's top-k at one draft position, where known (greedy drafts carry it;
    sampled ones do not, and it is fetched when the rule asks)."""

    def __init__(self, pairs: list[tuple[int, float]] | None) -> None:
        self.pairs = pairs

    def __call__(self) -> list[tuple[int, float]]:
        if self.pairs is None:
            raise _TopNeeded("teacher")
        return self.pairs


class _Position:
    """What is known of the student at one draft position."""

    def __init__(self, token: int, known: dict[int, float], top: list | None) -> None:
        self.token = token  # the token scored here: the draft's, or a stand-in (unshared)
        self.known = known  # student token id -> raw logprob
        self.top: list[tuple[int, float]] | None = top

    @classmethod
    def of_logprob(cls, token: int, logprob: float) -> _Position:
        return cls(token, {token: logprob}, None)

    @classmethod
    def of_step(cls, token: int, step: TokenLogprob) -> _Position:
        position = cls(token, {token: step.logprob}, None)
        position.fill(step)
        return position

    def fill(self, step: TokenLogprob) -> None:
        self.top = _pairs(step)
        self.known.update(self.top)
        self.known.setdefault(self.token, step.logprob)

    def top_k(self) -> list[tuple[int, float]]:
        if self.top is None:
            raise _TopNeeded("student")
        return self.top


class _Sample:
    """One sample's decoding state between rounds."""

    def __init__(self, job: Job, params: RSDParams, sampled: bool) -> None:
        self.job = job
        self.params = params
        self.sampled = sampled
        # The last round kept its whole draft: the sampled engine expects it, so it runs
        # ahead from the first round and starts with the draft that follows a kept one.
        self.kept_last = sampled
        self.length = _grown(params, params.draft_tokens) if sampled else params.draft_tokens
        self.emitted = Emitted(job.student_eos, params.max_tokens)
        self.calls = Calls()

    def draft_request(self) -> GenerationRequest:
        """The current round's draft request."""
        return self.draft_at(self.emitted.position, self.length, self.emitted.teacher_ids)

    def draft_at(self, position: int, length: int, teacher_ids: Sequence[int]) -> GenerationRequest:
        """The draft request of a round at ``position`` after ``teacher_ids``."""
        params = self.params
        self.calls.add(teacher=1)
        length = min(length, params.max_tokens - position)
        if self.sampled:
            sampling = SamplingParams(
                temperature=params.temperature,
                top_p=params.top_p,
                top_k=params.k,
                max_tokens=length,
                # No logprobs: the tokens are the sample's ids (see Drafter), the teacher's
                # top-k is fetched where a draft token is rejected.
                seed=round_seed(self.job.seed, position),
            )
        else:
            sampling = SamplingParams(temperature=0.0, max_tokens=length, logprobs=params.k)
        return GenerationRequest(
            prompt_token_ids=(*self.job.teacher_prompt, *teacher_ids), params=sampling
        )

    def score_request(self, draft: Draft, vocab: SharedVocab) -> ScoreRequest:
        self.calls.add(drafted=len(draft), student=1)
        return ScoreRequest(
            prefix=self._student_context(), continuation=_student_tokens(draft, vocab)
        )

    def walk(
        self,
        draft: Draft,
        positions: list[_Position],
        student: Backend,
        vocab: SharedVocab,
    ) -> Walk:
        """Emit tokens along the draft until the rule departs from it (or decoding ends)."""
        emitted, params = self.emitted, self.params
        kept = 0
        for teacher_step, position in zip(draft, positions, strict=False):
            lookup = _StudentLookup(student, position, self._student_context, params, self.calls)
            teacher_top = _TeacherTop(None if self.sampled else teacher_step.top)
            while True:
                try:
                    step = rsd_step(
                        params,
                        self.job.seed,
                        emitted.position,
                        teacher_top,
                        position.top_k,
                        lookup,
                        vocab.teacher_to_student,
                        vocab.student_to_teacher,
                        teacher_step.token_id if self.sampled else None,
                    )
                    break
                except _TopNeeded as needed:
                    if needed.model == "student":
                        self.calls.add(student=1)
                        context = self._student_context()
                        request = ScoreRequest(prefix=context, continuation=(position.token,))
                        answer = yield "student", request
                        assert isinstance(answer, TokenLogprob)
                        position.fill(answer)
                    else:
                        answer = yield "teacher", self._top_request()
                        assert isinstance(answer, Drafted)
                        teacher_top.pairs = answer.top
            emitted.add(step)
            if emitted.done or step.teacher_id != teacher_step.token_id:
                break
            kept += 1
        self.kept_last = kept == len(draft)
        self.length = _grown(params, self.length) if self.kept_last else params.draft_tokens

    def _top_request(self) -> GenerationRequest:
        """The teacher's top-k at the current position: one greedy token with its top-k."""
        self.calls.add(teacher=1)
        sampling = SamplingParams(temperature=0.0, max_tokens=1, logprobs=self.params.k)
        context = (*self.job.teacher_prompt, *self.emitted.teacher_ids)
        return GenerationRequest(prompt_token_ids=context, params=sampling)

    def _student_context(self) -> tuple[int, ...]:
        return (*self.job.student_prompt, *self.emitted.student_ids)

    def result(self) -> RSDSample:
        return self.emitted.sample(self.calls.teacher, self.calls.student, self.calls.drafted)


def _grown(params: RSDParams, length: int) -> int:
    """The draft length after a round of ``length`` that kept its whole draft."""
    return min(DRAFT_GROWTH * length, params.max_tokens)


class Drafter:
    """The teacher's drafts, in request order.

    A sampled draft asks no logprobs (on the CPU vLLM server, ``logprobs: 0`` made 8
    concurrent drafts take 1.5-3 times as long): its tokens are the sample's token ids.
    A backend that returns no ids without logprobs (a server without vLLM's
    ``return_token_ids``) is asked again with ``logprobs: 0``, whose steps carry the
    ids, and asked that way from then on.
    """

    def __init__(self, teacher: Backend) -> None:
        self.teacher = teacher
        self.ids_without_logprobs = True

    def drafts(self, requests: list[GenerationRequest]) -> list[Draft]:
        if not self.ids_without_logprobs:
            requests = [_with_logprobs(request) for request in requests]
        drafts: list[Draft | None] = [None] * len(requests)
        for index, generation in self.teacher.generate(requests):
            if isinstance(generation, RequestFailed):
                name = self.teacher.name
                raise BackendError(f"model {name}: an RSD draft failed: {generation.error}")
            drafts[index] = _draft(generation.samples[0])
        missing = [index for index, draft in enumerate(drafts) if draft is None]
        if missing and self.ids_without_logprobs:
            self.ids_without_logprobs = False
            again = self.drafts([requests[index] for index in missing])
            for index, draft in zip(missing, again, strict=True):
                drafts[index] = draft
        found = [draft for draft in drafts if draft is not None]
        if len(found) < len(drafts):
            raise BackendError(f"model {self.teacher.name}: an RSD draft came without tokens")
        return found


def _draft(sample: Sample) -> Draft | None:
    """A sample's tokens with their top-k where it has logprobs, else its token ids."""
    if sample.logprobs is not None:
        return [Drafted(step.token_id, _pairs(step)) for step in sample.logprobs]
    if sample.token_ids is not None:
        return [Drafted(token, None) for token in sample.token_ids]
    return None


def _with_logprobs(request: GenerationRequest) -> GenerationRequest:
    if request.params.logprobs is not None:
        return request
    params = request.params.model_copy(update={"logprobs": 0})
    return request.model_copy(update={"params": params})


def _student_tokens(draft: Draft, vocab: SharedVocab) -> tuple[int, ...]:
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
    """The student's raw logprob of a token at one position."""

    def __init__(
        self,
        student: Backend,
        position: _Position,
        context: Callable[[], tuple[int, ...]],
        params: RSDParams,
        calls: Calls,
    ) -> None:
        self.student = student
        self.position = position
        self.context = context
        self.params = params
        self.calls = calls

    def __call__(self, token: int) -> float:
        known = self.position.known
        if token in known:
            return known[token]
        top = self.position.top_k()
        bound = min(value for _, value in top)  # the k-th best: above any token outside
        if len(top) >= self.params.k and bound < math.log(self.params.p_th):
            return bound  # an upper bound that already rejects: the same decision
        self.calls.add(student=1)
        scored = self.student.score([ScoreRequest(prefix=self.context(), continuation=(token,))])
        known[token] = scored[0][0]
        return known[token]
