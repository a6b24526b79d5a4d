"""The scheduling process imports, before Luigi forks its workers, what each task would
otherwise import again in its own short-lived process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import sys
from pipelines.build import import_for_workers
import_for_workers()
before = set(sys.modules)
import pyarrow as pa
pa.array([1, 2]).to_pylist()
print(sorted(set(sys.modules) - before))
"""


def test_building_arrays_after_import_for_workers_imports_nothing_more() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


PANDAS_PROBE = """
import sys
from pipelines.build import import_for_workers
import_for_workers()
import pyarrow as pa
pa.table({"x": ["a", "b"]}).column("x").to_pylist()
print("pandas" in sys.modules)
print(type(pa.table({"x": [1]}).to_pandas()).__name__, pa.array(sys.modules["pandas"].Series([1])))
"""


def test_arrays_are_built_without_importing_pandas_which_still_imports_when_asked_for() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PANDAS_PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    first, second = done.stdout.splitlines()[:2]
    assert first == "False"
    assert second.startswith("DataFrame")
