"""A build leaves its records to reference counting, not to the cyclic collector (issue 18).

The CPU stages run with the collector off (``pipelines.collection.collector_paused``), which is
cheap only while nothing they hold ends up in a reference cycle. The publish is where that
happened: Matplotlib's first drawing (the card's figures were drawn with it) left cycles
through every frame it ran under, and the frame that held the audited problems kept all of
them alive until a full collection.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

# In a fresh process, as a real build runs: build with the collector off throughout, then
# count what a collection finds by type.
SCRIPT = """
import gc, json, sys
from collections import Counter
from factory.config import load_build_config
from pipelines.build import run_build
gc.disable()
run_build(load_build_config(sys.argv[1]), workers=1, progress="plain")
class Loop:  # one known cycle, so that the check shows it can find one
    pass
loop = Loop()
loop.itself = loop
del loop
gc.set_debug(gc.DEBUG_SAVEALL)
gc.collect()
print(json.dumps(Counter(type(item).__name__ for item in gc.garbage)))
"""


def test_a_build_leaves_no_problem_or_trace_in_cyclic_garbage(tmp_path: Path) -> None:
    config = {
        "name": "garbage",
        "version": "0.1.0",
        "seed": 7,
        "output_root": str(tmp_path / "out"),
        "shard_size": 20,
        "tasks": [
            {"task": "knights_knaves", "count": 40, "levels": [1, 3]},
            {"task": "sudoku", "count": 20, "levels": [1]},
        ],
    }
    path = tmp_path / "garbage.yaml"
    path.write_text(yaml.safe_dump(config))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    garbage = json.loads(done.stdout.strip().splitlines()[-1])
    assert (tmp_path / "out" / "garbage" / "0.1.0" / "manifest.json").exists()
    assert garbage.get("Loop") == 1  # the check sees a cycle where there is one
    for record in ("Problem", "Trace", "Verdict", "Scores", "Sample", "SampleCollector"):
        assert garbage.get(record, 0) == 0, (record, garbage)
