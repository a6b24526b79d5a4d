"""`factory push` against a Hub-compatible server on 127.0.0.1, read back with `datasets`.

The command line and `datasets.load_dataset` run in subprocesses: huggingface_hub reads
HF_ENDPOINT, HF_HUB_OFFLINE and HF_HUB_DISABLE_XET when it is imported, and this process
has imported it already. Scenario tests call `push_version` in-process (faster) with the
endpoint passed explicitly and those two switches set as the environment would set them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from huggingface_hub import constants

from factory.errors import FactoryError
from factory.publish.hub import push_version, version_tag
from pipelines.build import run_build
from tests.hub_server import HubServer
from tests.test_build import toy_config

pytestmark = pytest.mark.filterwarnings(  # huggingface_hub's LFS PUT, not ours
    "ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning"
)
REPO = Path(__file__).resolve().parents[1]
TOKEN = "hf_TestTokenThatMustNeverLeak0123456789"
LOADER = """
import json, sys
import datasets
datasets.disable_progress_bars()
repo_id, wanted = sys.argv[1], json.loads(sys.argv[2])
print(json.dumps([
    datasets.load_dataset(repo_id, config, split="train", revision=revision).to_list()
    for config, revision in wanted
]))
"""


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Path]:
    """v1: subsets toy_sum, toy_sum_hard; v2 (other seed) drops toy_sum_hard, adds toy_sum_new."""
    root = tmp_path_factory.mktemp("hub") / "out"
    first = run_build(toy_config(root)).layout.version_dir
    tasks = [
        {"task": "toy_sum", "count": 12, "levels": [1, 2]},
        {"task": "toy_sum", "name": "toy_sum_new", "count": 7, "levels": [5]},
    ]
    second = run_build(toy_config(root, version="0.2.0", seed=8, parent="0.1.0", tasks=tasks))
    return {"0.1.0": first, "0.2.0": second.layout.version_dir}


@pytest.fixture
def hub():
    with HubServer(TOKEN) as server:
        yield server


@pytest.fixture
def outputs() -> list[str]:
    """Every stdout/stderr a test's subprocesses wrote, checked for the token afterwards."""
    seen: list[str] = []
    yield seen
    assert seen and not any(TOKEN in text for text in seen)


@pytest.fixture
def push_here(hub, monkeypatch):
    """``push_version`` in this process against ``hub``."""
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)

    def run(version_dir: Path, repo_id: str, **options):
        return push_version(version_dir, repo_id, token=TOKEN, endpoint=hub.url, **options)

    return run


