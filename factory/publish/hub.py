"""Push a built version to the Hugging Face Hub: one commit and one tag per version.

The commit holds exactly the version's verified files (Parquet per config, the card,
the manifest) and deletes whatever else the branch held, so every commit is one
version's whole tree; the tag ``v<version>`` then names it. A version is immutable on
the Hub: a re-push of identical files makes no commit, a tag that points at other
files is an error, and the tag is only created after its commit exists, so a failure
never leaves a tag on a half-pushed version. Rerunning the same push finishes the job.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from httpx2 import HTTPError
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, get_token
from huggingface_hub.errors import HFValidationError
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.utils import validate_repo_id

from factory.errors import FactoryError
from factory.progress import ProgressDisplay
from factory.publish.integrity import load_verified_manifest
from factory.publish.store import MANIFEST
from factory.storage.hashing import sha256_file
from schemas.manifest import DatasetManifest

REPO_TYPE = "dataset"
DEFAULT_BRANCH = "main"
# Files a Hub repo keeps across versions (the Hub writes .gitattributes at creation).
KEPT_REMOTE = frozenset({".gitattributes"})


def version_tag(version: str) -> str:
    """The Hub tag of a dataset version: ``v`` + the manifest's version (``v0.1.0``)."""
    return f"v{version}"


@dataclass(frozen=True)
class PushResult:
    name: str
    version: str
    repo_id: str
    branch: str
    tag: str
    commit: str
    committed: bool
    tagged: bool

    def summary(self) -> str:
        where = f"{self.repo_id} (commit {self.commit[:12]})"
        if self.committed:
            return f"pushed {self.name} {self.version} to {where} on {self.branch}, tag {self.tag}"
        if self.tagged:
            return (
                f"{self.name} {self.version} was already committed to {where} on {self.branch}; "
                f"tagged it {self.tag}"
            )
        return f"already pushed: {self.name} {self.version} is tag {self.tag} of {where}"


@dataclass(frozen=True)
class _LocalFile:
    path: Path
    sha256: str

    @cached_property
    def git_oid(self) -> str:
        """The blob id the Hub reports for a file stored in git (not LFS)."""
        data = self.path.read_bytes()
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    def matches(self, remote: RepoFile) -> bool:
        if remote.lfs is not None:
            return remote.lfs.sha256 == self.sha256
        return remote.blob_id == self.git_oid


def push_version(
    version_dir: Path,
    repo_id: str,
    *,
    private: bool = False,
    branch: str | None = None,
    token: str | None = None,
    endpoint: str | None = None,
) -> PushResult:
    """Push ``version_dir`` to the dataset repo ``repo_id``; see the module docstring.

    ``token`` defaults to HF_TOKEN or the stored login, ``endpoint`` to HF_ENDPOINT.
    """
    _check_repo_id(repo_id)
    manifest = load_verified_manifest(version_dir)
    local = _local_files(version_dir, manifest)
    token = token or get_token()
    if not token:
        raise FactoryError("no Hugging Face token: set HF_TOKEN or log in with `hf auth login`")
    rerun = _rerun_command(version_dir, repo_id, private, branch)
    api = HfApi(endpoint=endpoint, token=token)
    with ProgressDisplay(
        f"push {manifest.name} {manifest.version} → {repo_id}", unit="steps"
    ) as display:
        push = _Push(api, token, manifest, repo_id, branch or DEFAULT_BRANCH, rerun, display)
        return push.run(local, private)


