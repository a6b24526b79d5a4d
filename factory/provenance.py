"""Code version and config fingerprint recorded in manifests."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import factory
from generators.registry import get_task
from schemas.arrow import canonical_json
from schemas.config import BuildConfig


def git_commit() -> str | None:
    """Commit of the checkout the code runs from, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(factory.__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def code_version() -> dict[str, Any]:
    return {"package": "reasoning-factory", "version": factory.__version__, "git": git_commit()}


def generator_versions(config: BuildConfig) -> dict[str, str]:
    return {spec.task: get_task(spec.task).version for spec in config.tasks}


# How a model is reached and paced, not what it answers: each request's answer (and so
# its cache key) is the same whatever these are. Timeouts and retries decide only whether
# a request fails, and failures are asked again by a rerun (``--retry-failed``).
MODEL_RUN_OPTIONS = {
    name: True
    for name in (
        "concurrency",
        "timeout_s",
        "max_retries",
        "requests_per_minute",
        "tokens_per_minute",
        "api_key_env",
        "cache_dir",
    )
}
# Where and how a build runs, never what it makes: left out of the fingerprint (so an
# unfinished build resumes after changing them) and of the manifest's config (so the
# version has the same bytes). ``rsd.in_flight`` batches samples whose tokens do not
# depend on it; ``grading.min_problems`` only decides whether the build fails.
RUN_OPTIONS: dict[str, Any] = {
    "workers": True,
    "output_root": True,
    "teacher": MODEL_RUN_OPTIONS,
    "rsd": {
        "in_flight": True,
        "cache_dir": True,
        "teacher": MODEL_RUN_OPTIONS,
        "student": MODEL_RUN_OPTIONS,
    },
    "verbosity": {"judge": MODEL_RUN_OPTIONS},
    "grading": {"min_problems": True},
}


def data_config(config: BuildConfig) -> dict[str, Any]:
    """The config as the manifest records it: everything but ``RUN_OPTIONS``."""
    return config.model_dump(mode="json", exclude=RUN_OPTIONS)


def config_fingerprint(config: BuildConfig) -> str:
    """Hash of everything that determines the data: the config (less ``RUN_OPTIONS``)
    and the generator versions."""
    payload = {"config": data_config(config), "generators": generator_versions(config)}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:16]
