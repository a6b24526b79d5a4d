"""The chunked engines' draft schedule, on scripted models (no model stack needed).

The teacher drafts a fixed token per position (``REJECTED`` at one position); the
student accepts every token but that one. So the rounds are known in advance: the
sampled engine starts at ``DRAFT_GROWTH`` times ``draft_tokens``, drafts grow
``DRAFT_GROWTH``-fold while kept whole, up to the token budget, and restart at
``draft_tokens`` after the rejection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from factory.backends.base import (
    Backend,
    Generation,
    GenerationRequest,
    RequestFailed,
    Sample,
    ScoreRequest,
    Tokenizer,
    TokenLogprob,
)
from factory.rsd.chunked import DRAFT_GROWTH, Job, decode_chunked_many
from factory.rsd.vocab import SharedVocab
from schemas.config import RSDParams

PROMPT = (0,)
REJECTED = 9  # the token the student refuses; its fallback emits FALLBACK instead
FALLBACK = 2
PARAMS = RSDParams(max_tokens=128, draft_tokens=8)
VOCAB = SharedVocab({t: t for t in range(10)}, {t: t for t in range(10)}, 1.0)


def teacher_token(position: int, rejected_at: int) -> int:
    return REJECTED if position == rejected_at else 1 + position % 5


class ScriptedTeacher(Backend):
    """Drafts ``teacher_token`` at each position and records every sampled draft as
    (position, length), and the logprobs it asked. A draft asked without logprobs
    carries its token ids, unless ``ids`` is false (a server without vLLM's
    ``return_token_ids``). ``hold_at``: a draft from that position waits until
    ``releases`` drafts from ``release_at`` were asked (every sample restarted after the
    rejection)."""

    name = "teacher"

    def __init__(
        self,
        rejected_at: int,
        thread_safe: bool,
        hold_at: int = -1,
        release_at: int = -1,
        releases: int = 1,
        ids: bool = True,
    ) -> None:
        self.rejected_at = rejected_at
        self.ids = ids
        self.asked: list[int | None] = []
        self.thread_safe = thread_safe
        self.hold_at, self.release_at, self.releases = hold_at, release_at, releases
        self.released = threading.Event()
        self.drafts: list[tuple[int, int]] = []
        self._lock = threading.Lock()

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        for index, request in enumerate(requests):
            position = len(request.prompt_token_ids) - len(PROMPT)
            length = request.params.max_tokens
            with self._lock:
                if request.params.temperature > 0:
                    self.drafts.append((position, length))
                    self.asked.append(request.params.logprobs)
                if request.params.temperature > 0 and position == self.release_at:
                    self.releases -= 1
                    if self.releases == 0:
                        self.released.set()
            if position == self.hold_at:
                assert self.released.wait(10)
            tokens = [
                teacher_token(p, self.rejected_at) for p in range(position, position + length)
            ]
            steps = tuple(
                TokenLogprob(token="", token_id=t, logprob=0.0, top=(("", 0.0),), top_ids=(t,))
                for t in tokens
            )
            if request.params.logprobs is not None:
                sample = Sample(text="", finish_reason="length", num_tokens=length, logprobs=steps)
            else:
                ids = tuple(tokens) if self.ids else None
                sample = Sample(text="", finish_reason="length", num_tokens=length, token_ids=ids)
            yield index, Generation(samples=(sample,), prompt_tokens=len(request.prompt_token_ids))

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        raise AssertionError("the teacher only drafts")

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        raise AssertionError("the teacher only drafts")

    def tokenizer(self) -> Tokenizer:
        raise AssertionError("not needed")


class ScriptedStudent(Backend):
    """Gives ``REJECTED`` a logprob far below p_th and everything else -0.1; its top-k is
    ``FALLBACK`` alone. Records the context length of every scoring."""

    name = "student"

    def __init__(self, thread_safe: bool) -> None:
        self.thread_safe = thread_safe
        self.scored: list[int] = []

    def score(self, requests: Sequence[ScoreRequest]) -> list[list[float]]:
        return [[step.logprob for step in steps] for steps in self.score_top(requests, 1)]

    def score_top(self, requests: Sequence[ScoreRequest], k: int) -> list[list[TokenLogprob]]:
        self.scored.extend(len(r.prefix) - len(PROMPT) for r in requests)
        return [
            [
                TokenLogprob(
                    token="",
                    token_id=t,
                    logprob=-20.0 if t == REJECTED else -0.1,
                    top=(("", -0.1),),
                    top_ids=(FALLBACK,),
                )
                for t in r.continuation
            ]
            for r in requests
        ]

    def generate(
        self, requests: Sequence[GenerationRequest]
    ) -> Iterator[tuple[int, Generation | RequestFailed]]:
        raise AssertionError("the student only scores")

    def tokenizer(self) -> Tokenizer:
        raise AssertionError("not needed")


def decode(teacher: Backend, student: Backend, in_flight: int) -> list[int]:
    jobs = [Job(PROMPT, PROMPT, None, 0)] * in_flight
    samples = dict(decode_chunked_many(teacher, student, VOCAB, PARAMS, jobs, in_flight, True))
    assert len({samples[i].token_ids for i in samples}) == 1
    return list(samples[0].token_ids)


def expected_tokens(rejected_at: int) -> list[int]:
    tokens = [teacher_token(p, rejected_at) for p in range(PARAMS.max_tokens)]
    tokens[rejected_at] = FALLBACK
    return tokens


def test_drafts_grow_while_kept_whole_up_to_the_budget_and_restart_after_a_rejection():
    teacher, student = ScriptedTeacher(50, False), ScriptedStudent(False)
    assert decode(teacher, student, 1) == expected_tokens(50)
    assert DRAFT_GROWTH == 4
    # 32 kept, 96 (the budget's rest) rejected at 50; then 8, 32 and the rest
    assert teacher.drafts == [(0, 32), (32, 96), (51, 8), (59, 32), (91, 37)]


def test_sampled_drafts_are_token_ids_and_logprobs_only_where_the_server_gives_no_ids():
    """Sampled drafts ask no logprobs and read the samples' token ids. A teacher that
    returns no ids is asked again with ``logprobs: 0`` (whose steps carry them), and that
    way from then on: the same tokens either way."""
    with_ids = ScriptedTeacher(50, False)
    assert decode(with_ids, ScriptedStudent(False), 1) == expected_tokens(50)
    assert with_ids.asked == [None] * 5
    without_ids = ScriptedTeacher(50, False, ids=False)
    assert decode(without_ids, ScriptedStudent(False), 1) == expected_tokens(50)
    assert without_ids.asked == [None] + [0] * 5
    assert without_ids.drafts == [with_ids.drafts[0], *with_ids.drafts]


@pytest.mark.parametrize("in_flight", [1, 3])
def test_pipelined_samples_draft_and_decide_as_in_lockstep(in_flight):
    teacher, student = ScriptedTeacher(50, True), ScriptedStudent(True)
    assert decode(teacher, student, in_flight) == expected_tokens(50)
    assert sorted(set(teacher.drafts)) == [(0, 32), (32, 96), (51, 8), (59, 32), (91, 37)]


def test_a_draft_planned_ahead_of_a_rejected_one_is_not_scored():
    """Rejected at 20: the round planned from 32 (drafted while the first round was
    checked) is dropped; its draft, answered only once the chain restarted at 21, is
    never scored."""
    teacher = ScriptedTeacher(20, True, hold_at=32, release_at=21, releases=2)
    student = ScriptedStudent(True)
    assert decode(teacher, student, 2) == expected_tokens(20)
    assert (32, 96) in teacher.drafts
    assert 32 not in student.scored
    assert sorted(set(student.scored)) == [0, 21, 29, 61]


def test_the_sampled_engines_cache_key_names_its_draft_schedule(monkeypatch):
    """Its tokens depend on the schedule (each round reseeds the teacher): samples cached
    under another schedule must not be reused. The other engines' tokens do not."""
    from factory.rsd import stage
    from schemas.config import RSDConfig
    from schemas.records import Problem

    problem = Problem(
        problem_id="p",
        task="t",
        generator_version="1",
        seed=1,
        index=0,
        level=None,
        config={},
        prompt="q",
        answer="a",
        payload={},
    )
    models = {
        "teacher": {"backend": "vllm", "model": "t"},
        "student": {"backend": "vllm", "model": "s"},
    }

    def keys() -> dict[str, str]:
        return {
            engine: stage.sample_key(RSDConfig(engine=engine, **models), "ids", problem, 7)
            for engine in ("sampled", "chunked")
        }

    before = keys()
    monkeypatch.setattr(stage, "DRAFT_GROWTH", DRAFT_GROWTH + 1)
    after = keys()
    assert after["sampled"] != before["sampled"]
    assert after["chunked"] == before["chunked"]
