"""RSD on tiny test-built models: both engines, the rule's limits, resume, a whole build."""

from __future__ import annotations

import math
import threading

import pyarrow.parquet as pq
import pytest

from factory.backends.base import BackendError, ScoreRequest
from factory.backends.hf_tokenizer import load_hf_tokenizer
from factory.rsd.chunked import decode_chunked
from factory.rsd.decoding import STUDENT_MARK, TEACHER_MARK
from factory.rsd.runner import RSDRunner, prompt_ids
from factory.rsd.vocab import SharedVocab
from schemas.config import PromptStyle, RSDConfig, RSDParams
from tests.backend_wrappers import WrappedBackend

pytestmark = pytest.mark.models

PROMPTS = [
    "Alice says that Bob is a knave. Who is a knight?",
    "Use 3, 4, 6 and 8 to make 24.",
    "Bob says: Carol and I are of the same kind.",
]
PARAMS = RSDParams(max_tokens=40)


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    return load_hf_tokenizer(str(tiny_model_dir), "tiny")


@pytest.fixture(scope="module")
def vocab(tokenizer):
    return SharedVocab.build(tokenizer.vocab(), tokenizer.vocab(), 0.9)


@pytest.fixture(scope="module")
def step_models(tiny_model_dir, close_student_dir, far_student_dir):
    from factory.rsd.token_engine import StepModel

    return {
        name: StepModel(str(path), dtype="float64")
        for name, path in [
            ("teacher", tiny_model_dir),
            ("close", close_student_dir),
            ("far", far_student_dir),
        ]
    }


@pytest.fixture(scope="module")
def backends(tiny_model_dir, close_student_dir, far_student_dir):
    from factory.backends.transformers_backend import TransformersBackend

    loaded = {
        name: TransformersBackend(str(path), dtype="float64")
        for name, path in [
            ("teacher", tiny_model_dir),
            ("close", close_student_dir),
            ("far", far_student_dir),
        ]
    }
    yield loaded
    for backend in loaded.values():
        backend.close()


def ids(tokenizer, prompt):
    return prompt_ids(tokenizer, PromptStyle(), prompt)


def token_by_token(step_models, student, tokenizer, vocab, prompt, seed, params=PARAMS):
    from factory.rsd.token_engine import decode_token_by_token

    prompt_tokens = ids(tokenizer, prompt)
    return decode_token_by_token(
        step_models["teacher"],
        step_models[student],
        vocab,
        params,
        prompt_tokens,
        prompt_tokens,
        tokenizer.eos_token_id,
        seed,
    )


def test_threshold_zero_is_plain_teacher_sampling(step_models, tokenizer, vocab):
    from factory.rsd.token_engine import decode_plain

    params = PARAMS.model_copy(update={"p_th": 0.0})
    for seed, prompt in enumerate(PROMPTS):
        sample = token_by_token(step_models, "far", tokenizer, vocab, prompt, seed, params)
        plain = decode_plain(
            step_models["teacher"], params, ids(tokenizer, prompt), tokenizer.eos_token_id, seed, 0
        )
        assert list(sample.token_ids) == plain
        assert set(sample.provenance) <= {TEACHER_MARK}


@pytest.mark.parametrize("engine", ["token", "sampled"])
def test_threshold_above_one_is_plain_student_sampling(
    step_models, backends, tokenizer, vocab, engine
):
    from factory.rsd.token_engine import decode_plain

    params = PARAMS.model_copy(update={"p_th": 1.5})
    for seed, prompt in enumerate(PROMPTS):
        if engine == "token":
            sample = token_by_token(step_models, "far", tokenizer, vocab, prompt, seed, params)
        else:
            sample = sampled(backends, "far", tokenizer, vocab, prompt, seed, params)
        plain = decode_plain(
            step_models["far"], params, ids(tokenizer, prompt), tokenizer.eos_token_id, seed, 5
        )
        assert list(sample.token_ids) == plain
        assert set(sample.provenance) == {STUDENT_MARK}


def test_accepted_tokens_have_student_probability_at_least_p_th(
    step_models, backends, tokenizer, vocab
):
    marks = ""
    for seed, prompt in enumerate(PROMPTS):
        sample = token_by_token(step_models, "far", tokenizer, vocab, prompt, seed)
        marks += sample.provenance
        prefix = ids(tokenizer, prompt)
        rescored = backends["far"].score(
            [ScoreRequest(prefix=tuple(prefix), continuation=sample.token_ids)]
        )[0]
        for mark, logprob in zip(sample.provenance, rescored, strict=True):
            if mark == TEACHER_MARK:
                assert math.exp(logprob) >= PARAMS.p_th - 1e-9
    assert TEACHER_MARK in marks and STUDENT_MARK in marks, marks


