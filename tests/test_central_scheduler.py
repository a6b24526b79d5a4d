"""Builds shared by several worker processes through a real ``luigid`` on 127.0.0.1:
each shard built once, the data byte-identical to a local-scheduler build, and a killed
worker's shard finished by the survivor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from factory.config import parse_build_config
from factory.errors import BuildError
from factory.storage.atomic import remove_stale_temporaries
from factory.storage.layout import BuildLayout
from generators.registry import register
from pipelines.build import prepare_work_dir, run_build
from schemas.config import BuildConfig
from tests.test_build import data_bytes

REPO = Path(__file__).resolve().parents[1]
COUNT, SHARD_SIZE = 40, 5

register("toy_slow_sum", "tests.slow_tasks:SlowSum")

# Quick death detection: a worker silent for 2 s is dropped at the next request for work,
# and its running task may be retried a second later (defaults: 60 s, pruned each minute,
# then 15 min).
LUIGID_CONFIG = """\
[scheduler]
state_path = {state}
worker_disconnect_delay = 2
prune_on_get_work = true
retry_delay = 1
"""

WORKER = (
    "import sys; from generators.registry import register; "
    "register('toy_slow_sum', 'tests.slow_tasks:SlowSum'); "
    "from cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler_url(tmp_path_factory) -> Iterator[str]:
    """A real ``luigid`` for this module's builds, stopped after them."""
    home = tmp_path_factory.mktemp("luigid")
    config = home / "luigi.cfg"
    config.write_text(LUIGID_CONFIG.format(state=home / "state.pickle"))
    port = free_port()
    log = (home / "luigid.log").open("w")
    process = subprocess.Popen(
        [Path(sys.executable).with_name("luigid"), "--address", "127.0.0.1", "--port", str(port)]
        + ["--logdir", str(home)],
        env={**os.environ, "LUIGI_CONFIG_PATH": str(config)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: answers(url) or process.poll() is not None, "luigid to start")
        assert process.poll() is None, (home / "luigid.log").read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def build_config_file(tmp_path: Path, root: Path) -> Path:
    path = tmp_path / "scale.yaml"
    path.write_text(
        f"name: scale\nseed: 5\noutput_root: {root}\nshard_size: {SHARD_SIZE}\n"
        f"tasks:\n  - {{task: toy_slow_sum, count: {COUNT}, levels: [1, 4, 9]}}\n"
    )
    return path


def scale_config(root: Path, seed: int = 5) -> BuildConfig:
    """The config of ``build_config_file``, in process."""
    return parse_build_config(
        {
            "name": "scale",
            "seed": seed,
            "output_root": str(root),
            "shard_size": SHARD_SIZE,
            "tasks": [{"task": "toy_slow_sum", "count": COUNT, "levels": [1, 4, 9]}],
        }
    )


def local_build(tmp_path: Path) -> dict[str, bytes]:
    """The reference: the same config on the in-process scheduler."""
    return data_bytes(run_build(scale_config(tmp_path / "local")).layout.version_dir)


class Workers:
    """``factory build CONFIG --scheduler-url URL`` processes, each in its own session."""

    def __init__(self, tmp_path: Path, config: Path, url: str) -> None:
        self.tmp_path, self.config, self.url = tmp_path, config, url
        self.log = tmp_path / "generated.log"
        self.hold = tmp_path / "hold"
        self.env = {**os.environ, "SLOW_SUM_LOG": str(self.log), "SLOW_SUM_HOLD": str(self.hold)}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        name = self.tmp_path / f"worker{len(self.processes)}"
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER, "build", str(self.config)]
            + ["--scheduler-url", self.url, "--workers", "1"],
            cwd=REPO,
            env=self.env,
            stdout=(name.with_suffix(".out")).open("w"),
            stderr=(name.with_suffix(".err")).open("w"),
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def finish(self, process: subprocess.Popen) -> str:
        """Wait for a worker; its stdout, after checking it exited 0."""
        index = self.processes.index(process)
        assert process.wait(timeout=120) == 0, (self.tmp_path / f"worker{index}.err").read_text()
        return (self.tmp_path / f"worker{index}.out").read_text()

    def generated(self) -> list[tuple[int, int]]:
        """(pid, index) of every problem generated so far, in order."""
        if not self.log.exists():
            return []
        return [tuple(map(int, line.split())) for line in self.log.read_text().splitlines()]

    def holding(self, processes: list[subprocess.Popen]) -> bool:
        """Whether each of ``processes`` is inside a shard, held."""
        return {p.pid for p in processes} <= {pid for pid, _ in self.generated()}

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def workers(tmp_path, scheduler_url) -> Iterator[Workers]:
    pool = Workers(tmp_path, build_config_file(tmp_path, tmp_path / "shared"), scheduler_url)
    yield pool
    pool.stop_all()


