"""Checksummed stage files and re-verification at publish: a damaged intermediate is rebuilt,
never published; a row that does not re-verify stops the publish."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import pyarrow as pa
import pytest

from factory.storage.filesystem import LOCAL, LocalStorage
from factory.storage.stage_files import (
    CorruptStageError,
    copy_stage_file,
    read_stage_records,
    read_stage_table,
    settle_stage_writes,
    sidecar_path,
    stage_is_whole,
    stage_problem,
    tables_kept,
    write_stage_records,
    write_stage_table,
)
from factory.storage.stage_memory import WRITES_AHEAD
from pipelines.build import run_build
from pipelines.tasks import GenerateShard
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
    with tables_kept(table_bytes=2 * tables[0].nbytes):
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


def toy_problem(index: int) -> Problem:
    return Problem(
        problem_id=f"p{index}",
        task="toy_sum",
        generator_version="1.0.0",
        seed=1,
        index=index,
        config={},
        prompt="?",
        answer=str(index + 3),
        payload={"numbers": [1, index + 2]},
    )


def test_a_reader_refuses_bytes_that_changed_after_the_check_and_drops_their_record(tmp_path):
    path = tmp_path / "00000.parquet"
    write_stage_records([toy_problem(0)], Problem, path, LOCAL)
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


@dataclass(frozen=True)
class GatedStorage(LocalStorage):
    """Local disk whose writes wait until ``gate`` is set; a path holding ``failing`` fails."""

    gate: threading.Event = field(default_factory=threading.Event)
    failing: str = "\0"

    @contextmanager
    def writing(self, path):
        assert self.gate.wait(10)
        if self.failing in str(path):
            raise OSError(f"{path}: no space left on device")
        with super().writing(path) as tmp:
            yield tmp


def test_a_file_written_behind_counts_as_whole_and_is_read_from_memory_until_it_lands(
    tmp_path,
):
    gate = threading.Event()
    storage = GatedStorage(gate=gate)
    table = pa.table({"x": list(range(100))})
    paths = [tmp_path / "a" / f"{i:05d}.parquet" for i in range(3)]
    with tables_kept(write_behind=True):
        for path in paths:
            write_stage_table(table, path, storage)
        assert not any(path.exists() for path in paths)  # the writer waits on the gate
        assert stage_is_whole(paths[0], storage)
        assert read_stage_table(paths[1], storage) is table
        gate.set()
        copy_stage_file(paths[1], tmp_path / "b.parquet", storage)  # a copy needs the bytes
        assert paths[1].exists() and stage_is_whole(tmp_path / "b.parquet", LOCAL)
    assert all(stage_is_whole(path, LOCAL) for path in paths)  # all landed with the block
    direct = tmp_path / "direct.parquet"
    write_stage_table(table, direct, LOCAL)
    assert paths[2].read_bytes() == direct.read_bytes()
    assert sidecar_path(paths[2]).read_text() == sidecar_path(direct).read_text()


def test_the_first_reader_of_kept_records_gets_them_and_later_readers_decode(tmp_path):
    problems = [toy_problem(i) for i in range(3)]
    path, copy = tmp_path / "a.parquet", tmp_path / "b.parquet"
    for write_behind in (True, False):
        with tables_kept(write_behind=write_behind):
            write_stage_records(problems, Problem, path, LOCAL)
            copy_stage_file(path, copy, LOCAL)
            first, second = (read_stage_records(copy, Problem, LOCAL) for _ in range(2))
            assert all(a is b for a, b in zip(first, problems, strict=True))
            assert second == problems and not any(
                a is b for a, b in zip(second, problems, strict=True)
            )
            assert read_stage_records(path, Problem, LOCAL) == problems  # copied: taken too
    assert read_stage_records(path, Problem, LOCAL)[0] is not problems[0]


def test_at_most_writes_ahead_files_wait_for_the_writer(tmp_path):
    gate = threading.Event()
    storage = GatedStorage(gate=gate)
    handed: list[int] = []

    def hand_over() -> None:
        for i in range(WRITES_AHEAD + 2):
            write_stage_table(pa.table({"x": [i]}), tmp_path / f"{i}.parquet", storage)
            handed.append(i)

    with tables_kept(write_behind=True):
        writer = threading.Thread(target=hand_over)
        writer.start()
        deadline = time.monotonic() + 10
        while len(handed) < WRITES_AHEAD and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert len(handed) == WRITES_AHEAD  # the next one waits for the oldest write
        gate.set()
        writer.join(10)
    assert handed == list(range(WRITES_AHEAD + 2))
    assert all(stage_is_whole(tmp_path / f"{i}.parquet", LOCAL) for i in handed)


def test_a_write_that_failed_behind_raises_before_publishing_and_at_the_block_end(
    tmp_path,
):
    gate = threading.Event()
    gate.set()
    storage = GatedStorage(gate=gate, failing="bad")
    with pytest.raises(OSError, match="no space left"), tables_kept(write_behind=True):
        write_stage_table(pa.table({"x": [1]}), tmp_path / "bad" / "0.parquet", storage)
        write_stage_table(pa.table({"x": [2]}), tmp_path / "good" / "0.parquet", storage)
        settle_stage_writes()
    assert not (tmp_path / "bad").exists()
    assert stage_is_whole(tmp_path / "good" / "0.parquet", LOCAL)
    with pytest.raises(OSError, match="no space left"), tables_kept(write_behind=True):
        write_stage_table(pa.table({"x": [1]}), tmp_path / "bad" / "1.parquet", storage)
    # the block's own exception wins; the pending writes still land
    with pytest.raises(KeyError), tables_kept(write_behind=True):
        write_stage_table(pa.table({"x": [3]}), tmp_path / "good" / "1.parquet", storage)
        raise KeyError("the block failed")
    assert stage_is_whole(tmp_path / "good" / "1.parquet", LOCAL)


def _write_in_child(path: Path) -> None:
    write_stage_table(pa.table({"x": [7]}), path, LOCAL)


def test_a_forked_worker_writes_its_stage_files_itself(tmp_path):
    path = tmp_path / "child.parquet"
    with tables_kept(write_behind=True):
        child = multiprocessing.get_context("fork").Process(target=_write_in_child, args=(path,))
        child.start()
        child.join(30)
        assert child.exitcode == 0
        assert stage_is_whole(path, LOCAL)


def test_stage_files_written_behind_are_the_bytes_of_a_build_with_worker_processes(tmp_path):
    behind = run_build(toy_config(tmp_path / "behind"), workers=1)
    forked = run_build(toy_config(tmp_path / "forked"), workers=2)

    def stage_bytes(work_dir: PurePath) -> dict[str, bytes]:
        root = Path(work_dir)
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*.parquet*"))
        }

    written = stage_bytes(behind.layout.work_dir)
    assert len(written) > 20 and written == stage_bytes(forked.layout.work_dir)


def test_a_task_found_complete_stays_so_only_while_this_process_alone_runs_the_workflow(
    tmp_path,
):
    result = run_build(toy_config(tmp_path))
    layout = result.layout
    task = GenerateShard(work_dir=layout.url(layout.work_dir), subset="toy_sum", shard=0)
    candidates = Path(layout.stage_path("candidates", "toy_sum", 0))
    with tables_kept(write_behind=True):
        assert task.complete()
        candidates.unlink()  # nothing in a running build does this
        assert task.complete()  # answered from memory
    assert not task.complete()
    with tables_kept():  # other processes may run tasks: every answer is checked
        assert not task.complete()