@pytest.mark.parametrize("student", ["close", "far"])
def test_chunked_engine_reproduces_token_by_token_exactly(
    step_models, backends, tokenizer, vocab, student
):
    teacher_calls = {"token": 0, "chunked": 0}
    emitted = 0
    for seed in range(4):
        for prompt in PROMPTS:
            reference = token_by_token(step_models, student, tokenizer, vocab, prompt, seed)
            greedy = chunked(backends, student, tokenizer, vocab, prompt, seed)
            assert greedy.token_ids == reference.token_ids
            assert greedy.provenance == reference.provenance
            assert greedy.finish_reason == reference.finish_reason
            assert greedy.candidate_draws == reference.candidate_draws
            teacher_calls["token"] += reference.teacher_calls
            teacher_calls["chunked"] += greedy.teacher_calls
            emitted += len(reference.token_ids)
    assert emitted > 100
    if student == "close":
        assert teacher_calls["chunked"] * 3 <= teacher_calls["token"], teacher_calls


class Batches(WrappedBackend):
    """Records how many requests each generate / score_top call carried."""

    def __init__(self, backend) -> None:
        super().__init__(backend)
        self.sizes: list[int] = []

    def generate(self, requests):
        self.sizes.append(len(requests))
        return self.backend.generate(requests)

    def score_top(self, requests, k):
        self.sizes.append(len(requests))
        return self.backend.score_top(requests, k)


@pytest.mark.parametrize("student", ["close", "far"])
def test_many_samples_in_flight_decode_exactly_as_token_by_token(
    step_models, backends, tokenizer, vocab, student
):
    from factory.rsd.chunked import Job, decode_chunked_many

    units = [(prompt, seed) for seed in range(3) for prompt in PROMPTS]
    eos = tokenizer.eos_token_id
    jobs = [Job(tuple(ids(tokenizer, p)), tuple(ids(tokenizer, p)), eos, s) for p, s in units]
    teacher, scorer = Batches(backends["teacher"]), Batches(backends[student])
    results = dict(decode_chunked_many(teacher, scorer, vocab, PARAMS, jobs, in_flight=4))
    assert sorted(results) == list(range(len(jobs)))
    assert max(teacher.sizes) == 4 and max(scorer.sizes) == 4, "drafts and scores are batched"
    for index, (prompt, seed) in enumerate(units):
        reference = token_by_token(step_models, student, tokenizer, vocab, prompt, seed)
        assert results[index].token_ids == reference.token_ids
        assert results[index].provenance == reference.provenance
        assert results[index].candidate_draws == reference.candidate_draws


class PerPosition(WrappedBackend):
    """An in-process student seen as a server would be: top-k asked position by position."""

    def __init__(self, backend) -> None:
        super().__init__(backend)
        self.score_top_per_position = True
        self.top_k_positions = 0

    def score_top(self, requests, k):
        self.top_k_positions += sum(len(r.continuation) for r in requests)
        return self.backend.score_top(requests, k)


@pytest.mark.parametrize("student", ["close", "far"])
def test_top_k_fetched_only_where_needed_decides_as_with_every_top_k(
    backends, tokenizer, vocab, student
):
    """The sampled engine's HTTP path: the draft tokens' logprobs first, a position's top-k
    (student or teacher) only when the rule needs it — the same tokens as when every
    position's top-k comes with the scoring. (The close student at p_th 0.01 accepts every
    token of these samples: a higher p_th makes it reject some.)"""
    from factory.rsd.chunked import Job, decode_chunked_many

    units = [(prompt, seed) for seed in range(3) for prompt in PROMPTS]
    eos = tokenizer.eos_token_id
    jobs = [Job(tuple(ids(tokenizer, p)), tuple(ids(tokenizer, p)), eos, s) for p, s in units]
    teacher = backends["teacher"]
    scorer = PerPosition(backends[student])
    params = PARAMS.model_copy(update={"p_th": 0.2}) if student == "close" else PARAMS
    lazy = dict(decode_chunked_many(teacher, scorer, vocab, params, jobs, 4, sampled=True))
    eager = dict(decode_chunked_many(teacher, backends[student], vocab, params, jobs, 4, True))
    emitted = 0
    for index in range(len(jobs)):
        assert lazy[index].token_ids == eager[index].token_ids
        assert lazy[index].provenance == eager[index].provenance
        assert lazy[index].candidate_draws == eager[index].candidate_draws
        emitted += len(eager[index].token_ids)
    assert 0 < scorer.top_k_positions < emitted, "top-k fetched at some positions, not all"


