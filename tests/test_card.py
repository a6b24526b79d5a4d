"""The dataset card: Hub metadata that `datasets` honours, figures that are real and stable."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from factory.errors import ConfigError
from factory.publish.card import render_card, size_category
from factory.publish.card_data import problem_table
from factory.publish.card_figures import write_figures
from pipelines.build import run_build
from tests.test_build import toy_config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The same config built twice, in two roots, with one and two workers."""
    return [
        run_build(toy_config(tmp_path_factory.mktemp(f"card{workers}")), workers=workers)
        for workers in (1, 2)
    ]


def front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


def test_card_metadata_has_a_config_per_subset_plus_default_all(builds):
    result = builds[0]
    card = (result.layout.version_dir / "README.md").read_text()
    meta = front_matter(card)
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == {"all", *result.manifest.counts}
    assert configs["all"]["default"] is True and meta["configs"][0]["config_name"] == "all"
    assert [c.get("default") for c in meta["configs"][1:]] == [None, None]
    assert meta["license"] == "cc-by-4.0" and meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] and "synthetic" in meta["tags"]
    assert (
        "toy_sum_hard" in card and "seed 7" in card and result.manifest.config_fingerprint in card
    )


def test_data_files_globs_match_exactly_the_published_files(builds):
    result = builds[0]
    version_dir = result.layout.version_dir
    meta = front_matter((version_dir / "README.md").read_text())
    listed = [e.path for e in result.manifest.files if e.path.startswith("data/")]
    for config in meta["configs"]:
        (files,) = config["data_files"]
        assert files["split"] == "train"
        matched = sorted(
            p.relative_to(version_dir).as_posix() for p in version_dir.glob(files["path"])
        )
        subset = config["config_name"]
        expected = [p for p in listed if subset == "all" or p.split("/")[1] == subset]
        assert matched == sorted(expected) and matched


def test_datasets_loads_each_config_from_the_card(builds, tmp_path):
    datasets = pytest.importorskip("datasets")
    result = builds[0]
    counts = {s: sum(levels.values()) for s, levels in result.manifest.counts.items()}
    for name, expected in [*counts.items(), ("all", result.manifest.total)]:
        loaded = datasets.load_dataset(
            str(result.layout.version_dir), name, split="train", cache_dir=str(tmp_path)
        )
        assert loaded.num_rows == expected
    default = datasets.load_dataset(
        str(result.layout.version_dir), split="train", cache_dir=str(tmp_path)
    )
    assert default.num_rows == result.manifest.total


def test_figures_are_pngs_embedded_in_the_card_and_byte_identical_across_builds(builds):
    first, second = (b.layout.version_dir for b in builds)
    figures = sorted(p.relative_to(first).as_posix() for p in (first / "figures").glob("*.png"))
    assert figures == [
        "figures/answer_space.png",
        "figures/solver_effort.png",
        "figures/trace_length.png",
    ]
    card = (first / "README.md").read_text()
    for figure in figures:
        data = (first / figure).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000
        assert data == (second / figure).read_bytes(), figure
        assert f"]({figure})" in card
    assert card == (second / "README.md").read_text()
    listed = {e.path for e in builds[0].manifest.files}
    assert set(figures) <= listed and "README.md" in listed


def test_the_card_shows_the_answer_space_audit_and_the_manifest_holds_it(builds):
    version_dir, manifest = builds[0].layout.version_dir, builds[0].manifest
    card = (version_dir / "README.md").read_text()
    section = card.split("## Answer-space audit", 1)[1]
    assert "| subset | level | n | space | chance | best constant |" in section
    assert "![What guessing wins, per subset and level](figures/answer_space.png)" in section
    groups = {(g["subset"], g["level"]) for g in manifest.audit}
    assert groups == {(s, int(level)) for s, levels in manifest.counts.items() for level in levels}
    assert all(g["structural_duplicates"] is None for g in manifest.audit)  # dedup: none left


