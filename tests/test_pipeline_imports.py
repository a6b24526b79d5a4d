"""``pipelines.imports``: optional dependencies hidden from a build's libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.imports import modules_hidden

REPO = Path(__file__).resolve().parents[1]


def test_a_hidden_module_fails_to_import_only_inside_the_block() -> None:
    name = "wave"  # a stdlib module nothing here imports
    sys.modules.pop(name, None)
    with modules_hidden(name), pytest.raises(ModuleNotFoundError, match="hidden"):
        __import__(name)
    assert __import__(name).__name__ == name
    with modules_hidden(name):  # imported already: nothing to hide
        assert __import__(name) is sys.modules[name]


def test_the_build_workflow_imports_luigi_without_jsonschema() -> None:
    modules = "'luigi' in sys.modules, 'jsonschema' in sys.modules"
    probe = f"import sys, pipelines.build; print({modules})"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False"]