def chunked(backends, student, tokenizer, vocab, prompt, seed, params=PARAMS, sampled=False):
    """One sample of the chunked (greedy drafts) or sampled engine, transformers in process."""
    return decode_chunked(
        backends["teacher"],
        backends[student],
        vocab,
        params,
        ids(tokenizer, prompt),
        ids(tokenizer, prompt),
        tokenizer.eos_token_id,
        seed,
        sampled=sampled,
    )


def sampled(backends, student, tokenizer, vocab, prompt, seed, params=PARAMS):
    return chunked(backends, student, tokenizer, vocab, prompt, seed, params, sampled=True)


def teacher_rounds(teacher, tokenizer, prompt, seed, params):
    """The teacher's own seeded samples, round after round as the sampled engine drafts
    them when every draft is kept (lengths 32, 128, 512 … capped by max_tokens)."""
    from factory.backends.base import GenerationRequest, SamplingParams
    from factory.rsd.rule import round_seed

    tokens, length = [], 4 * params.draft_tokens
    while len(tokens) < params.max_tokens:
        size = min(length, params.max_tokens - len(tokens))
        sampling = SamplingParams(
            temperature=params.temperature,
            top_p=params.top_p,
            top_k=params.k,
            max_tokens=size,
            logprobs=0,
            seed=round_seed(seed, len(tokens)),
        )
        prompt_tokens = (*ids(tokenizer, prompt), *tokens)
        request = GenerationRequest(prompt_token_ids=prompt_tokens, params=sampling)
        [(_, generation)] = list(teacher.generate([request]))
        drafted = [step.token_id for step in generation.samples[0].logprobs]
        for token in drafted:
            if token == tokenizer.eos_token_id:
                return tokens
            tokens.append(token)
        length *= 4
    return tokens


def test_sampled_engine_at_threshold_zero_emits_the_teachers_own_samples(
    backends, tokenizer, vocab
):
    params = PARAMS.model_copy(update={"p_th": 0.0})
    for seed, prompt in enumerate(PROMPTS):
        sample = sampled(backends, "far", tokenizer, vocab, prompt, seed, params)
        expected = teacher_rounds(backends["teacher"], tokenizer, prompt, seed, params)
        assert list(sample.token_ids) == expected
        assert set(sample.provenance) <= {TEACHER_MARK}


def test_sampled_engine_keeps_the_rule_and_most_of_its_drafts(backends, tokenizer, vocab):
    """Every teacher token it emits has student probability >= p_th (far student); with a
    close student it keeps far more of its drafts than greedy drafting, in fewer rounds;
    the same seed gives the same tokens."""
    marks = ""
    for seed, prompt in enumerate(PROMPTS):
        sample = sampled(backends, "far", tokenizer, vocab, prompt, seed)
        marks += sample.provenance
        rescored = backends["far"].score(
            [ScoreRequest(prefix=tuple(ids(tokenizer, prompt)), continuation=sample.token_ids)]
        )[0]
        for mark, logprob in zip(sample.provenance, rescored, strict=True):
            if mark == TEACHER_MARK:
                assert math.exp(logprob) >= PARAMS.p_th - 1e-9
    assert TEACHER_MARK in marks and STUDENT_MARK in marks, marks
    rounds = {"sampled": 0, "chunked": 0}
    kept = {"sampled": [], "chunked": []}
    for seed in range(4):
        for prompt in PROMPTS:
            fast = sampled(backends, "close", tokenizer, vocab, prompt, seed)
            assert fast == sampled(backends, "close", tokenizer, vocab, prompt, seed)
            greedy = chunked(backends, "close", tokenizer, vocab, prompt, seed)
            for name, sample in (("sampled", fast), ("chunked", greedy)):
                rounds[name] += sample.teacher_calls
                kept[name].append(sample.draft_acceptance)
    mean = {name: sum(values) / len(values) for name, values in kept.items()}
    assert mean["sampled"] > 0.8 > mean["chunked"], mean
    assert rounds["sampled"] * 2 <= rounds["chunked"], rounds