def test_two_workers_share_a_build_and_match_a_local_build(tmp_path, workers):
    workers.hold.touch()
    first, second = workers.start(), workers.start()
    wait_for(lambda: workers.holding([first, second]), "both workers to take a shard")
    workers.hold.unlink()
    reports = [workers.finish(first), workers.finish(second)]

    indexes = sorted(index for _, index in workers.generated())
    assert indexes == list(range(COUNT)), "a shard was generated twice, or not at all"
    assert {pid for pid, _ in workers.generated()} == {first.pid, second.pid}
    for report in reports:
        assert report.startswith("built scale 0.1.0: 40 problems")
    shared = tmp_path / "shared"
    assert data_bytes(shared / "scale" / "0.1.0") == local_build(tmp_path)
    assert not [p for p in (shared / ".work").rglob("*") if ".tmp-" in p.name]


def test_a_killed_workers_shard_is_finished_by_the_survivor(tmp_path, workers):
    workers.hold.touch()
    doomed, survivor = workers.start(), workers.start()
    wait_for(lambda: workers.holding([doomed, survivor]), "both workers to take a shard")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    interrupted = {index for pid, index in workers.generated() if pid == doomed.pid}
    workers.hold.unlink()

    assert workers.finish(survivor).startswith("built scale 0.1.0: 40 problems")
    redone = {index for pid, index in workers.generated() if pid == survivor.pid}
    assert interrupted and interrupted <= redone
    assert sorted(redone) == list(range(COUNT))
    shared = tmp_path / "shared"
    assert data_bytes(shared / "scale" / "0.1.0") == local_build(tmp_path)

    latecomer = workers.start()
    assert "(published by another worker)" in workers.finish(latecomer)


def test_temporaries_of_live_or_recent_writers_are_kept(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f"a.parquet.tmp-{finished.stdout.strip()}-0badf00d"
    live = tmp_path / f"b.parquet.tmp-{os.getpid()}-0badf00d"
    for path in (dead, live):
        path.write_text("partial")
    assert remove_stale_temporaries(tmp_path, min_age_s=3600) == 0
    assert remove_stale_temporaries(tmp_path) == 1
    assert not dead.exists() and live.exists()


def test_a_shared_work_dir_refuses_a_different_config(tmp_path):
    config = scale_config(tmp_path / "out", seed=1)
    layout = BuildLayout.of(config)
    prepare_work_dir(config, layout, overwrite=False, shared=True)
    prepare_work_dir(config, layout, overwrite=False, shared=True)  # a second worker: fine
    with pytest.raises(BuildError, match="different config"):
        prepare_work_dir(
            scale_config(tmp_path / "out", seed=2), layout, overwrite=False, shared=True
        )


def test_overwrite_is_refused_with_a_scheduler(tmp_path, scheduler_url):
    with pytest.raises(BuildError, match="--overwrite cannot be combined"):
        run_build(
            scale_config(tmp_path / "out", seed=1), overwrite=True, scheduler_url=scheduler_url
        )


def test_an_unreachable_scheduler_is_a_plain_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(BuildError, match="no Luigi scheduler answers there"):
        run_build(scale_config(tmp_path / "out", seed=1), scheduler_url=url)
    assert not (tmp_path / "out" / ".work").exists()