def hub_env(hub: HubServer, home: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(HF_ENDPOINT=hub.url, HF_HUB_DISABLE_XET="1", HF_HUB_OFFLINE="0", HF_HOME=str(home))
    if token is not None:
        env["HF_TOKEN"] = token
    return env


def push(hub, tmp_path, outputs, *args: str, token: str | None = TOKEN):
    command = [sys.executable, "-m", "cli.main", "push", *map(str, args)]
    env = hub_env(hub, tmp_path / "hf_home", token)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    outputs += [done.stdout, done.stderr]
    return done


def load(hub, tmp_path, outputs, repo_id: str, *wanted: tuple[str, str | None]) -> list[list]:
    """Rows of ``datasets.load_dataset(repo_id, config, revision=...)`` for each wanted pair."""
    command = [sys.executable, "-c", LOADER, repo_id, json.dumps(wanted)]
    env = hub_env(hub, tmp_path / "hf_home")
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    outputs += [done.stdout, done.stderr]
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def local_rows(version_dir: Path, subset: str = "*") -> list[dict]:
    files = sorted(version_dir.glob(f"data/{subset}/*.parquet"))
    assert files
    return [row for f in files for row in pq.read_table(f).to_pylist()]


def by_id(rows: list[dict]) -> dict[str, dict]:
    keyed = {row["problem_id"]: row for row in rows}
    assert len(keyed) == len(rows)
    return keyed


def version_files(version_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(version_dir).as_posix(): p.read_bytes()
        for p in version_dir.rglob("*")
        if p.is_file()
    }


def tree(hub: HubServer, repo_id: str, revision: str) -> dict[str, bytes]:
    repo = hub.repo(repo_id)
    files = repo.resolve(revision).files
    return {path: blob.data for path, blob in files.items() if path != ".gitattributes"}


def test_push_load_repush_and_a_second_version(versions, hub, tmp_path, outputs):
    first, second = versions["0.1.0"], versions["0.2.0"]
    done = push(hub, tmp_path, outputs, first, "org/toy")
    assert done.returncode == 0, done.stderr
    assert "pushed toy 0.1.0 to org/toy" in done.stdout and "tag v0.1.0" in done.stdout
    repo = hub.repo("org/toy")
    commit = repo.commits[repo.branches["main"]]
    assert repo.tags == {"v0.1.0": commit.oid}
    manifest = json.loads((first / "manifest.json").read_text())
    assert commit.title == f"toy 0.1.0 (config {manifest['config_fingerprint'][:12]})"
    assert tree(hub, "org/toy", "v0.1.0") == version_files(first)
    assert commit.files["data/toy_sum/train-00000.parquet"].lfs  # Parquet goes through LFS

    configs = ["toy_sum", "toy_sum_hard", "all"]
    loaded = load(hub, tmp_path, outputs, "org/toy", *[(c, None) for c in configs])
    for config, rows in zip(configs, loaded, strict=True):
        assert by_id(rows) == by_id(local_rows(first, "*" if config == "all" else config))

    again = push(hub, tmp_path, outputs, first, "org/toy")
    assert again.returncode == 0, again.stderr
    assert "already pushed: toy 0.1.0 is tag v0.1.0" in again.stdout
    assert hub.repo("org/toy").commits.keys() == repo.commits.keys()
    assert hub.state.requests["commit"] == 1 and hub.state.requests["tag"] == 1

    done = push(hub, tmp_path, outputs, second, "org/toy")
    assert done.returncode == 0, done.stderr
    repo = hub.repo("org/toy")
    assert set(repo.tags) == {"v0.1.0", "v0.2.0"} and repo.tags["v0.2.0"] == repo.branches["main"]
    assert repo.commits[repo.tags["v0.2.0"]].parent == repo.tags["v0.1.0"]
    # the second commit holds the second version only: v1's toy_sum_hard files are deleted
    assert tree(hub, "org/toy", "v0.2.0") == version_files(second)
    old, new, latest = load(
        hub,
        tmp_path,
        outputs,
        "org/toy",
        ("all", "v0.1.0"),
        ("all", "v0.2.0"),
        ("toy_sum_new", None),
    )
    assert by_id(old) == by_id(local_rows(first))
    assert by_id(new) == by_id(local_rows(second))
    assert by_id(latest) == by_id(local_rows(second, "toy_sum_new"))


def test_failed_commit_leaves_no_tag_and_the_rerun_finishes(versions, hub, tmp_path, outputs):
    hub.fail_next("commit")
    failed = push(hub, tmp_path, outputs, versions["0.1.0"], "org/toy")
    assert failed.returncode == 2
    assert "failed while committing to main" in failed.stderr
    assert "no tag was created" in failed.stderr
    assert f"Rerun `factory push {versions['0.1.0']} org/toy`" in failed.stderr
    assert "Traceback" not in failed.stderr
    repo = hub.repo("org/toy")
    assert repo.tags == {} and len(repo.commits) == 1  # only the Hub's initial commit

    rerun = push(hub, tmp_path, outputs, versions["0.1.0"], "org/toy")
    assert rerun.returncode == 0, rerun.stderr
    assert tree(hub, "org/toy", "v0.1.0") == version_files(versions["0.1.0"])


def test_token_comes_from_the_environment_and_is_never_printed(versions, hub, tmp_path, outputs):
    missing = push(hub, tmp_path, outputs, versions["0.1.0"], "org/toy", token=None)
    assert missing.returncode == 2 and "no Hugging Face token" in missing.stderr

    wrong = "hf_WrongTokenAlsoNeverPrinted42"
    rejected = push(hub, tmp_path, outputs, versions["0.1.0"], "org/toy", token=wrong)
    assert rejected.returncode == 2
    assert "failed while creating the repository" in rejected.stderr
    assert wrong not in rejected.stderr + rejected.stdout
    assert hub.state.repos == {}


def test_failed_tag_is_finished_by_the_rerun_without_a_new_commit(versions, hub, push_here):
    hub.fail_next("tag")
    with pytest.raises(FactoryError) as failed:
        push_here(versions["0.1.0"], "org/toy", branch="release")
    message = str(failed.value)
    assert "failed while creating tag v0.1.0" in message
    assert "is on release but not tagged" in message and "--branch release`" in message
    commits = hub.repo("org/toy").commits
    assert hub.repo("org/toy").tags == {}

    result = push_here(versions["0.1.0"], "org/toy", branch="release")
    assert result.tagged and not result.committed
    assert "was already committed" in result.summary()
    repo = hub.repo("org/toy")
    assert repo.commits.keys() == commits.keys()
    assert repo.tags == {"v0.1.0": repo.branches["release"]} == {"v0.1.0": result.commit}
    assert tree(hub, "org/toy", "main") == {}  # a branch push leaves main alone


def test_a_tag_pointing_at_other_files_is_refused(versions, hub, push_here, tmp_path):
    push_here(versions["0.1.0"], "org/toy")
    impostor = tmp_path / "impostor"
    shutil.copytree(versions["0.2.0"], impostor)
    manifest = json.loads((impostor / "manifest.json").read_text())
    manifest["version"] = "0.1.0"  # same version number, other files
    (impostor / "manifest.json").write_text(json.dumps(manifest))
    before = hub.repo("org/toy")

    with pytest.raises(FactoryError, match="tag v0.1.0 of org/toy already points at commit"):
        push_here(impostor, "org/toy")
    after = hub.repo("org/toy")
    assert after.tags == before.tags and after.commits.keys() == before.commits.keys()


def test_corrupted_version_is_refused_before_any_request(versions, hub, push_here, tmp_path):
    corrupted = tmp_path / "corrupted"
    shutil.copytree(versions["0.1.0"], corrupted)
    shard = corrupted / "data/toy_sum_hard/train-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))

    with pytest.raises(FactoryError, match="toy_sum_hard/train-00001.parquet: sha256 mismatch"):
        push_here(corrupted, "org/toy")
    assert hub.state.repos == {} and hub.state.requests == {}


def test_a_bad_repo_id_is_refused_before_any_request(versions, hub, push_here):
    with pytest.raises(FactoryError, match="REPO_ID 'org/toy/extra'"):
        push_here(versions["0.1.0"], "org/toy/extra")
    assert hub.state.requests == {}


def test_private_repo_and_a_public_repo_is_not_made_private(versions, hub, push_here):
    push_here(versions["0.1.0"], "org/secret", private=True)
    assert hub.repo("org/secret").private

    push_here(versions["0.1.0"], "org/open")
    with pytest.raises(FactoryError, match="already exists and is public"):
        push_here(versions["0.2.0"], "org/open", private=True)
    assert set(hub.repo("org/open").tags) == {"v0.1.0"}


def test_hub_errors_name_the_step_and_never_the_token(versions, hub, push_here):
    hub.fail_next("preupload", status=403)
    with pytest.raises(FactoryError, match="403") as failed:
        push_here(versions["0.1.0"], "org/toy")
    assert TOKEN not in str(failed.value) and "committing to main" in str(failed.value)
    result = push_here(versions["0.1.0"], "org/toy")
    assert TOKEN not in repr(result) + result.summary()
    assert TOKEN.encode() not in b"".join(tree(hub, "org/toy", "main").values())


def test_version_tag_names_the_version():
    assert version_tag("0.1.0") == "v0.1.0"