def test_teacher_figures_appear_when_pass_rates_are_known(builds, tmp_path):
    """Pass rates and buckets as a graded teacher build publishes them (values by index)."""
    result = builds[0]
    problems = problem_table(result.layout.version_dir, result.manifest)
    rates = [(i % 5) / 4 for i in range(problems.num_rows)]
    buckets = ["hard", "medium", "easy"]
    problems = problems.set_column(
        problems.schema.get_field_index("pass_rate"), "pass_rate", pa.array(rates)
    ).set_column(
        problems.schema.get_field_index("difficulty"),
        "difficulty",
        pa.array([buckets[i % 3] for i in range(problems.num_rows)]),
    )
    traces = {
        "teacher": pa.table(
            {"subset": ["toy_sum", "toy_sum_hard"], "length": [12, 40]},
            metadata={"unit": "tokens"},
        )
    }
    written = write_figures(tmp_path, problems, traces, buckets)
    names = [Path(f.path).name for f in written]
    assert names == [
        "solver_effort.png",
        "difficulty_buckets.png",
        "trace_length.png",
        "pass_rate_by_level.png",
    ]
    again = write_figures(tmp_path / "again", problems, traces, buckets)
    for figure in written:
        assert png_size(tmp_path / figure.path)[0] >= 800, figure.path
        data = (tmp_path / figure.path).read_bytes()
        assert (
            data.startswith(PNG_MAGIC) and data == (tmp_path / "again" / figure.path).read_bytes()
        )
    assert [f.path for f in again] == [f.path for f in written]


def test_teacher_traces_get_their_own_config(builds):
    manifest = builds[0].manifest
    entry = manifest.files[0].model_copy(
        update={"path": "teacher_traces/toy_sum/train-00000.parquet"}
    )
    with_traces = manifest.model_copy(update={"files": [*manifest.files, entry]})
    meta = front_matter(render_card(with_traces, [], []))
    (config,) = [c for c in meta["configs"] if c["config_name"] == "teacher_traces"]
    assert config["data_files"] == [{"split": "train", "path": "teacher_traces/*/*.parquet"}]


def test_sample_fences_survive_backticks_in_the_text(builds):
    sample = {
        "subset": "s",
        "level": None,
        "solver_effort": 1.0,
        "prompt": "a ``` b",
        "answer": "1",
    }
    card = render_card(builds[0].manifest, [], [sample])
    assert "````\na ``` b\n````" in card and "default level" in card


@pytest.mark.parametrize(
    ("rows", "label"),
    [
        (0, "n<1K"),
        (999, "n<1K"),
        (1_000, "1K<n<10K"),
        (99_999, "10K<n<100K"),
        (100_000, "100K<n<1M"),
        (5_000_000, "1M<n<10M"),
        (10**8, "100M<n<1B"),
        (10**12, "n>1T"),
    ],
)
def test_size_category_uses_the_hub_buckets(rows, label):
    assert size_category(rows) == label


@pytest.mark.parametrize("name", ["all", "teacher_traces"])
def test_subset_names_the_card_needs_are_refused(tmp_path, name):
    tasks = [{"task": "toy_sum", "name": name, "count": 2}]
    with pytest.raises(ConfigError, match=rf"tasks\[0\]: subset name '{name}' is taken"):
        toy_config(tmp_path, tasks=tasks)


def test_the_card_shows_a_sample_of_every_subset(tmp_path):
    tasks = [{"task": "toy_sum", "name": f"sums_{i}", "count": 2} for i in range(5)]
    result = run_build(toy_config(tmp_path, tasks=tasks))
    version_dir, manifest = result.layout.version_dir, result.manifest
    samples = (version_dir / "README.md").read_text().split("## Samples", 1)[1]
    assert len(manifest.counts) == 5
    for subset in manifest.counts:
        assert f"`{subset}`, level" in samples or f"`{subset}`, default level" in samples


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header.startswith(PNG_MAGIC)
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_the_fields_section_names_every_published_column_and_why_one_is_empty(builds):
    import pyarrow.parquet as pq

    version_dir = builds[0].layout.version_dir
    fields = (version_dir / "README.md").read_text().split("## Fields", 1)[1].split("\n## ")[0]
    data = pq.read_table(sorted((version_dir / "data").rglob("*.parquet"))[0])
    listed = re.findall(r"^- `(\w+)`: (.+)$", fields, re.MULTILINE)
    assert [name for name, _ in listed] == data.column_names
    why = dict(listed)
    for name in data.column_names:
        all_null = data[name].null_count == data.num_rows
        assert ("null in every row: " in why[name]) == all_null, name
    assert why["pass_rate"].endswith("null in every row: this build ran no teacher")
    assert why["difficulty"].endswith("null in every row: this build has no `grading` section")
    assert why["search_nodes"].endswith("this build has no search-trace task")
    assert "null in every row" not in why["solver_effort"]


