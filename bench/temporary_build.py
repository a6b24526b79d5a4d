"""For benches that measure what a build did: build a config once into a temporary root."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factory.config import load_build_config  # noqa: E402
from pipelines.build import BuildResult, run_build  # noqa: E402
from schemas.config import BuildConfig  # noqa: E402


def build_arguments(description: str) -> argparse.Namespace:
    """``[CONFIG] [--workers N]``, the quick start by default."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("config", nargs="?", default=str(REPO / "configs/quickstart.yaml"))
    parser.add_argument("--workers", type=int, default=1)
    return parser.parse_args()


@contextmanager
def temporary_build(
    config_path: str, workers: int
) -> Iterator[tuple[BuildConfig, BuildResult, float]]:
    """The config (with the temporary output root), the build's result and its wall-clock
    seconds; the root is removed on exit."""
    with tempfile.TemporaryDirectory(prefix="bench-build-") as root:
        config = load_build_config(config_path).model_copy(update={"output_root": root})
        start = time.perf_counter()
        result = run_build(config, workers=workers)
        yield config, result, time.perf_counter() - start
