"""Whole builds with a teacher: Luigi stages AnnotateShard → VerifyTraces, published traces."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

import factory.backends
import factory.backends.loaded
from factory.config import parse_build_config
from factory.errors import BuildError, ConfigError
from factory.publish.store import latest_run_usage
from pipelines.build import run_build
from tests.model_fixtures import ENGINE_ARGS

pytestmark = pytest.mark.models


def config(root, teacher, **overrides):
    data = {
        "name": "taught",
        "seed": 5,
        "output_root": str(root),
        "shard_size": 4,
        "tasks": [
            {"task": "knights_knaves", "count": 6, "levels": [1]},
            {"task": "game_of_24", "count": 3},
        ],
        "teacher": {"sampling": {"max_tokens": 16, "n": 2}, **teacher},
        **overrides,
    }
    return parse_build_config(data)


def teacher_files(version_dir):
    return {
        str(p.relative_to(version_dir)): p.read_bytes()
        for p in sorted((version_dir / "teacher_traces").rglob("*.parquet"))
    }


def vllm_teacher(model_dir):
    return {"backend": "vllm", "model": str(model_dir), "engine_args": ENGINE_ARGS}


def test_vllm_teacher_build_publishes_verified_traces_and_reruns_from_cache(
    tmp_path, tiny_model_dir, monkeypatch
):
    result = run_build(config(tmp_path / "out", vllm_teacher(tiny_model_dir)))
    version_dir = result.layout.version_dir
    files = teacher_files(version_dir)
    assert sorted(files) == [
        "teacher_traces/game_of_24/train-00000.parquet",
        "teacher_traces/knights_knaves/train-00000.parquet",
        "teacher_traces/knights_knaves/train-00001.parquet",
    ]
    rows = pq.read_table(version_dir / "teacher_traces").to_pylist()
    assert len(rows) == (6 + 3) * 2
    assert all(r["verify_reason"] and r["passed"] in (True, False) for r in rows)
    assert {r["sample_index"] for r in rows} == {0, 1}
    assert result.manifest.total == 9, "trace rows are not counted as problems"
    card = (version_dir / "README.md").read_text()
    assert "## Teacher traces" in card and "config_name: teacher_traces" in card

    # A rebuild of the same config: every request is cached, no model is loaded, and the
    # published traces are byte-identical.
    factory.backends.loaded.forget_all()

    def no_model(*args, **kwargs):
        raise AssertionError("a cached rebuild must not load the model")

    monkeypatch.setattr(factory.backends, "open_backend", no_model)
    again = run_build(config(tmp_path / "out", vllm_teacher(tiny_model_dir)), overwrite=True)
    assert teacher_files(again.layout.version_dir) == files


def test_openai_teacher_build_against_vllm_serve(tmp_path, vllm_server, tiny_model_dir):
    teacher = {
        "backend": "openai",
        "model": str(tiny_model_dir),
        "endpoints": [vllm_server.base_url],
        "concurrency": 4,
    }
    result = run_build(config(tmp_path / "out", teacher))
    rows = pq.read_table(result.layout.version_dir / "teacher_traces").to_pylist()
    assert len(rows) == 18
    assert all(r["finish_reason"] in {"stop", "length"} and r["error"] is None for r in rows)


def test_missing_model_directory_fails_the_build_naming_it(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(BuildError, match="no-such-model: no such model directory"):
        run_build(config(tmp_path / "out", {"backend": "vllm", "model": str(missing)}))


def test_unreachable_endpoint_fails_the_build_naming_it(tmp_path):
    from tests.model_fixtures import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"
    teacher = {"backend": "openai", "model": "m", "endpoints": [url], "max_retries": 1}
    with pytest.raises(BuildError, match=url.replace(".", r"\.")):
        run_build(config(tmp_path / "out", teacher))


@pytest.mark.parametrize(
    ("teacher", "field"),
    [
        ({"backend": "openai", "model": "m"}, r"teacher: .*endpoints: .*needs"),
        ({"backend": "openai", "model": "m", "endpoints": ["ftp://x"]}, r"endpoints\[0\]"),
        ({"backend": "tgi", "model": "m"}, r"teacher\.backend"),
        ({"backend": "vllm", "model": "m", "sampling": {"top_p": 0}}, r"teacher\.sampling\.top_p"),
    ],
)
def test_bad_teacher_config_names_the_field(tmp_path, teacher, field):
    with pytest.raises(ConfigError, match=field):
        config(tmp_path, teacher)


def test_transformers_teacher_build_from_the_cli_with_two_workers(tmp_path, tiny_model_dir):
    """A fresh process, as a user runs it: Luigi forks workers from a parent that has
    not touched torch (a forked child of a process whose torch started threads hangs)."""
    import subprocess
    import sys

    import yaml

    config_path = tmp_path / "build.yaml"
    data = config(
        tmp_path / "out",
        {"backend": "transformers", "model": str(tiny_model_dir), "batch_size": 4},
        workers=2,
    ).model_dump(mode="json", exclude_none=True)
    config_path.write_text(yaml.safe_dump(data))
    factory_cli = [sys.executable, "-m", "cli.main", "build", str(config_path)]
    done = subprocess.run(factory_cli, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "annotate 9/9 requests" in done.stderr  # one build-wide count, not a line per shard
    rows = pq.read_table(tmp_path / "out" / "taught" / "0.1.0" / "teacher_traces").to_pylist()
    assert len(rows) == 18
    assert all(0 < r["num_tokens"] <= 16 for r in rows)


def test_graded_build_selects_by_bucket_and_quota(tmp_path, tiny_model_dir):
    grading = {"drop": ["always_solved"], "quotas": {"never_solved": 2}}
    result = run_build(config(tmp_path / "out", vllm_teacher(tiny_model_dir), grading=grading))
    version_dir = result.layout.version_dir
    rows = pq.read_table(version_dir / "data").to_pylist()
    assert len(rows) == 4 and result.manifest.total == 4, "2 kept per subset"
    assert {r["difficulty"] for r in rows} == {"never_solved"}
    assert all(r["pass_rate"] == 0.0 and r["pass_cv"] is None for r in rows)
    assert all(0 < r["effort_percentile"] < 1 for r in rows)
    card = (version_dir / "README.md").read_text()
    assert "## Difficulty distribution" in card
    assert "| knights_knaves | never_solved | 6 | 2 |" in card
    traces = pq.read_table(version_dir / "teacher_traces").num_rows
    assert traces == 18, "every problem's samples stay published"


def test_verbosity_and_judges_on_teacher_traces(tmp_path, tiny_model_dir):
    model = str(tiny_model_dir)
    verbosity = {"tokenizer": model, "judge": vllm_teacher(tiny_model_dir)}
    result = run_build(config(tmp_path / "out", vllm_teacher(tiny_model_dir), verbosity=verbosity))
    rows = pq.read_table(result.layout.version_dir / "teacher_traces").to_pylist()
    assert len(rows) == 18
    for row in rows:
        assert row["tokens"] > 0 and row["steps"] >= 1  # re-tokenised text, not sampled ids
        assert 0 <= row["hesitation_share"] <= 1
        assert row["first_correct_token"] is None, "a random model never answers correctly"
        assert row["rv"] is None and row["cd"] is None
        assert row["judge_reason"].startswith("rv: ") and "cd: " in row["judge_reason"]


def test_usage_totals_match_the_traces_and_retry_failed_asks_only_the_failed(
    tmp_path, tiny_model_dir, monkeypatch
):
    import pipelines.tasks
    from factory.backends.base import RequestFailed
    from tests.backend_wrappers import WrappedBackend

    asked, failures = [], []
    state = {"failing": True}

    class Flaky(WrappedBackend):
        """The real model; while failing, the first request of each call fails."""

        def generate(self, requests):
            asked.extend(requests)
            for index, result in self.backend.generate(requests):
                failed = state["failing"] and index == 0
                if failed:
                    failures.append(requests[index].model_dump_json())
                yield index, RequestFailed(error="injected") if failed else result

    real = factory.backends.shared_backend
    monkeypatch.setattr(pipelines.tasks, "shared_backend", lambda s, seed: Flaky(real(s, seed)))
    price = {"prompt": 1.0, "completion": 2.0}
    teacher = {
        "backend": "transformers",
        "model": str(tiny_model_dir),
        "batch_size": 4,
        "price_per_million_tokens": price,
    }
    built = run_build(config(tmp_path / "out", teacher))
    rows = pq.read_table(built.layout.version_dir / "teacher_traces").to_pylist()
    answered = [r for r in rows if r["finish_reason"] != "error"]
    [usage] = built.manifest.model_usage
    assert (usage.stage, usage.requests, usage.failed) == ("teacher", 9, 3)
    assert usage.completion_tokens == sum(r["num_tokens"] for r in answered)
    first_samples = [r for r in answered if r["sample_index"] == 0]
    assert usage.prompt_tokens == sum(r["prompt_tokens"] for r in first_samples)
    expected_cost = (usage.prompt_tokens * 1.0 + usage.completion_tokens * 2.0) / 1e6
    assert usage.cost == pytest.approx(expected_cost, abs=1e-6)
    [run] = latest_run_usage(built.layout)  # the run figures: in the work directory only
    assert run.totals() == usage and run.cached == 0
    assert run.asked_completion_tokens == usage.completion_tokens
    assert run.wall_s > 0 and run.tokens_per_s > 0
    card = (built.layout.version_dir / "README.md").read_text()
    assert "## Model usage" in card and "Failed requests: 3 in teacher" in card
    assert f"| teacher | {tiny_model_dir} | 9 | 3 | {usage.prompt_tokens} |" in card

    state["failing"] = False
    asked.clear()
    again = run_build(config(tmp_path / "out", teacher), retry_failed=True)
    assert sorted(r.model_dump_json() for r in asked) == sorted(failures), "only the failed"
    rows = pq.read_table(again.layout.version_dir / "teacher_traces").to_pylist()
    assert len(rows) == 18 and all(r["finish_reason"] != "error" for r in rows)
    [usage] = again.manifest.model_usage
    assert (usage.requests, usage.failed) == (9, 0)
    assert usage.completion_tokens == sum(r["num_tokens"] for r in rows)
    [run] = latest_run_usage(again.layout)
    assert run.cached == 6 and run.asked_completion_tokens < usage.completion_tokens


def test_a_killed_and_resumed_teacher_build_has_a_clean_builds_bytes(
    tmp_path, tiny_model_dir, monkeypatch
):
    """Manifest and card carry only run-independent usage: a build killed mid-shard,
    then resumed (part of its answers from the request cache), publishes the same bytes
    as a clean build; the run figures differ, in the work directory."""
    import pipelines.tasks
    from tests.backend_wrappers import WrappedBackend
    from tests.test_build import version_bytes

    state = {"dying": True}

    class Dying(WrappedBackend):
        """The real model; while dying, each shard's run ends after its first answer."""

        def generate(self, requests):
            for answered, item in enumerate(self.backend.generate(requests)):
                if state["dying"] and answered == 1:
                    raise RuntimeError("killed")
                yield item

    teacher = {"backend": "transformers", "model": str(tiny_model_dir), "batch_size": 2}
    clean = run_build(config(tmp_path / "clean", teacher))
    real = factory.backends.shared_backend
    monkeypatch.setattr(pipelines.tasks, "shared_backend", lambda s, seed: Dying(real(s, seed)))
    with pytest.raises(BuildError):
        run_build(config(tmp_path / "killed", teacher))
    state["dying"] = False
    resumed = run_build(config(tmp_path / "killed", teacher))
    [run] = latest_run_usage(resumed.layout)
    assert run.cached == 3, "each shard's first answer came from the request cache"
    [clean_run] = latest_run_usage(clean.layout)
    assert clean_run.cached == 0 and run.totals() == clean_run.totals()
    assert version_bytes(resumed.layout.version_dir) == version_bytes(clean.layout.version_dir)