def test_every_column_of_every_published_file_has_a_description():
    from factory.publish.card_fields import GROUPS, columns_of, description

    for group in GROUPS:
        for column in columns_of(group):
            assert description(group, column), f"{group}: column {column} has no description"


def test_every_figure_is_wide_enough_for_the_hub(builds, tmp_path):
    version_dir = builds[0].layout.version_dir
    figures = sorted((version_dir / "figures").glob("*.png"))
    assert figures
    for figure in figures:
        width, _ = png_size(figure)
        assert width >= 800, (figure.name, width)


def png_chunks(path: Path) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    data, at, chunks = path.read_bytes(), len(PNG_MAGIC), []
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def test_figures_are_rgb_pngs_without_text_chunks(builds):
    """Opaque figures need no alpha channel, and no text chunk (Software, a date) may
    make two builds' bytes differ."""
    for figure in sorted((builds[0].layout.version_dir / "figures").glob("*.png")):
        assert figure.read_bytes()[25] == 2, figure.name  # IHDR colour type 2: RGB
        chunks = png_chunks(figure)
        assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", figure.name
        assert set(chunks) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"}, figure.name


def test_the_sample_is_the_first_row_of_a_data_file(builds):
    import pyarrow.parquet as pq

    from factory.publish.card_data import _first_row

    path = sorted((builds[0].layout.version_dir / "data").rglob("*.parquet"))[0]
    columns = ["level", "prompt", "answer", "solver_effort"]
    table = pq.read_table(path, columns=columns)
    assert table.num_rows > 1
    assert _first_row(path) == table.slice(0, 1).to_pylist()[0]


def test_model_trace_files_get_their_own_fields_list(builds):
    from factory.publish.card_fields import columns_of

    empty = {"data": set(), "teacher_traces": {"tokens", "rv"}}
    card = render_card(builds[0].manifest, [], [], empty=empty)
    section = card.split("Columns of `teacher_traces/<subset>/*.parquet`:", 1)[1]
    names = re.findall(r"^- `(\w+)`", section, re.MULTILINE)
    assert names == columns_of("teacher_traces")
    assert "- `tokens`: verbosity: tokens" in section
    assert "null in every row: this build measured no verbosity" in section
    assert "`rsd_traces/" not in card


def test_the_answer_space_bars_are_as_long_as_their_win_rates(tmp_path):
    """Each group's best-constant bar (first colour) reaches its win rate on the axis, the
    rows in the audit's order from the top."""
    import numpy as np
    from PIL import Image

    from factory.publish.card_figures import LEGEND_ROOM, _guesses
    from factory.publish.chart import PALETTE

    bars = [("a 1", 0.10, 0.02, 0.05), ("b 1", 0.40, 0.01, 0.05), ("c 1", 0.25, 0.03, 0.05)]
    canvas = _guesses(bars)
    canvas.save(tmp_path / "guesses.png")
    pixels = np.asarray(Image.open(tmp_path / "guesses.png"))
    blue = np.all(pixels == PALETTE[0], axis=-1)
    blue[:LEGEND_ROOM] = False  # the legend's swatch
    rows = [r for r in range(blue.shape[0]) if blue[r].any()]
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)  # one run of rows per bar
    tops = [run[0] for run in runs]
    lengths = [int(blue[run[len(run) // 2]].sum()) for run in runs]
    assert tops == sorted(tops) and len(lengths) == 3
    assert lengths[1] > lengths[2] > lengths[0]
    assert abs(lengths[1] / lengths[0] - 4.0) < 0.1 and abs(lengths[2] / lengths[0] - 2.5) < 0.1
