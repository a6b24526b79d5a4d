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


def config_fingerprint(config: BuildConfig) -> str:
    """Hash of everything that determines the data: the config and the generator versions.

    ``workers`` and ``output_root`` change how and where the build runs, not what it
    makes, so they are left out.
    """
    data = config.model_dump(mode="json", exclude={"workers", "output_root"})
    payload = {"config": data, "generators": generator_versions(config)}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:16]