def rsd_config(teacher, student, **overrides) -> RSDConfig:
    data = {
        "teacher": {
            "backend": "transformers",
            "model": str(teacher),
            "engine_args": {"dtype": "float64"},
        },
        "student": {
            "backend": "transformers",
            "model": str(student),
            "engine_args": {"dtype": "float64"},
        },
        "params": {"max_tokens": 24},
        **overrides,
    }
    return RSDConfig.model_validate(data)


def test_tokenizers_that_share_too_little_are_refused(tiny_model_dir, tmp_path):
    from tests.tiny_model import build_tiny_model

    other = build_tiny_model(tmp_path / "small-vocab", vocab_size=300)
    with pytest.raises(BackendError, match=r"share .* below rsd.params.min_shared_vocab"):
        RSDRunner(rsd_config(tiny_model_dir, other), 0)


def test_token_engine_needs_in_process_models(tiny_model_dir):
    from pydantic import ValidationError

    model = str(tiny_model_dir)
    with pytest.raises(ValidationError, match="student.backend: the token engine"):
        RSDConfig.model_validate(
            {
                "teacher": {"backend": "transformers", "model": model},
                "student": {"backend": "vllm", "model": model},
                "engine": "token",
            }
        )


def test_a_killed_rsd_run_resumes_without_duplicates(tiny_model_dir, far_student_dir, tmp_path):
    from factory.models.request_cache import RequestCache
    from factory.rsd.stage import rsd_traces
    from factory.stages import generate_shard
    from schemas.config import BuildConfig

    build = BuildConfig.model_validate(
        {"name": "r", "tasks": [{"task": "knights_knaves", "count": 4}]}
    )
    problems = generate_shard(build, build.tasks[0], 0)
    rsd = rsd_config(tiny_model_dir, far_student_dir, n=2, engine="token")
    runner = RSDRunner(rsd, 0)
    decoded = []
    real_decode = runner.decode

    def dying_decode(prompt, seed):
        if len(decoded) == 3:
            raise KeyboardInterrupt("killed")
        decoded.append(seed)
        return real_decode(prompt, seed)

    runner.decode = dying_decode

    def run(cache):
        return rsd_traces(
            problems, rsd, 0, identity="pair", cache=cache, open_runner=lambda: runner
        )

    with RequestCache(tmp_path / "cache") as cache:
        with pytest.raises(KeyboardInterrupt):
            run(cache)
        assert len(cache) == 3
        runner.decode = lambda prompt, seed: decoded.append(seed) or real_decode(prompt, seed)
        traces = run(cache)
    assert len(decoded) == 8, "3 before the kill, 5 after: none twice"
    assert len(set(decoded)) == 8
    assert len(traces) == 8 and len({t.trace_id for t in traces}) == 8
    with RequestCache(tmp_path / "clean") as clean:
        assert run(clean) == traces
    runner.close()


def test_rsd_build_publishes_filtered_student_aligned_traces(
    tmp_path, tiny_model_dir, close_student_dir
):
    from factory.config import parse_build_config
    from pipelines.build import run_build

    config = parse_build_config(
        {
            "name": "aligned",
            "output_root": str(tmp_path / "out"),
            "shard_size": 3,
            "tasks": [{"task": "knights_knaves", "count": 4, "levels": [1]}],
            "rsd": rsd_config(
                tiny_model_dir, close_student_dir, n=2, filter={"require_think_marker": False}
            ).model_dump(mode="json"),
        }
    )
    result = run_build(config)
    version_dir = result.layout.version_dir
    rows = pq.read_table(version_dir / "rsd_traces").to_pylist()
    assert len(rows) == 8
    for row in rows:
        assert len(row["provenance"]) == row["num_tokens"]
        assert set(row["provenance"]) <= {TEACHER_MARK, STUDENT_MARK}
        assert row["kept"] == (row["filter_reason"].startswith("kept"))
        assert not row["kept"] or (row["passed"] and row["finish_reason"] == "stop")
    card = (version_dir / "README.md").read_text()
    assert "## RSD (student-aligned) traces" in card and "config_name: rsd_traces" in card
    [usage] = result.manifest.model_usage  # a sample: one request of its prompt and tokens
    assert (usage.stage, usage.requests, usage.failed) == ("rsd", 8, 0)
    student = load_hf_tokenizer(str(close_student_dir), "student")
    prompts = pq.read_table(version_dir / "data").column("prompt").to_pylist()
    assert usage.prompt_tokens == 2 * sum(len(ids(student, p)) for p in prompts) > 8
    assert usage.completion_tokens == sum(r["num_tokens"] for r in rows)


