"""Model usage: run-independent totals for the manifest and card, run figures kept apart,
and the options that only change how a build runs left out of its fingerprint."""

from __future__ import annotations

import json

import pytest

from factory.config import parse_build_config
from factory.models.usage import UsageMeter, run_usage_line
from factory.provenance import config_fingerprint, data_config
from factory.publish.card import usage_section
from factory.publish.store import latest_run_usage, write_run_usage
from factory.storage.layout import BuildLayout
from pipelines.build import run_build
from schemas.manifest import DatasetManifest
from schemas.usage import ModelUsage, RunUsage
from tests.test_build import toy_config

SERVED = {"backend": "openai", "model": "m", "endpoints": ["http://127.0.0.1:9/v1"]}


def build_config(**overrides):
    data = {"name": "x", "seed": 3, "tasks": [{"task": "toy_sum", "count": 4}]}
    return parse_build_config({**data, **overrides})


def with_models(teacher=None, student=None, in_flight=32, min_problems=1):
    rsd = {"teacher": SERVED, "student": student or SERVED, "in_flight": in_flight}
    return build_config(teacher=teacher or SERVED, rsd=rsd, grading={"min_problems": min_problems})


def test_run_options_leave_the_fingerprint_and_manifest_config_alone():
    base = with_models()
    paced = {**SERVED, "concurrency": 3, "timeout_s": 5, "max_retries": 0, "cache_dir": "/c"}
    limited = {**SERVED, "requests_per_minute": 60, "tokens_per_minute": 1e5}
    changed = with_models(teacher=paced, student=limited, in_flight=4, min_problems=9)
    assert config_fingerprint(changed) == config_fingerprint(base)
    assert data_config(changed) == data_config(base)
    assert "in_flight" not in data_config(base)["rsd"]
    assert "concurrency" not in data_config(base)["teacher"]


@pytest.mark.parametrize(
    "teacher",
    [
        {**SERVED, "model": "other"},
        {**SERVED, "sampling": {"temperature": 0.1}},
        {**SERVED, "endpoints": ["http://127.0.0.1:10/v1"]},
        {**SERVED, "price_per_million_tokens": {"prompt": 1, "completion": 2}},
    ],
)
def test_what_changes_answers_or_the_card_changes_the_fingerprint(teacher):
    assert config_fingerprint(with_models(teacher=teacher)) != config_fingerprint(with_models())


def test_a_model_free_fingerprint_is_the_one_it_always_was():
    # config and generator versions only, as before run options were left out
    config = build_config()
    assert config_fingerprint(config) == config_fingerprint(build_config(workers=4))
    assert set(data_config(config)) == set(config.model_dump()) - {"workers", "output_root"}


def test_totals_drop_the_run_figures_and_price_the_data_tokens():
    one = RunUsage(stage="teacher", model="m", requests=3, failed=1, prompt_tokens=30)
    one = one.model_copy(update={"completion_tokens": 12, "cached": 2, "wall_s": 1.25})
    two = RunUsage(stage="teacher", model="m", requests=2, prompt_tokens=20, completion_tokens=8)
    two = two.model_copy(update={"asked_prompt_tokens": 20, "asked_completion_tokens": 8})
    two = two.model_copy(update={"wall_s": 0.5})
    summed = one.plus(two).priced(prompt=2.0, completion=10.0)
    assert (summed.requests, summed.failed, summed.cached, summed.wall_s) == (5, 1, 2, 1.75)
    assert summed.cost == pytest.approx((50 * 2.0 + 20 * 10.0) / 1e6)
    assert summed.asked_cost == pytest.approx((20 * 2.0 + 8 * 10.0) / 1e6)
    assert summed.tokens_per_s == pytest.approx(8 / 1.75)
    totals = summed.totals()
    assert type(totals) is ModelUsage
    assert totals.model_dump() == {
        "stage": "teacher",
        "model": "m",
        "requests": 5,
        "failed": 1,
        "prompt_tokens": 50,
        "completion_tokens": 20,
        "cost": summed.cost,
    }
    card = "\n".join(usage_section([totals]))
    assert "| teacher | m | 5 | 1 | 50 | 20 |" in card
    assert "wall" not in card.split("\n", 1)[1], "no run figure in the table"
    line = run_usage_line([summed])
    assert "5 requests, 40% cached, 1 failed, 1.8 s, 4.6 tokens/s" in line


def test_a_meter_counts_rsd_samples_with_their_prompts():
    meter = UsageMeter("rsd", "t -> s")
    meter.add_sample(11, 5, cached=True)
    meter.add_sample(11, 7, cached=False)
    f = meter.figures
    assert (f.requests, f.cached, f.prompt_tokens, f.completion_tokens) == (2, 1, 22, 12)
    assert (f.asked_prompt_tokens, f.asked_completion_tokens) == (11, 7)


def test_the_newest_run_record_is_read_back(tmp_path):
    layout = BuildLayout.of(toy_config(tmp_path))
    assert latest_run_usage(layout) == []
    first = [RunUsage(stage="judge", model="j", requests=1)]
    second = [RunUsage(stage="judge", model="j", requests=2, cached=2)]
    write_run_usage(layout, first)
    path = write_run_usage(layout, second)
    assert path.name.startswith("run-") and path.parent == layout.work_dir / "usage"
    assert latest_run_usage(layout) == second


def test_a_model_free_manifest_has_no_model_usage_key(out_root):
    result = run_build(toy_config(out_root))
    text = (result.layout.version_dir / "manifest.json").read_text()
    assert "model_usage" not in json.loads(text)
    assert DatasetManifest.model_validate_json(text).model_usage == []
    assert not (result.layout.work_dir / "usage").exists()