class _Push:
    """One push; every Hub call goes through ``step`` so failures say what to rerun."""

    def __init__(
        self,
        api: HfApi,
        token: str,
        manifest: DatasetManifest,
        repo_id: str,
        branch: str,
        rerun: str,
        display: ProgressDisplay,
    ) -> None:
        self.api, self.token, self.manifest, self.display = api, token, manifest, display
        self.repo_id, self.branch, self.rerun = repo_id, branch, rerun
        self.tag = version_tag(manifest.version)
        self.state = "no tag was created"

    def run(self, local: dict[str, _LocalFile], private: bool) -> PushResult:
        with self.step("creating the repository"):
            self.api.create_repo(self.repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True)
            if private and not self.api.dataset_info(self.repo_id).private:
                raise FactoryError(
                    f"{self.repo_id} already exists and is public; --private does not change "
                    "the visibility of an existing repository (change it on the Hub first)"
                )
            refs = self.api.list_repo_refs(self.repo_id, repo_type=REPO_TYPE)
        tags = {ref.name: ref.target_commit for ref in refs.tags}
        heads = {ref.name: ref.target_commit for ref in refs.branches}
        if self.tag in tags:
            self._check_tagged(local, tags[self.tag])
            return self._result(tags[self.tag], committed=False, tagged=False)
        head = heads.get(self.branch) or self._create_branch(heads.get(DEFAULT_BRANCH))
        remote = self._tree(head)
        committed = bool(_differences(local, remote))
        commit = self._commit(local, remote, head) if committed else head
        self.state = f"commit {commit[:12]} is on {self.branch} but not tagged"
        with self.step(f"creating tag {self.tag}"):
            self.api.create_tag(
                self.repo_id,
                tag=self.tag,
                revision=commit,
                repo_type=REPO_TYPE,
                tag_message=self._title(),
            )
        return self._result(commit, committed=committed, tagged=True)

    @contextmanager
    def step(self, doing: str) -> Iterator[None]:
        """Turn a client or network error into a FactoryError naming the rerun; no token.
        Each step is one item of the display's ``push`` stage (total grows as steps begin)."""
        self.display.start("push", total=1)
        try:
            yield
            self.display.advance("push")
        except (HTTPError, OSError, ValueError) as error:
            detail = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
            raise FactoryError(
                f"push of {self.manifest.name} {self.manifest.version} to {self.repo_id} failed "
                f"while {doing}: {detail.replace(self.token, '***')}; {self.state}. "
                f"Rerun `{self.rerun}`: it only does what is missing"
            ) from None

    def _check_tagged(self, local: dict[str, _LocalFile], commit: str) -> None:
        differences = _differences(local, self._tree(commit))
        if differences:
            shown = "; ".join(differences[:3]) + ("; …" if len(differences) > 3 else "")
            raise FactoryError(
                f"tag {self.tag} of {self.repo_id} already points at commit {commit[:12]}, "
                f"whose files differ from this {self.manifest.name} {self.manifest.version} "
                f"({shown}); a pushed version is never replaced: bump the version, or delete "
                "the tag on the Hub if you really mean to replace it"
            )

    def _tree(self, commit: str) -> dict[str, RepoFile]:
        with self.step(f"listing the files of commit {commit[:12]}"):
            entries = self.api.list_repo_tree(
                self.repo_id, recursive=True, revision=commit, repo_type=REPO_TYPE
            )
            return {e.path: e for e in entries if isinstance(e, RepoFile)}

    def _create_branch(self, start: str | None) -> str:
        with self.step(f"creating branch {self.branch}"):
            self.api.create_branch(
                self.repo_id, branch=self.branch, revision=start, repo_type=REPO_TYPE, exist_ok=True
            )
            heads = self.api.list_repo_refs(self.repo_id, repo_type=REPO_TYPE).branches
        return next(ref.target_commit for ref in heads if ref.name == self.branch)

    def _commit(self, local: dict[str, _LocalFile], remote: dict[str, RepoFile], head: str) -> str:
        operations: list[CommitOperationAdd | CommitOperationDelete] = [
            CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(file.path))
            for path, file in sorted(local.items())
        ]
        operations += [
            CommitOperationDelete(path_in_repo=path)
            for path in sorted(remote)
            if path not in local and path not in KEPT_REMOTE
        ]
        manifest = self.manifest
        description = (
            f"{manifest.total} problems in {len(manifest.files)} files; "
            f"config fingerprint {manifest.config_fingerprint}; "
            f"manifest sha256 {local[MANIFEST].sha256}"
            + (f"; parent version {manifest.parent}" if manifest.parent else "")
        )
        with self.step(f"committing to {self.branch}"):
            info = self.api.create_commit(
                self.repo_id,
                operations,
                commit_message=self._title(),
                commit_description=description,
                repo_type=REPO_TYPE,
                revision=self.branch,
                parent_commit=head,
            )
        return info.oid

    def _title(self) -> str:
        fingerprint = self.manifest.config_fingerprint[:12]
        return f"{self.manifest.name} {self.manifest.version} (config {fingerprint})"

    def _result(self, commit: str, *, committed: bool, tagged: bool) -> PushResult:
        return PushResult(
            self.manifest.name,
            self.manifest.version,
            self.repo_id,
            self.branch,
            self.tag,
            commit,
            committed,
            tagged,
        )


def _local_files(version_dir: Path, manifest: DatasetManifest) -> dict[str, _LocalFile]:
    """The verified files (sha256 from the manifest) plus the manifest itself."""
    files = {e.path: _LocalFile(version_dir / e.path, e.sha256) for e in manifest.files}
    files[MANIFEST] = _LocalFile(version_dir / MANIFEST, sha256_file(version_dir / MANIFEST))
    return files


def _differences(local: dict[str, _LocalFile], remote: dict[str, RepoFile]) -> list[str]:
    """What differs between the version's files and a commit's tree, sorted by path."""
    remote = {p: f for p, f in remote.items() if p not in KEPT_REMOTE}
    found = []
    for path in sorted(local.keys() | remote.keys()):
        if path not in remote:
            found.append(f"{path}: not on the Hub")
        elif path not in local:
            found.append(f"{path}: only on the Hub")
        elif not local[path].matches(remote[path]):
            found.append(f"{path}: different content")
    return found


def _check_repo_id(repo_id: str) -> None:
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise FactoryError(f"REPO_ID {repo_id!r}: {error}") from None


def _rerun_command(version_dir: Path, repo_id: str, private: bool, branch: str | None) -> str:
    words = ["factory", "push", str(version_dir), repo_id]
    words += ["--private"] if private else []
    words += ["--branch", branch] if branch else []
    return shlex.join(words)
