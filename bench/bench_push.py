"""Push and reload time of a 100k-row dataset against the local Hub-compatible server.

Run: ``python bench/bench_push.py [--problems 100000] [--tasks knights_knaves,game_of_24,nlsat]
[--root DIR]``. It builds the dataset with the real workflow (or reuses the version
already under ``--root``), starts ``tests/hub_server.py`` on 127.0.0.1 and times, in
this process and through the real clients:

- push: ``factory.publish.hub.push_version`` into a new repo (verification, LFS uploads,
  commit, tag);
- re-push: the same version again (verification and a tree comparison, no commit);
- reload cold: ``datasets.load_dataset(REPO, "all", split="train")`` with an empty cache;
- reload warm: the same call again, from the local cache after a revision check.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hub_server import HubServer  # noqa: E402

TOKEN = "hf_bench_token"


def build(root: Path, problems: int, tasks: list[str], workers: int) -> Path:
    """Build (or reuse) ``bench-push`` 0.1.0 under ``root`` with ``problems`` rows in all."""
    from factory.config import parse_build_config
    from pipelines.build import run_build

    counts = [problems // len(tasks) + (i < problems % len(tasks)) for i in range(len(tasks))]
    config = parse_build_config(
        {
            "name": "bench-push",
            "seed": 1,
            "output_root": str(root),
            "shard_size": 10_000,
            "tasks": [
                {"task": t, "count": c, "levels": [1, 2, 3, 4]}
                for t, c in zip(tasks, counts, strict=True)
            ],
        }
    )
    version_dir = root / "bench-push" / "0.1.0"
    if version_dir.exists():
        print(f"reusing {version_dir}")
        return version_dir
    started = time.perf_counter()
    run_build(config, workers=workers)
    print(f"built {problems} problems in {time.perf_counter() - started:.1f} s")
    return version_dir


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label:<14} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--tasks", default="knights_knaves,game_of_24,nlsat")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=None, help="reuse a build kept here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch, HubServer(TOKEN) as hub:
        # huggingface_hub reads these when it is imported, which happens below.
        os.environ.update(
            HF_ENDPOINT=hub.url,
            HF_HUB_DISABLE_XET="1",
            HF_HUB_OFFLINE="0",
            HF_TOKEN=TOKEN,
            HF_HOME=str(Path(scratch) / "hf_home"),
            HF_HUB_DISABLE_PROGRESS_BARS="1",
        )
        root = args.root or Path(scratch) / "out"
        version_dir = build(root, args.problems, args.tasks.split(","), args.workers)

        import datasets

        from factory.publish.hub import push_version
        from factory.publish.integrity import load_verified_manifest

        datasets.disable_progress_bars()
        manifest = load_verified_manifest(version_dir)
        megabytes = sum(entry.bytes for entry in manifest.files) / 1e6
        files = len(manifest.files)
        print(f"dataset        {manifest.total} rows, {files} files, {megabytes:.1f} MB")
        pushed = timed("push", lambda: push_version(version_dir, "bench/push"))
        again = timed("re-push", lambda: push_version(version_dir, "bench/push"))
        assert pushed.committed and not again.committed

        def reload() -> int:
            return datasets.load_dataset("bench/push", "all", split="train").num_rows

        rows = timed("reload cold", reload)
        timed("reload warm", reload)
        assert rows == manifest.total, (rows, manifest.total)


if __name__ == "__main__":
    main()
