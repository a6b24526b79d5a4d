"""Bad configs are refused before any work starts, with the file and field named."""

from __future__ import annotations

import pytest

from factory.config import load_build_config
from factory.errors import ConfigError

GOOD = """
name: demo
seed: 1
tasks:
  - task: knights_knaves
    count: 10
    levels: [1, 5, 10]
  - task: nlsat
    count: 10
    knobs: {alpha: 3.5, question: assignment}
"""


def write(tmp_path, text: str):
    path = tmp_path / "build.yaml"
    path.write_text(text)
    return path


def test_good_config_loads(tmp_path):
    config = load_build_config(write(tmp_path, GOOD))
    assert [spec.subset for spec in config.tasks] == ["knights_knaves", "nlsat"]
    assert config.tasks[1].knobs == {"alpha": 3.5, "question": "assignment"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("task: nlsat", "task: nlsatt"), r"tasks\[1\]\.task: unknown task 'nlsatt'"),
        (("levels: [1, 5, 10]", "levels: [1, 11]"), r"tasks\[0\].*11 is outside 1\.\.10"),
        (("knobs: {alpha: 3.5", "knobs: {alpha: 0"), r"tasks\[1\]\.knobs\.alpha: .*greater than 0"),
        (("knobs: {alpha: 3.5", "knobs: {alpha: -1"), r"tasks\[1\]\.knobs\.alpha"),
        (("levels: [1, 5, 10]", "knobs: {n_people: 1}"), r"tasks\[0\]\.knobs\.n_people"),
        (("knobs: {alpha: 3.5", "knobs: {colour: 3"), r"tasks\[1\]\.knobs\.colour: Extra"),
        (("count: 10\n    levels", "count: 0\n    levels"), r"tasks\[0\]\.count"),
        (("seed: 1", "seed: 1\nshard_sise: 4"), r"shard_sise: Extra inputs"),
        (("name: demo", "name: ../evil"), r"name: String should match"),
    ],
)
def test_bad_config_names_the_field(tmp_path, edit, message):
    old, new = edit
    assert old in GOOD
    with pytest.raises(ConfigError, match=message) as error:
        load_build_config(write(tmp_path, GOOD.replace(old, new, 1)))
    assert str(tmp_path / "build.yaml") in str(error.value)


def test_knob_invalid_at_one_level_names_the_level(tmp_path):
    text = GOOD.replace("levels: [1, 5, 10]", "levels: [1, 5, 10]\n    knobs: {depth: 9}")
    with pytest.raises(ConfigError, match=r"tasks\[0\]\.knobs\.depth: .*\(at level 1\)"):
        load_build_config(write(tmp_path, text))


def test_malformed_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"malformed YAML at line \d+"):
        load_build_config(write(tmp_path, GOOD + "  - task: [unclosed\n"))


def test_non_mapping_and_missing_files_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_build_config(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(ConfigError, match="cannot read config"):
        load_build_config(tmp_path / "missing.yaml")


def test_duplicate_subset_is_refused(tmp_path):
    text = GOOD.replace("task: nlsat", "task: knights_knaves").replace(
        "knobs: {alpha: 3.5, question: assignment}", "knobs: {}"
    )
    with pytest.raises(ConfigError, match="subset 'knights_knaves' appears twice"):
        load_build_config(write(tmp_path, text))
