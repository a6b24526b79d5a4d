"""The SynLogic tasks as a suite: listed by the CLI, mixed in one build."""

from __future__ import annotations

import pyarrow.parquet as pq

from cli.main import main
from factory.config import parse_build_config
from generators.registry import get_task, synlogic_task_names
from pipelines.build import run_build


def test_every_synlogic_task_is_registered_and_listed(capsys):
    names = synlogic_task_names()
    assert len(names) == 35
    main(["tasks"])
    listed = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()}
    for name in names:
        task = get_task(name)
        assert task.name == name and sorted(task.LEVELS) == list(range(1, 11))
        assert listed[name] == f"v{task.version}"


def test_synlogic_tasks_mix_in_one_build(tmp_path):
    names = synlogic_task_names()
    config = parse_build_config(
        {
            "name": "synlogic-mix",
            "seed": 3,
            "output_root": str(tmp_path),
            "shard_size": 4,
            "tasks": [{"task": name, "count": 4, "levels": [1, 6]} for name in names],
        }
    )
    result = run_build(config, workers=2)
    assert set(result.manifest.counts) == set(names)
    assert result.manifest.total == 4 * len(names)
    for entry in result.manifest.files:
        if not entry.path.startswith("data/"):
            continue  # the card and its figures
        table = pq.read_table(result.layout.version_dir / entry.path)
        assert set(table.column("verify_score").to_pylist()) == {1.0}
        assert set(table.column("level").to_pylist()) == {1, 6}
