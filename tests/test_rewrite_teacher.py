"""Teacher rewrite (DAP): prompts and parsing; the whole job through the tiny model."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from factory.backends.base import Backend
from factory.rewrite.corpus import long_trace_corpus
from factory.rewrite.job import DATA_FILE, RewriteConfig, run_rewrite
from factory.rewrite.teacher_rewrite import (
    RewriteItem,
    difficulty_request,
    parse_difficulty,
    rewrite_prompt,
    rewrite_request,
)
from schemas.config import TeacherConfig
from tests.backend_wrappers import WrappedBackend
from tests.model_fixtures import ENGINE_ARGS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<difficulty>simple</difficulty>", ("simple", None)),
        ("<DIFFICULTY> Complex. </difficulty>", ("complex", None)),
        (
            "<difficulty>simple</difficulty> no, <difficulty>moderate</difficulty>",
            ("moderate", None),
        ),
        ("hard", ("moderate", "no <difficulty></difficulty> tag; assumed moderate")),
        (
            "<difficulty>hard</difficulty>",
            ("moderate", "unknown difficulty 'hard'; assumed moderate"),
        ),
    ],
)
def test_parse_difficulty(text, expected):
    assert parse_difficulty(text) == expected


def test_prompts_are_sized_to_the_difficulty():
    simple = rewrite_prompt("Q?", "long trace", "42", "simple")
    moderate = rewrite_prompt("Q?", "long trace", "42", "moderate")
    complex_ = rewrite_prompt("Q?", "long trace", "42", "complex")
    for prompt in (simple, moderate, complex_):
        assert "Q?" in prompt and "long trace" in prompt and "42" in prompt
        assert "<answer></answer>" in prompt and "Summary" in prompt
    assert "Reflection" not in simple and "Initial approach" in moderate
    assert "sub-problem" in complex_ and "Integration" in complex_
    assert "Overall reflection" in complex_ and "Integration" not in moderate


def test_requests_judge_greedily_and_rewrite_with_the_teachers_sampling():
    teacher = TeacherConfig(backend="vllm", model="m", sampling={"temperature": 0.6, "n": 3})
    judge = difficulty_request("Q?", teacher)
    assert judge.params.temperature == 0.0 and judge.params.max_tokens == 32
    assert "<difficulty></difficulty>" in judge.messages[-1].content
    item = RewriteItem("abc", "Q?", "trace", "42")
    rewrite = rewrite_request(item, "simple", teacher, seed=5)
    assert rewrite.params.temperature == 0.6 and rewrite.params.n == 1
    assert rewrite.params.seed == rewrite_request(item, "complex", teacher, seed=5).params.seed
    assert rewrite.params.seed != rewrite_request(item, "simple", teacher, seed=6).params.seed


class Counting(WrappedBackend):
    """The shared engine, counting the requests it is asked (closing it is a no-op)."""

    asked = 0

    def generate(self, requests):
        Counting.asked += len(requests)
        return self.backend.generate(requests)


def refuse(spec, seed) -> Backend:
    raise AssertionError("the model was opened although everything is cached")


@pytest.mark.models
def test_teacher_rewrites_of_a_random_model_are_rejected_and_cached(
    tmp_path, tiny_model_dir, vllm_backend
):
    pairs = sorted(long_trace_corpus(40, seed=3), key=lambda pair: len(pair[1]))[:6]
    source = tmp_path / "long.parquet"
    rows = [{"problem": p.model_dump_json(), "question": p.prompt, "trace": t} for p, t in pairs]
    pq.write_table(pa.Table.from_pylist(rows), source)
    config = RewriteConfig.model_validate(
        {
            "name": "dap",
            "output_root": str(tmp_path / "out"),
            "input": str(source),
            "columns": {"problem": "problem"},
            "method": "teacher",
            "teacher": {
                "backend": "vllm",
                "model": str(tiny_model_dir),
                "engine_args": ENGINE_ARGS,
                "sampling": {"temperature": 0.8, "max_tokens": 24},
            },
        }
    )

    result = run_rewrite(config, open_backend=lambda spec, seed: Counting(vllm_backend))
    assert Counting.asked == 12  # a judgement and a rewrite per trace
    out = pq.read_table(result.version_dir / DATA_FILE).to_pylist()
    assert len(out) == 6
    for row in out:
        assert row["method"] == "teacher" and row["verified_before"]
        assert not row["kept_rewrite"] and row["verified_after"]
        assert row["rewritten_trace"] == row["source_trace"]
        assert row["tokens_after"] == row["tokens_before"]
        # the random model never answers with a usable tag: the fallback, with its reason
        assert row["difficulty"] == "moderate"
        assert row["reason"].startswith("difficulty: ") and "assumed moderate" in row["reason"]
        assert "rewrite rejected: not verified" in row["reason"]
        assert row["reason"].endswith("source kept")
    assert result.manifest["figures"]["kept_rewrites"] == 0

    again = run_rewrite(config, overwrite=True, open_backend=refuse)
    assert (again.version_dir / DATA_FILE).read_bytes() == (
        result.version_dir / DATA_FILE
    ).read_bytes()
