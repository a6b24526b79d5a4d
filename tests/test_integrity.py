"""``factory check`` and verified loading: a real build, then corruption and tampering."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cli.main import main
from factory.errors import FactoryError
from factory.publish.integrity import IntegrityError, check_version, load_verified_manifest
from factory.storage.hashing import sha256_file
from pipelines.build import run_build
from tests.test_build import toy_config

DATA_FILE = "data/toy_sum/train-00001.parquet"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return run_build(toy_config(tmp_path_factory.mktemp("built"))).layout.version_dir


@pytest.fixture
def copy(built, tmp_path) -> Path:
    """A private copy of the built version to damage."""
    return Path(shutil.copytree(built, tmp_path / "0.1.0"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fresh_build_checks_ok_and_lists_every_file_but_the_manifest(built, capsys):
    report = check_version(built)
    assert report.ok and report.problems == []
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    listed = [entry.path for entry in report.manifest.files]
    assert sorted(listed) == sorted(on_disk - {"manifest.json"})
    assert {"README.md", "figures/solver_effort.png"} <= set(listed)
    for entry in report.manifest.files:
        assert sha256_file(built / entry.path) == entry.sha256
    assert load_verified_manifest(built) == report.manifest
    code, out, _ = run(capsys, "check", str(built))
    assert code == 0 and out.startswith("OK toy 0.1.0")
    assert f"{len(listed)} files" in out and "29 problems (toy_sum 23, toy_sum_hard 6)" in out


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def edit_card(path: Path) -> None:
    path.write_text(path.read_text().replace("toy", "t0y", 1))


DAMAGE = {
    "flipped byte": (DATA_FILE, flip_byte, "sha256 mismatch"),
    "deleted file": (DATA_FILE, Path.unlink, "missing"),
    "extra file": ("data/toy_sum/train-00099.parquet", None, "not listed"),
    "edited card": ("README.md", edit_card, "sha256 mismatch"),
    "replaced figure": ("figures/trace_length.png", flip_byte, "sha256 mismatch"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damage_is_caught_and_named(copy, capsys, kind):
    relative, damage, what = DAMAGE[kind]
    if damage is None:
        shutil.copy(copy / DATA_FILE, copy / relative)
    else:
        damage(copy / relative)
    report = check_version(copy)
    assert not report.ok
    assert len(report.problems) == 1 and report.problems[0].startswith(f"{relative}: ")
    assert what in report.problems[0]
    with pytest.raises(IntegrityError, match=relative):
        load_verified_manifest(copy)
    code, out, err = run(capsys, "check", str(copy))
    assert code == 2 and out == "" and relative in err and what in err
    code, _, err = run(capsys, "inspect", str(copy))
    assert code == 2 and relative in err and "Traceback" not in err


def test_every_problem_is_reported_and_loading_names_the_first(copy, capsys):
    flip_byte(copy / DATA_FILE)
    (copy / "figures/solver_effort.png").unlink()
    (copy / "notes.txt").write_text("added by hand\n")
    problems = check_version(copy).problems
    assert sorted(p.split(":")[0] for p in problems) == sorted(
        [DATA_FILE, "figures/solver_effort.png", "notes.txt"]
    )
    with pytest.raises(IntegrityError, match=rf"{DATA_FILE}: .*and 2 other problems"):
        load_verified_manifest(copy)


def test_verify_by_problem_id_refuses_a_tampered_dataset(copy, capsys):
    row = pq.read_table(copy / DATA_FILE).to_pylist()[0]
    args = ["verify", "toy_sum", "--dataset", str(copy), "--problem-id", row["problem_id"]]
    code, out, _ = run(capsys, *args, "--answer", f"<answer>{row['answer']}</answer>")
    assert code == 0 and json.loads(out)["score"] == 1.0
    flip_byte(copy / DATA_FILE)
    code, out, err = run(capsys, *args, "--answer", f"<answer>{row['answer']}</answer>")
    assert code == 2 and out == "" and DATA_FILE in err


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/hostname", "manifest.json"])
def test_manifest_paths_outside_the_version_are_refused(copy, path):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"][0]["path"] = path
    (copy / "manifest.json").write_text(json.dumps(manifest))
    problems = check_version(copy).problems
    assert f"{path}: not a path inside the version directory" in problems
    assert f"{DATA_FILE.replace('00001', '00000')}: present but not listed in the manifest" in (
        problems
    )


def test_missing_or_broken_manifest_is_a_clear_error(copy, capsys):
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(FactoryError, match="manifest.json: not a valid manifest"):
        check_version(copy)
    (copy / "manifest.json").unlink()
    code, _, err = run(capsys, "check", str(copy))
    assert code == 2 and "manifest.json: not found" in err


def test_check_reads_object_storage_through_its_url(capsys):
    """A build published to fsspec's memory:// store (as to S3), checked by URL."""
    import fsspec

    root = f"memory://integrity-{uuid.uuid4().hex}"
    run_build(toy_config(root))
    version = f"{root}/toy/0.1.0"
    code, out, _ = run(capsys, "check", version)
    assert code == 0 and out.startswith("OK toy 0.1.0")
    with fsspec.open(f"{version}/figures/extra.png", "wb") as handle:
        handle.write(b"\x89PNG")
    code, _, err = run(capsys, "check", version)
    assert code == 2 and "figures/extra.png: present but not listed" in err


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_symbolic_link_in_a_version_is_refused_without_following_it(
    copy, tmp_path, capsys, target
):
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of any dataset")
    link = copy / "figures" / "extra.png"
    link.symlink_to(secret if target == "outside" else copy / "README.md")
    report = check_version(copy)
    assert report.problems == [
        "figures/extra.png: a symbolic link (a version holds only its own files)"
    ]
    code, _, err = run(capsys, "check", str(copy))
    assert code == 2 and "figures/extra.png: a symbolic link" in err
    with pytest.raises(IntegrityError, match="symbolic link"):
        load_verified_manifest(copy)  # what export, push, inspect and diff load through


def test_a_fifo_in_a_version_is_refused(copy):
    import os

    os.mkfifo(copy / "data" / "pipe")
    assert check_version(copy).problems == ["data/pipe: not a regular file"]


def test_a_listed_data_file_that_is_not_parquet_is_one_error_in_export(copy, tmp_path):
    from factory.publish.export import export_dataset

    damaged = copy / DATA_FILE
    damaged.write_text("not parquet")
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == DATA_FILE:
            entry |= {"sha256": sha256_file(damaged), "bytes": damaged.stat().st_size}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FactoryError, match=f"{DATA_FILE}: not a readable data file"):
        export_dataset(copy, "jsonl", tmp_path / "out.jsonl")
