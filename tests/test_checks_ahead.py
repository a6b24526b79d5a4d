"""The publish's checks of the problems, made ahead by a helper interpreter
(``factory.publish.checks_ahead``): taken where they are about the published rows, the
publish's own checks otherwise, and the same version bytes either way."""

from __future__ import annotations

import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from factory.publish import checks_ahead, store
from factory.publish.checks_ahead import check_problems
from factory.storage.layout import BuildLayout
from factory.storage.stage_files import StageRecord, stage_record
from pipelines.build import run_build
from tests.test_build import toy_config, version_bytes


def real_config(root: Path):
    """Registered tasks only: the helper is another interpreter, without the tests' toys."""
    tasks = [
        {"task": "knights_knaves", "count": 24, "levels": [1, 2]},
        {"task": "game_of_24", "count": 12, "levels": [1]},
    ]
    return toy_config(root, name="ahead", seed=11, shard_size=10, tasks=tasks)


@pytest.fixture
def publish_checks(monkeypatch) -> Counter[str]:
    """How often the publish audits or re-verifies problems itself; a second core assumed,
    so that a one-worker build starts the helper on any machine (and for few problems)."""
    monkeypatch.setattr(checks_ahead, "spare_core", lambda: True)
    monkeypatch.setattr(checks_ahead, "MIN_PROBLEMS", 0)
    calls: Counter[str] = Counter()
    for name in ("build_audit", "reference_failures"):
        made_here = getattr(store, name)

        def counted(*args, _name=name, _made_here=made_here, **kwargs):
            calls[_name] += 1
            return _made_here(*args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return calls


@pytest.fixture(scope="module")
def made_here(tmp_path_factory) -> dict[str, bytes]:
    """A version whose every check the publish made itself (two workers: no helper)."""
    root = tmp_path_factory.mktemp("made-here")
    return version_bytes(run_build(real_config(root), workers=2).layout.version_dir)


@pytest.fixture
def helper_done_first(monkeypatch) -> None:
    """The publish finds the helper done (a small build's publish often comes first)."""
    monkeypatch.setattr(checks_ahead, "findings", partial(checks_ahead.findings, wait=True))


def test_a_one_worker_build_takes_the_helpers_findings_for_the_same_bytes(
    tmp_path, publish_checks, made_here, helper_done_first
):
    result = run_build(real_config(tmp_path), workers=1)
    assert publish_checks == Counter()  # every reference trace has its oracle's answer
    assert version_bytes(result.layout.version_dir) == made_here


def test_findings_that_come_during_the_publish_are_taken_for_the_shards_left(
    tmp_path, publish_checks, made_here, monkeypatch
):
    asked = []

    def later(wait: bool = False):
        asked.append(wait)
        return None if len(asked) <= 2 else checks_ahead._helper.findings(wait=True)

    monkeypatch.setattr(checks_ahead, "findings", later)
    result = run_build(real_config(tmp_path), workers=1)
    assert publish_checks == Counter(reference_failures=2)  # the two shards before
    assert version_bytes(result.layout.version_dir) == made_here


def test_the_publish_does_not_wait_for_a_helper_at_work(
    tmp_path, publish_checks, made_here, monkeypatch
):
    sleeping = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(checks_ahead, "helper_command", lambda: sleeping)
    started = time.monotonic()
    result = run_build(real_config(tmp_path), workers=1)
    assert time.monotonic() - started < 30
    assert publish_checks == Counter(build_audit=1, reference_failures=5)  # 5 shards
    assert version_bytes(result.layout.version_dir) == made_here


def test_findings_about_other_bytes_are_not_taken(
    tmp_path, publish_checks, made_here, monkeypatch, helper_done_first
):
    other = StageRecord("0" * 64, 1, 1)
    monkeypatch.setattr(checks_ahead, "stage_record", lambda path, storage: other)
    result = run_build(real_config(tmp_path), workers=1)
    assert publish_checks == Counter(build_audit=1, reference_failures=5)
    assert version_bytes(result.layout.version_dir) == made_here


def test_a_failed_helper_leaves_every_check_to_the_publish(
    tmp_path, publish_checks, made_here, monkeypatch, helper_done_first
):
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    monkeypatch.setattr(checks_ahead, "helper_command", lambda: failing)
    result = run_build(real_config(tmp_path), workers=1)
    assert publish_checks == Counter(build_audit=1, reference_failures=5)
    assert version_bytes(result.layout.version_dir) == made_here


def test_a_graded_small_or_many_worker_build_starts_no_helper(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(checks_ahead, "spare_core", lambda: True)
    monkeypatch.setattr(checks_ahead, "MIN_PROBLEMS", 0)
    exiting = [sys.executable, "-c", "pass"]
    monkeypatch.setattr(checks_ahead, "helper_command", lambda: started.append(1) or exiting)
    run_build(real_config(tmp_path / "two"), workers=2)
    config = real_config(tmp_path / "graded")
    with checks_ahead.checking_ahead(True):
        checks_ahead.begin(config.model_copy(update={"grading": object()}))
    checks_ahead.begin(config)  # outside a workflow
    monkeypatch.setattr(checks_ahead, "MIN_PROBLEMS", 37)  # the config asks for 36
    with checks_ahead.checking_ahead(True):
        checks_ahead.begin(config)
    assert started == []
    monkeypatch.setattr(checks_ahead, "MIN_PROBLEMS", 36)
    with checks_ahead.checking_ahead(True):
        checks_ahead.begin(config)
    assert started == [1]


def test_a_helper_still_running_when_the_workflow_ends_is_stopped(tmp_path, monkeypatch):
    sleeping = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(checks_ahead, "spare_core", lambda: True)
    monkeypatch.setattr(checks_ahead, "MIN_PROBLEMS", 0)
    monkeypatch.setattr(checks_ahead, "helper_command", lambda: sleeping)
    with pytest.raises(RuntimeError), checks_ahead.checking_ahead(True):
        checks_ahead.begin(real_config(tmp_path))
        helper = checks_ahead._helper
        assert helper is not None and helper.process.poll() is None
        raise RuntimeError("a task failed")
    assert helper.process.returncode is not None
    assert checks_ahead._helper is None


def test_the_helpers_findings_are_what_the_publish_finds(tmp_path):
    config = real_config(tmp_path)
    manifest = run_build(config, workers=2).manifest
    found = check_problems(config)
    assert [a.to_json() for a in found.audits] == manifest.audit
    layout = BuildLayout.of(config)
    assert len(found.files) == 5
    for url, checked in found.files.items():
        assert checked.failing == set()
        assert checked.sha256 == stage_record(Path(url), layout.storage).sha256
    assert sum(len(checked.ids) for checked in found.files.values()) == manifest.total
