"""Scale-out figures: a mixed, model-free build of up to 1,000,000 problems.

Run: ``python bench/bench_scale.py [--sizes 100000 1000000] [--workers 1 2] [--luigid]``.
Each configuration is a fresh ``factory build`` in its own process tree (so one run's
memory cannot leak into the next): with ``--workers N`` on the in-process scheduler, or
with ``--luigid`` as N separate ``factory build --scheduler-url`` invocations sharing a
``luigid`` started here. Printed per configuration: problems/s (wall clock, start to
published version), the peak RSS of the whole process tree (the sum over the build's
processes, sampled every 0.2 s) and the largest single-process RSS the kernel saw
(``ru_maxrss`` of the reaped tree). Last line: peak tree RSS at the largest size over
the smallest, per worker count (target: at most 1.2).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SAMPLE_S = 0.2
MB = 1 << 20

# (task, share of the problems, levels): fast generators at low and mid levels.
MIX = [
    ("knights_knaves", 0.20, [1, 2, 3]),
    ("nlsat", 0.05, [1, 2]),
    ("cipher", 0.15, [1, 3, 5]),
    ("dyck_language", 0.15, [1, 3, 5]),
    ("web_of_lies", 0.15, [1, 3, 5]),
    ("operation", 0.10, [1, 3]),
    ("boolean_expressions", 0.10, [1, 3]),
    ("goods_exchange", 0.10, [1, 3]),
]


@dataclass(frozen=True)
class Figures:
    size: int
    workers: int
    seconds: float
    peak_tree_rss: int
    max_process_rss: int

    @property
    def rate(self) -> float:
        return self.size / self.seconds


def write_config(path: Path, root: Path, size: int, shard_size: int) -> None:
    counts = [round(size * share) for _, share, _ in MIX]
    counts[0] += size - sum(counts)
    tasks = "".join(
        f"  - {{task: {name}, count: {count}, levels: {levels}}}\n"
        for (name, _, levels), count in zip(MIX, counts, strict=True)
    )
    # dedup off: the low levels of this mix hold far fewer distinct problems than a million
    # draws, and the figure is the pipeline's memory (dedup adds two 64-bit keys a problem)
    path.write_text(
        f"name: scale\nseed: 1\noutput_root: {root}\nshard_size: {shard_size}\ndedup: false\n"
        f"tasks:\n{tasks}"
    )


class TreeSampler(threading.Thread):
    """The largest sum of RSS over the given processes and all their descendants."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.roots = [psutil.Process(pid) for pid in pids]
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.peak = max(self.peak, self.sample())

    def sample(self) -> int:
        total = 0
        for root in self.roots:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in tree:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += process.memory_info().rss
        return total


def factory_build(config: Path, log: Path, *flags: str) -> subprocess.Popen:
    """A build whose output goes to ``log`` (shown if it fails)."""
    command = [sys.executable, "-m", "cli.main", "build", str(config), *flags]
    with log.open("w") as sink:
        return subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)


def reap(process: subprocess.Popen, log: Path) -> int:
    """Wait for ``process``; the largest RSS of it and its reaped descendants (bytes)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text()[-2000:]
        raise SystemExit(f"{process.args} exited {process.returncode}:\n{tail}")
    return usage.ru_maxrss * 1024


def run_one(size: int, workers: int, shard_size: int, scheduler_url: str | None) -> Figures:
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        config = work / "scale.yaml"
        write_config(config, work / "out", size, shard_size)
        start = time.perf_counter()
        if scheduler_url is None:
            invocations = [("--workers", str(workers))]
        else:
            invocations = [("--scheduler-url", scheduler_url, "--workers", "1")] * workers
        logs = [work / f"build{i}.log" for i in range(len(invocations))]
        processes = [
            factory_build(config, log, *f) for log, f in zip(logs, invocations, strict=True)
        ]
        sampler = TreeSampler([p.pid for p in processes])
        sampler.start()
        max_rss = max(reap(p, log) for p, log in zip(processes, logs, strict=True))
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        return Figures(size, workers, seconds, sampler.peak, max_rss)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def start_luigid(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (home / "luigi.cfg").write_text(f"[scheduler]\nstate_path = {home / 'state.pickle'}\n")
    process = subprocess.Popen(
        [Path(sys.executable).with_name("luigid"), "--address", "127.0.0.1", "--port", str(port)]
        + ["--logdir", str(home)],
        env={**os.environ, "LUIGI_CONFIG_PATH": str(home / "luigi.cfg")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("luigid did not start")


def row(f: Figures) -> str:
    return (
        f"{f.size:>10} {f.workers:>7} {f.seconds:>8.1f} {f.rate:>10.0f} "
        f"{f.peak_tree_rss / MB:>11.0f} MB {f.max_process_rss / MB:>10.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shard-size", type=int, default=5_000)
    parser.add_argument(
        "--luigid", action="store_true", help="N worker invocations sharing a luigid"
    )
    args = parser.parse_args()
    luigid, url = None, None
    home = Path(tempfile.mkdtemp(prefix="bench-luigid-"))
    if args.luigid:
        luigid, url = start_luigid(home)
    mode = "luigid" if args.luigid else "local scheduler"
    print(f"mixed build, no model, shard_size {args.shard_size}, {mode}; {os.cpu_count()} CPUs")
    print(
        f"{'problems':>10} {'workers':>7} {'seconds':>8} {'problems/s':>10} "
        f"{'peak tree RSS':>14} {'max proc RSS':>13}"
    )
    results: list[Figures] = []
    try:
        for workers in args.workers:
            for size in args.sizes:
                figures = run_one(size, workers, args.shard_size, url)
                results.append(figures)
                print(row(figures), flush=True)
    finally:
        if luigid is not None:
            luigid.terminate()
            luigid.wait()
        shutil.rmtree(home, ignore_errors=True)
    small, large = min(args.sizes), max(args.sizes)
    for workers in args.workers:
        by_size = {f.size: f for f in results if f.workers == workers}
        if small != large:
            ratio = by_size[large].peak_tree_rss / by_size[small].peak_tree_rss
            print(f"workers={workers}: peak tree RSS at {large} / at {small} = {ratio:.2f}x")


if __name__ == "__main__":
    main()
