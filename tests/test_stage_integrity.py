"""Checksummed stage files and re-verification at publish: a damaged intermediate is rebuilt,
never published; a row that does not re-verify stops the publish."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from factory.storage.filesystem import LOCAL
from factory.storage.stage_files import (
    CorruptStageError,
    copy_stage_file,
    read_stage_records,
    read_stage_table,
    sidecar_path,
    stage_is_whole,
    stage_problem,
    tables_kept,
    write_stage_records,
    write_stage_table,
)
from pipelines.build import run_build
from schemas.records import Problem
from tests.test_build import data_bytes, toy_config


def flip_bit(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def built_then_unpublished(out_root: Path):
    """A finished build whose version is removed again (as if it stopped before publishing),
    and the bytes its clean data had."""
    result = run_build(toy_config(out_root))
    reference = data_bytes(result.layout.version_dir)
    shutil.rmtree(result.layout.version_dir)
    return result.layout, reference


def test_a_stage_file_is_whole_only_with_its_matching_record(tmp_path):
    path = tmp_path / "stage" / "00000.parquet"
    assert stage_problem(path, LOCAL) == "missing"
    write_stage_table(pa.table({"x": [1, 2, 3]}), path, LOCAL)
    assert stage_is_whole(path, LOCAL)
    assert read_stage_table(path, LOCAL)["x"].to_pylist() == [1, 2, 3]
    sidecar_path(path).unlink()
    assert "no checksum record" in stage_problem(path, LOCAL)


def test_a_stage_file_is_copied_whole_and_a_damaged_one_never(tmp_path):
    source, target = tmp_path / "a" / "00000.parquet", tmp_path / "b" / "00000.parquet"
    write_stage_table(pa.table({"x": list(range(100))}), source, LOCAL)
    copy_stage_file(source, target, LOCAL)
    assert stage_is_whole(target, LOCAL) and target.read_bytes() == source.read_bytes()
    assert read_stage_table(target, LOCAL)["x"].to_pylist() == list(range(100))
    flip_bit(source, source.stat().st_size // 2)
    with pytest.raises(CorruptStageError):
        copy_stage_file(source, tmp_path / "c" / "00000.parquet", LOCAL)
    assert not sidecar_path(source).exists() and not (tmp_path / "c" / "00000.parquet").exists()


def test_while_tables_are_kept_a_read_of_an_unchanged_file_gets_the_written_table(tmp_path):
    path, copy = tmp_path / "a" / "00000.parquet", tmp_path / "b" / "00000.parquet"
    table = pa.table({"x": list(range(100)), "y": [str(i) for i in range(100)]})
    with tables_kept():
        write_stage_table(table, path, LOCAL)
        copy_stage_file(path, copy, LOCAL)
        assert read_stage_table(path, LOCAL) is table
        assert read_stage_table(copy, LOCAL) is table
        assert read_stage_table(path, LOCAL, ["y"]).equals(table.select(["y"]))
        path.unlink()  # a file changed since it was written is read again
        write_stage_table(pa.table({"x": [1]}), path.with_name("other.parquet"), LOCAL)
        path.write_bytes(path.with_name("other.parquet").read_bytes())
        with pytest.raises(CorruptStageError):
            read_stage_table(path, LOCAL)
    assert read_stage_table(copy, LOCAL) is not table  # outside the block: from the file
    assert read_stage_table(copy, LOCAL).equals(table)


def test_kept_tables_stay_within_their_memory_limit(tmp_path):
    tables = [pa.table({"x": list(range(1000))}) for _ in range(3)]
    with tables_kept(limit=2 * tables[0].nbytes):
        for i, table in enumerate(tables):
            write_stage_table(table, tmp_path / f"{i}.parquet", LOCAL)
        assert read_stage_table(tmp_path / "0.parquet", LOCAL) is not tables[0]  # the oldest
        assert read_stage_table(tmp_path / "2.parquet", LOCAL) is tables[2]


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_stage_file_is_not_whole(tmp_path, damage):
    path = tmp_path / "00000.parquet"
    write_stage_table(pa.table({"x": list(range(100))}), path, LOCAL)
    if damage == "flip":
        flip_bit(path, path.stat().st_size // 2)
        assert "sha256 mismatch" in stage_problem(path, LOCAL)
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        assert "size mismatch" in stage_problem(path, LOCAL)
    assert not stage_is_whole(path, LOCAL)


def test_a_reader_refuses_bytes_that_changed_after_the_check_and_drops_their_record(tmp_path):
    path = tmp_path / "00000.parquet"
    problem = Problem(
        problem_id="p",
        task="toy_sum",
        generator_version="1.0.0",
        seed=1,
        index=0,
        config={},
        prompt="?",
        answer="3",
        payload={"numbers": [1, 2]},
    )
    write_stage_records([problem], Problem, path, LOCAL)
    assert stage_is_whole(path, LOCAL)
    flip_bit(path, 40)
    with pytest.raises(CorruptStageError, match="rerunning the same command rebuilds it"):
        read_stage_records(path, Problem, LOCAL)
    assert not sidecar_path(path).exists()
    assert stage_problem(path, LOCAL) != "missing" and not stage_is_whole(path, LOCAL)


@pytest.mark.parametrize(
    ("stage", "damage"),
    [("problems", "flip"), ("scores", "truncate"), ("traces", "no record")],
)
def test_a_build_rebuilds_a_damaged_stage_file_and_publishes_clean_data(
    out_root, capsys, stage, damage
):
    layout, reference = built_then_unpublished(out_root)
    path = Path(layout.stage_path(stage, "toy_sum", 1))
    if damage == "flip":
        flip_bit(path, path.stat().st_size // 2)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        sidecar_path(path).unlink()
    capsys.readouterr()
    result = run_build(toy_config(out_root))
    assert data_bytes(result.layout.version_dir) == reference
    assert stage_is_whole(path, LOCAL)
    assert f"warning: {path}: " in capsys.readouterr().err


def test_a_row_that_fails_reverification_is_never_published(out_root):
    layout, _ = built_then_unpublished(out_root)
    path = layout.stage_path("problems", "toy_sum", 2)
    problems = read_stage_records(path, Problem, LOCAL)
    wrong = problems[1].model_copy(update={"answer": str(int(problems[1].answer) + 1)})
    # A whole, checksummed file with a wrong label in it: what a bug upstream would write.
    write_stage_records([problems[0], wrong, *problems[2:]], Problem, path, LOCAL)
    with pytest.raises(Exception, match="fail re-verification") as raised:
        run_build(toy_config(out_root))
    assert wrong.problem_id in str(raised.value)
    assert "oracle answer fails" in str(raised.value)
    assert not layout.version_dir.exists()
