"""Builds on a real S3-compatible server (moto) on 127.0.0.1.

The bucket keeps object versions, so every PUT leaves a trace: "no new writes" and
"exactly that shard was rebuilt" are counted, not guessed from timestamps.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import yaml

from cli.main import main
from factory.config import parse_build_config
from factory.errors import FactoryError
from factory.publish.store import is_published, load_manifest
from factory.storage.filesystem import locate
from pipelines.build import VersionExistsError, run_build
from tests.test_build import data_bytes
from tests.test_central_scheduler import free_port, scheduler_url, wait_for  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
BUCKET = "factory-test"
SECRET = "not-a-real-secret-0123"
WORKER = (
    "import sys; from generators.registry import register; "
    "register('toy_sum', 'tests.toy_tasks:ToySum'); "
    "from cli.main import main; sys.exit(main(sys.argv[1:]))"
)
TASKS = [
    {"task": "toy_sum", "count": 24, "levels": [1, 2, 3]},
    {"task": "knights_knaves", "count": 6, "levels": [1, 3]},
]


def config(root: str):
    return parse_build_config(
        {"name": "toy", "seed": 7, "output_root": root, "shard_size": 10, "tasks": TASKS}
    )


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator:
    """A moto S3 server with one versioned bucket; AWS_* point every client at it."""
    import s3fs

    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen(
        [Path(sys.executable).with_name("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            patch.delenv("AWS_PROFILE", raising=False)
            s3fs.S3FileSystem.clear_instance_cache()
            wait_for(lambda: listening(port) or process.poll() is not None, "moto_server")
            assert process.poll() is None, "moto_server exited"
            client = boto3.client("s3")
            client.create_bucket(Bucket=BUCKET)
            versioning = {"Status": "Enabled"}
            client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration=versioning)
            yield client
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        process.terminate()
        process.wait(timeout=10)
        log.close()


def data_entries(result) -> list:
    """The manifest entries of the data files (the card carries the build time)."""
    return [entry for entry in result.manifest.files if entry.path.startswith("data/")]


def writes(client, prefix: str) -> dict[str, int]:
    """key → how many times it was PUT (object versions), under ``prefix``."""
    counts: dict[str, int] = {}
    for page in client.get_paginator("list_object_versions").paginate(Bucket=BUCKET, Prefix=prefix):
        for version in page.get("Versions", []):
            counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


def objects(client, prefix: str) -> dict[str, bytes]:
    """The live objects under ``prefix`` (relative key → bytes)."""
    result = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            result[item["Key"].removeprefix(prefix)] = body
    return result


def test_s3_build_is_byte_identical_to_a_local_build(s3, tmp_path, capsys):
    local = run_build(config(str(tmp_path / "local")))
    remote = run_build(config(f"s3://{BUCKET}/same"), workers=2)
    assert remote.layout.url(remote.layout.version_dir) == f"s3://{BUCKET}/same/toy/0.1.0"
    published = objects(s3, "same/toy/0.1.0/")
    listed = {entry.path: entry for entry in remote.manifest.files}
    assert sorted(published) == sorted([*listed, "manifest.json"])
    for path, entry in listed.items():
        assert hashlib.sha256(published[path]).hexdigest() == entry.sha256, path
        assert len(published[path]) == entry.bytes
    data = {path: body for path, body in published.items() if path.startswith("data/")}
    assert data == data_bytes(local.layout.version_dir) and len(data) == 4
    assert [f.sha256 for f in remote.manifest.files if f.path.startswith("data/")] == [
        f.sha256 for f in local.manifest.files if f.path.startswith("data/")
    ]
    frozen = objects(s3, "same/.work/toy/0.1.0/config.json")[""].decode()
    assert f'"output_root": "s3://{BUCKET}/same"' in frozen
    for text in (frozen, published["manifest.json"].decode(), published["README.md"].decode()):
        assert SECRET not in text and "AWS_" not in text and "127.0.0.1" not in text
    assert main(["inspect", f"s3://{BUCKET}/same/toy/0.1.0"]) == 0
    shown = capsys.readouterr().out
    assert "30 problems in 4 data files" in shown and "| knights_knaves |" in shown


def test_resume_rewrites_only_what_is_missing(s3):
    """Refusal writes nothing; a crashed publish (no manifest, a stray file) is cleaned up
    and republished without touching a shard; a deleted shard object re-runs alone."""
    root = f"s3://{BUCKET}/resume"
    first = run_build(config(root))
    storage, version = locate(f"{root}/toy/0.1.0")
    before = writes(s3, "resume/")
    assert before and set(before.values()) == {1}
    with pytest.raises(VersionExistsError, match="already exists"):
        run_build(config(root))
    assert writes(s3, "resume/") == before

    storage.remove(version / "manifest.json")  # the publish "crashed" before its manifest
    storage.write_text(version / "data" / "toy_sum" / "train-00099.parquet", "partial")
    assert not is_published(version, storage)
    with pytest.raises(FactoryError, match="manifest.json: not found"):
        load_manifest(version, storage)
    second = run_build(config(root))
    after = writes(s3, "resume/")
    work = {key: n for key, n in after.items() if "/.work/" in key}
    assert work == {key: n for key, n in before.items() if "/.work/" in key}  # no shard re-run
    assert "data/toy_sum/train-00099.parquet" not in objects(s3, "resume/toy/0.1.0/")
    assert data_entries(second) == data_entries(first)

    storage.remove(version / "manifest.json")
    storage.remove(second.layout.stage_path("problems", "toy_sum", 1))
    third = run_build(config(root))
    rewritten = {key for key, n in writes(s3, "resume/.work/").items() if n > work.get(key, 0)}
    assert rewritten == {  # each with its checksum record
        f"resume/.work/toy/0.1.0/{stage}/toy_sum/00001.parquet{record}"
        for stage in ("problems", "traces", "verdicts", "scores")
        for record in ("", ".sha256")
    }
    assert data_entries(third) == data_entries(first)


def test_two_workers_share_a_build_through_luigid(s3, scheduler_url, tmp_path):  # noqa: F811
    """Worker processes on S3 coordinated by luigid: each shard is PUT exactly once and
    the data equal a local build. The workers find the endpoint through fsspec's own
    ``FSSPEC_S3_ENDPOINT_URL`` rather than ``AWS_ENDPOINT_URL``."""
    path = tmp_path / "shared.yaml"
    data = {"name": "toy", "seed": 7, "shard_size": 10, "tasks": TASKS}
    path.write_text(yaml.safe_dump(data | {"output_root": f"s3://{BUCKET}/shared"}))
    env = {**os.environ, "FSSPEC_S3_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"]}
    del env["AWS_ENDPOINT_URL"]
    command = [sys.executable, "-c", WORKER, "build", str(path)]
    command += ["--scheduler-url", scheduler_url, "--workers", "1"]
    workers = [
        subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()[-3000:]
    local = run_build(config(str(tmp_path / "local")))
    published = objects(s3, "shared/toy/0.1.0/")
    data = {path: body for path, body in published.items() if path.startswith("data/")}
    assert data == data_bytes(local.layout.version_dir)
    shards = {key: n for key, n in writes(s3, "shared/.work/").items() if key.endswith(".parquet")}
    # 4 shards x 6 stages and the dataset-wide dedup and exclusion reports, each PUT once
    assert len(shards) == 4 * 6 + 2 and set(shards.values()) == {1}


def test_a_missing_bucket_is_a_clear_error(s3):
    with pytest.raises(FactoryError, match=r"s3://no-such-bucket/x/.*: cannot write it \("):
        run_build(config("s3://no-such-bucket/x"))
