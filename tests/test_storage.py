"""factory.storage.filesystem on local disk and on fsspec's memory:// store: the same contract."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path, PurePath

import pyarrow as pa
import pytest

from factory.errors import FactoryError
from factory.publish.store import is_published, load_manifest
from factory.storage.filesystem import LOCAL, FsspecStorage, Storage, StorageError, is_url, locate
from factory.storage.layout import request_cache_dir
from factory.storage.parquet_io import read_table, write_table_atomic


@pytest.fixture(params=["local", "memory"])
def place(request, tmp_path) -> tuple[Storage, PurePath]:
    if request.param == "local":
        yield locate(str(tmp_path / "root"))
        return
    storage, root = locate(f"memory://storage-test-{uuid.uuid4().hex}")
    yield storage, root
    storage.remove_tree(root)


def everything(storage: Storage, root: PurePath) -> list[str]:
    """Every file under ``root`` (temporaries included), relative."""
    return [p.relative_to(root).as_posix() for p in storage.files(root)]


def test_write_read_exists_list_remove(place):
    storage, root = place
    assert not storage.exists(root / "a.txt") and storage.glob(root, "*/*.txt") == []
    storage.write_text(root / "a.txt", "alpha")
    storage.write_text(root / "sub" / "b.txt", "beta")
    storage.write_text(root / "sub" / "c.bin", "gamma")
    storage.write_text(root / "subway" / "d.txt", "delta")
    assert storage.exists(root / "a.txt") and not storage.exists(root / "sub")
    assert storage.read_text(root / "sub" / "b.txt") == "beta"
    assert storage.size(root / "sub" / "b.txt") == 4
    assert storage.sha256(root / "a.txt") == hashlib.sha256(b"alpha").hexdigest()
    assert storage.glob(root, "*/*.txt") == [root / "sub" / "b.txt", root / "subway" / "d.txt"]
    assert storage.glob(root, "*.txt") == [root / "a.txt"]
    storage.remove(root / "a.txt")
    storage.remove(root / "a.txt")  # absent is fine
    assert not storage.exists(root / "a.txt")
    storage.remove_tree(root / "sub")
    storage.remove_tree(root / "nowhere")
    assert everything(storage, root) == ["subway/d.txt"]  # a sibling prefix survives
    with pytest.raises(FileNotFoundError):
        storage.read_text(root / "a.txt")


def test_failed_write_leaves_no_partial_file(place):
    storage, root = place
    target = root / "shard.parquet"
    storage.write_text(target, "old")
    with pytest.raises(RuntimeError, match="mid-write"), storage.writing(target) as tmp:
        tmp.write_bytes(b"half a file")
        raise RuntimeError("killed mid-write")
    with pytest.raises(RuntimeError), storage.writing(root / "new.parquet") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("again")
    assert storage.read_text(target) == "old"
    assert everything(storage, root) == ["shard.parquet"]  # no temporary, no new object


def test_parquet_round_trip_and_column_reads(place):
    storage, root = place
    table = pa.table({"id": ["a", "b", "c"], "n": [1, 2, 3], "text": ["x", "y", "z"]})
    write_table_atomic(table, root / "t" / "00000.parquet", storage)
    assert read_table(root / "t" / "00000.parquet", storage=storage).equals(table)
    assert read_table(root / "t" / "00000.parquet", ["n"], storage).column_names == ["n"]


def test_same_table_gives_same_bytes_everywhere(place, tmp_path):
    storage, root = place
    table = pa.table({"n": list(range(100))})
    write_table_atomic(table, tmp_path / "ref.parquet")
    write_table_atomic(table, root / "copy.parquet", storage)
    with storage.open(root / "copy.parquet") as handle:
        assert handle.read() == (tmp_path / "ref.parquet").read_bytes()


def test_publishing_dir_appears_whole_with_marker(place):
    storage, root = place
    final = root / "name" / "0.1.0"
    with storage.publishing_dir(final, "manifest.json") as staging:
        (staging / "data").mkdir(parents=True)
        (staging / "data" / "a.parquet").write_bytes(b"A")
        (staging / "manifest.json").write_text("{}")
        assert not is_published(final, storage)
    assert everything(storage, final) == ["data/a.parquet", "manifest.json"]
    assert is_published(final, storage)
    replacing = storage.publishing_dir(final, "manifest.json")
    with pytest.raises(FactoryError, match="appeared while building"), replacing as staging:
        (staging / "manifest.json").write_text("{}")  # a published version is never replaced
    with pytest.raises(RuntimeError), storage.publishing_dir(root / "other", "m") as staging:
        (staging / "m").write_text("x")
        raise RuntimeError("crash while filling the staging directory")
    assert everything(storage, root / "other") == []
    assert everything(storage, root) == ["name/0.1.0/data/a.parquet", "name/0.1.0/manifest.json"]


def test_object_store_uploads_marker_last_and_cleans_a_crashed_upload(monkeypatch):
    storage, root = locate(f"memory://publish-{uuid.uuid4().hex}")
    assert isinstance(storage, FsspecStorage)
    final = root / "v1"
    fs = storage.fs
    uploaded: list[str] = []
    real_put = fs.put_file

    def put(local, remote, **kwargs):
        uploaded.append(PurePath(remote).name)
        if len(uploaded) == 3 and crash:
            raise ConnectionError("network gone mid-publish")
        real_put(local, remote, **kwargs)

    monkeypatch.setattr(fs, "put_file", put)
    crash = True
    uploading = storage.publishing_dir(final, "manifest.json")
    with (
        pytest.raises(StorageError, match="z.parquet: cannot write it .*network gone"),
        uploading as d,
    ):
        for name in ("manifest.json", "z.parquet", "a.parquet", "stale.parquet"):
            (d / name).write_text(name)
    assert storage.exists(final / "a.parquet") and storage.exists(final / "stale.parquet")
    assert not is_published(final, storage)  # files but no manifest: not a version
    crash, uploaded[:] = False, []
    with storage.publishing_dir(final, "manifest.json") as d:
        for name in ("manifest.json", "z.parquet", "a.parquet"):
            (d / name).write_text(name)
    assert uploaded == ["a.parquet", "z.parquet", "manifest.json"]
    assert everything(storage, final) == ["a.parquet", "manifest.json", "z.parquet"]
    storage.remove_tree(root)


def test_load_manifest_names_the_location(place):
    storage, root = place
    with pytest.raises(FactoryError, match="not found; is .* a built dataset version"):
        load_manifest(root / "v", storage)
    storage.write_text(root / "v" / "manifest.json", "{not json")
    with pytest.raises(FactoryError, match=r"manifest.json: not a valid manifest"):
        load_manifest(root / "v", storage)


def test_locate_and_urls(tmp_path):
    assert locate(str(tmp_path / "x")) == (LOCAL, tmp_path / "x")
    assert locate(f"file://{tmp_path}/x") == (LOCAL, tmp_path / "x")
    assert locate(tmp_path / "s3:") == (LOCAL, tmp_path / "s3:")  # a Path is never a URL
    storage, path = locate("s3://bucket/some/prefix")
    assert path == PurePath("bucket/some/prefix") and not storage.is_local
    assert storage.url(path / "a.parquet") == "s3://bucket/some/prefix/a.parquet"
    memory, inside = locate("memory://m/x")
    assert locate(memory.url(inside)) == (memory, inside)
    assert is_url("s3://b") and not is_url("out/dir") and not is_url("file:///tmp")
    with pytest.raises(FactoryError, match="no storage for 'nosuch://'"):
        locate("nosuch://bucket/x")


def test_request_cache_stays_local_for_a_url_root(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert request_cache_dir(None, "s3://bucket/prefix") == tmp_path / "xdg" / "reasoning-factory"
    assert request_cache_dir(None, str(tmp_path / "out")) == tmp_path / "out" / ".cache"
    assert request_cache_dir("/somewhere", "s3://bucket/prefix") == Path("/somewhere")