def test_chunked_engine_on_vllm_and_http_matches_token_by_token(
    tiny_model_dir, vllm_server, tokenizer, vocab
):
    """Teacher on the vLLM engine, student behind `vllm serve` (the same tiny model):
    float32 engines, yet the same tokens as token-by-token decoding in process."""
    from factory.rsd.token_engine import StepModel, decode_token_by_token
    from tests.model_fixtures import ENGINE_ARGS

    model = str(tiny_model_dir)
    rsd = RSDConfig.model_validate(
        {
            "teacher": {"backend": "vllm", "model": model, "engine_args": ENGINE_ARGS},
            "student": {
                "backend": "openai",
                "model": model,
                "endpoints": [vllm_server.base_url],
                "tokenizer": model,
                "api_key_env": None,
            },
            "params": {"max_tokens": 32},
        }
    )
    runner = RSDRunner(rsd, 0)
    teacher, student = StepModel(model), StepModel(model)  # one KV cache each
    units = [(prompt, seed) for seed in range(2) for prompt in PROMPTS]
    try:  # all in flight at once: batched on the engine, concurrent over HTTP
        decoded = dict(runner.decode_many(units, in_flight=len(units)))
        for index, (prompt, seed) in enumerate(units):
            chunked = decoded[index]
            prompt_tokens = ids(tokenizer, prompt)
            expected = decode_token_by_token(
                teacher,
                student,
                vocab,
                rsd.params,
                prompt_tokens,
                prompt_tokens,
                tokenizer.eos_token_id,
                seed,
            )
            assert chunked.token_ids == expected.token_ids
            assert chunked.provenance == expected.provenance
            assert chunked.teacher_calls < expected.teacher_calls
    finally:
        runner.close()


class Callers(WrappedBackend):
    """Records which threads called the backend."""

    def __init__(self, backend) -> None:
        super().__init__(backend)
        self.threads: set[str] = set()

    def generate(self, requests):
        self.threads.add(threading.current_thread().name)
        return self.backend.generate(requests)

    def score(self, requests):
        self.threads.add(threading.current_thread().name)
        return self.backend.score(requests)


def test_on_http_samples_run_their_own_rounds_concurrently_and_decide_the_same(
    tiny_model_dir, vllm_server, tokenizer, vocab
):
    """Teacher and student both behind `vllm serve`: each sample decodes in its own pipeline;
    the chunked engine still gives token-by-token's tokens, and the sampled engine at
    p_th = 0 gives the server's own seeded teacher samples."""
    from factory.backends.openai import OpenAIBackend
    from factory.rsd.chunked import Job, decode_chunked_many
    from factory.rsd.token_engine import StepModel, decode_token_by_token

    model = str(tiny_model_dir)

    def served():
        return OpenAIBackend(
            model, [vllm_server.base_url], api_key_env=None, concurrency=8, tokenizer=tokenizer
        )

    teacher, student = Callers(served()), Callers(served())
    units = [(prompt, seed) for seed in range(2) for prompt in PROMPTS]
    eos = tokenizer.eos_token_id
    jobs = [Job(tuple(ids(tokenizer, p)), tuple(ids(tokenizer, p)), eos, s) for p, s in units]
    params = RSDParams(max_tokens=32)
    try:
        decoded = dict(decode_chunked_many(teacher, student, vocab, params, jobs, len(jobs)))
        assert len({t for t in teacher.threads | student.threads if t.startswith("rsd-")}) > 1
        steps = StepModel(model), StepModel(model)
        for index, (prompt, seed) in enumerate(units):
            prompt_tokens = ids(tokenizer, prompt)
            expected = decode_token_by_token(
                *steps, vocab, params, prompt_tokens, prompt_tokens, eos, seed
            )
            assert decoded[index].token_ids == expected.token_ids
            assert decoded[index].provenance == expected.provenance
        at_zero = params.model_copy(update={"p_th": 0.0})
        fast = dict(decode_chunked_many(teacher, student, vocab, at_zero, jobs, len(jobs), True))
        for index, (prompt, seed) in enumerate(units):
            expected = teacher_rounds(teacher, tokenizer, prompt, seed, at_zero)
            assert list(fast[index].token_ids) == expected
    finally:
        teacher.close()
        student.close()
