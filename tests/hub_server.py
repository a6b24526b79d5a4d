"""A Hub-compatible HTTP server on 127.0.0.1 for tests and benches.

It speaks the subset of the Hugging Face Hub API that ``huggingface_hub`` (create_repo,
create_commit with regular and LFS files, refs, tags, branches, commits, tree,
paths-info, dataset_info) and ``datasets.load_dataset`` (README configs, resolve
downloads with ``X-Repo-Commit``/``ETag``, HEAD and ranges) call, so pushes and
reloads run the real clients end to end without a network. Repos live in memory as
commits (a full tree snapshot, a parent and a message); branches and tags are refs.
``fail_next(kind)`` makes the next request of one kind fail, to test a push that
breaks halfway.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

LFS_SUFFIXES = (".parquet", ".arrow", ".png", ".jpg", ".bin", ".safetensors", ".gz", ".zip")
LFS_MIN_BYTES = 10 * 1024 * 1024
TYPE_PREFIX = {"dataset": "datasets/", "space": "spaces/", "model": ""}
GITATTRIBUTES = "".join(
    f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in LFS_SUFFIXES
)
# Request kinds that fail_next() can break.
KINDS = (
    "create",
    "info",
    "refs",
    "commits",
    "tree",
    "paths-info",
    "preupload",
    "lfs-batch",
    "lfs-upload",
    "commit",
    "tag",
    "branch",
    "resolve",
)


def git_oid(data: bytes) -> str:
    """Git's blob id, which the Hub reports as ``oid`` of regular files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Blob:
    data: bytes
    lfs: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def pointer(self) -> bytes:
        spec = "version https://git-lfs.github.com/spec/v1"
        return f"{spec}\noid sha256:{self.sha256}\nsize {len(self.data)}\n".encode()

    @property
    def oid(self) -> str:
        return git_oid(self.pointer if self.lfs else self.data)

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.oid


@dataclass(frozen=True)
class Commit:
    oid: str
    parent: str | None
    title: str
    message: str
    date: str
    files: dict[str, Blob]


@dataclass
class Repo:
    repo_type: str
    repo_id: str
    private: bool
    created: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        """A branch, tag, ``refs/heads|tags/...`` name or full commit id → its commit."""
        name = revision.removeprefix("refs/heads/").removeprefix("refs/tags/")
        oid = self.branches.get(name) or self.tags.get(name) or revision
        return self.commits.get(oid)

    def history(self, commit: Commit) -> list[Commit]:
        chain = [commit]
        while chain[-1].parent is not None:
            chain.append(self.commits[chain[-1].parent])
        return chain


class HubError(Exception):
    """An API error answered as JSON with the Hub's ``X-Error-Code`` header."""

    def __init__(self, status: int, message: str, code: str | None = None, **extra: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


class HubState:
    """Every repo, the LFS object store, the accepted token and armed failures."""

    def __init__(self, token: str, user: str = "tester") -> None:
        self.token = token
        self.user = user
        self.repos: dict[tuple[str, str], Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.failures: dict[str, list[int]] = {}
        self.requests: dict[str, int] = {}
        self.lock = threading.RLock()

    def repo(self, repo_type: str, repo_id: str, authorized: bool) -> Repo:
        repo = self.repos.get((repo_type, repo_id))
        if repo is None or (repo.private and not authorized):
            raise HubError(404, f"Repository {repo_id} not found", "RepoNotFound")
        return repo

    def commit(
        self, repo: Repo, branch: str, title: str, message: str, files: dict[str, Blob]
    ) -> Commit:
        parent = repo.branches.get(branch)
        listing = json.dumps(
            [
                repo.repo_id,
                len(repo.commits),
                parent,
                title,
                message,
                sorted((p, b.oid) for p, b in files.items()),
            ]
        )
        oid = hashlib.sha1(listing.encode()).hexdigest()
        commit = Commit(oid, parent, title, message, _now(), dict(files))
        repo.commits[oid] = commit
        repo.branches[branch] = oid
        return commit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: tests read the client's output, not the server's."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        self.query = parse_qs(url.query)
        self.body = self._read_body()
        segments = [unquote(part) for part in url.path.split("/")[1:]]
        try:
            self.server.api.route(self, method, segments)
        except HubError as error:
            self.send_json({"error": error.message, **error.extra}, error.status, error.code)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    @property
    def authorized(self) -> bool:
        expected = f"Bearer {self.server.api.state.token}"
        return self.headers.get("Authorization") == expected

    def require_auth(self) -> None:
        if not self.authorized:
            raise HubError(401, "Invalid credentials in Authorization header")

    def json_body(self) -> dict:
        try:
            return json.loads(self.body or b"{}")
        except json.JSONDecodeError:
            raise HubError(400, "request body is not JSON") from None

    def send_json(self, payload: object, status: int = 200, code: str | None = None) -> None:
        data = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if code:
            headers["X-Error-Code"] = code
        if status >= 400:
            headers["X-Error-Message"] = (
                str(payload.get("error", "")) if isinstance(payload, dict) else ""
            )
        self.send_bytes(data, status, headers)

    def send_bytes(
        self, data: bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class HubApi:
    """Routes requests to handlers; every handler runs under the state lock."""

    def __init__(self, state: HubState, base_url: Callable[[], str]) -> None:
        self.state = state
        self.base_url = base_url

    def route(self, request: _Handler, method: str, parts: list[str]) -> None:
        kind, handler, args = self._match(method, parts)
        with self.state.lock:
            self.state.requests[kind] = self.state.requests.get(kind, 0) + 1
            armed = self.state.failures.get(kind)
            if armed:
                status = armed.pop(0)
                raise HubError(status, f"injected failure of a {kind} request")
            handler(request, *args)

    def _match(self, method: str, parts: list[str]) -> tuple[str, Callable[..., None], tuple]:
        if parts[:3] == ["api", "repos", "create"] and method == "POST":
            return "create", self.create_repo, ()
        if parts[:2] == ["api", "validate-yaml"]:
            return "validate", self.validate_yaml, ()
        if (
            parts[:1] == ["api"]
            and len(parts) >= 4
            and parts[1] in ("datasets", "models", "spaces")
        ):
            repo = (parts[1][:-1], f"{parts[2]}/{parts[3]}")
            return self._match_api(method, repo, parts[4:])
        if parts[:1] == ["lfs-upload"] and method == "PUT":
            return "lfs-upload", self.lfs_upload, (parts[1],)
        repo_type = {"datasets": "dataset", "spaces": "space"}.get(parts[0], "model")
        rest = parts[1:] if repo_type != "model" else parts
        if (
            len(rest) >= 2
            and rest[1].endswith(".git")
            and rest[2:] == ["info", "lfs", "objects", "batch"]
        ):
            return "lfs-batch", self.lfs_batch, ((repo_type, f"{rest[0]}/{rest[1][:-4]}"),)
        if len(rest) >= 5 and rest[2] == "resolve" and method in ("GET", "HEAD"):
            repo = (repo_type, f"{rest[0]}/{rest[1]}")
            return "resolve", self.resolve, (repo, rest[3], "/".join(rest[4:]))
        raise HubError(404, f"no route for {method} /{'/'.join(parts)}")

    def _match_api(
        self, method: str, repo: tuple[str, str], rest: list[str]
    ) -> tuple[str, Callable[..., None], tuple]:
        action, args = (rest[0], rest[1:]) if rest else ("", [])
        routes: dict[tuple[str, str], tuple[str, Callable[..., None]]] = {
            ("GET", ""): ("info", self.info),
            ("GET", "revision"): ("info", self.info),
            ("GET", "refs"): ("refs", self.refs),
            ("GET", "commits"): ("commits", self.commits),
            ("GET", "tree"): ("tree", self.tree),
            ("POST", "paths-info"): ("paths-info", self.paths_info),
            ("POST", "preupload"): ("preupload", self.preupload),
            ("POST", "commit"): ("commit", self.commit),
            ("POST", "tag"): ("tag", self.create_tag),
            ("DELETE", "tag"): ("tag", self.delete_tag),
            ("POST", "branch"): ("branch", self.create_branch),
            ("DELETE", "branch"): ("branch", self.delete_branch),
        }
        if (method, action) not in routes:
            raise HubError(404, f"no route for {method} {action} on {repo[1]}")
        kind, handler = routes[(method, action)]
        return kind, handler, (repo, *args) if action not in ("tree",) else (repo, args)

    # -- helpers ------------------------------------------------------------------------

    def _repo(self, request: _Handler, repo: tuple[str, str]) -> Repo:
        return self.state.repo(*repo, authorized=request.authorized)

    def _writable(self, request: _Handler, repo: tuple[str, str]) -> Repo:
        request.require_auth()
        return self.state.repo(*repo, authorized=True)

    @staticmethod
    def _commit_of(repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(revision)
        if commit is None:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit

    def _entry(self, repo: Repo, commit: Commit, path: str, expand: bool) -> dict | None:
        blob = commit.files.get(path)
        if blob is not None:
            entry: dict = {"type": "file", "oid": blob.oid, "size": len(blob.data), "path": path}
            if blob.lfs:
                pointer = len(blob.pointer)
                entry["lfs"] = {"oid": blob.sha256, "size": len(blob.data), "pointerSize": pointer}
        elif any(p.startswith(f"{path}/") for p in commit.files):
            inside = sorted((p, b.oid) for p, b in commit.files.items() if p.startswith(f"{path}/"))
            oid = hashlib.sha1(json.dumps(inside).encode()).hexdigest()
            entry = {"type": "directory", "oid": oid, "size": 0, "path": path}
        else:
            return None
        if expand:
            last = self._last_change(repo, commit, path)
            entry["lastCommit"] = {"id": last.oid, "title": last.title, "date": last.date}
        return entry

    @staticmethod
    def _last_change(repo: Repo, commit: Commit, path: str) -> Commit:
        def view(c: Commit) -> list:
            return sorted(
                (p, b.oid) for p, b in c.files.items() if p == path or p.startswith(f"{path}/")
            )

        current = commit
        while current.parent is not None and view(repo.commits[current.parent]) == view(commit):
            current = repo.commits[current.parent]
        return current

    # -- repos ---------------------------------------------------------------------------

    def create_repo(self, request: _Handler) -> None:
        request.require_auth()
        body = request.json_body()
        repo_type = body.get("type") or "model"
        namespace = body.get("organization") or self.state.user
        repo_id = f"{namespace}/{body['name']}"
        url = f"{self.base_url()}/{TYPE_PREFIX[repo_type]}{repo_id}"
        if (repo_type, repo_id) in self.state.repos:
            raise HubError(409, "You already created this repo", url=url)
        private = body.get("visibility") == "private" or body.get("private") is True
        repo = Repo(repo_type, repo_id, private, _now())
        self.state.repos[(repo_type, repo_id)] = repo
        files = {".gitattributes": Blob(GITATTRIBUTES.encode(), lfs=False)}
        self.state.commit(repo, "main", "initial commit", "", files)
        request.send_json({"url": url, "name": repo_id})

    def validate_yaml(self, request: _Handler) -> None:
        content = request.json_body().get("content", "")
        if content.startswith("---\n"):
            try:
                yaml.safe_load(content[4:].split("\n---\n", 1)[0])
            except yaml.YAMLError as error:
                raise HubError(400, f"invalid YAML: {error}") from None
        request.send_json({"errors": [], "warnings": []})

    def info(self, request: _Handler, repo_key: tuple[str, str], *revision: str) -> None:
        repo = self._repo(request, repo_key)
        commit = self._commit_of(repo, revision[0] if revision else "main")
        blobs = "blobs" in request.query
        siblings = []
        for path in sorted(commit.files):
            sibling = {"rfilename": path}
            if blobs:
                entry = self._entry(repo, commit, path, expand=False) or {}
                sibling.update(size=entry["size"], blobId=entry["oid"])
                if "lfs" in entry:
                    sibling["lfs"] = {"sha256": entry["lfs"]["oid"], **entry["lfs"]}
            siblings.append(sibling)
        card = commit.files.get("README.md")
        card_data = _front_matter(card.data.decode()) if card else None
        payload = {
            "_id": hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/")[0],
            "sha": commit.oid,
            "createdAt": repo.created,
            "lastModified": commit.date,
            "private": repo.private,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
        }
        if card_data is not None:
            payload["cardData"] = card_data
        request.send_json(payload)

    def refs(self, request: _Handler, repo_key: tuple[str, str]) -> None:
        repo = self._repo(request, repo_key)

        def refs(kind: str, names: dict[str, str]) -> list[dict]:
            return [
                {"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": oid}
                for n, oid in sorted(names.items())
            ]

        payload = {"branches": refs("heads", repo.branches), "tags": refs("tags", repo.tags)}
        request.send_json({**payload, "converts": [], "pullRequests": []})

    def commits(self, request: _Handler, repo_key: tuple[str, str], revision: str) -> None:
        repo = self._repo(request, repo_key)
        history = repo.history(self._commit_of(repo, revision))
        request.send_json(
            [
                {
                    "id": c.oid,
                    "title": c.title,
                    "message": c.message,
                    "date": c.date,
                    "authors": [{"user": self.state.user}],
                }
                for c in history
            ]
        )

    def tree(self, request: _Handler, repo_key: tuple[str, str], parts: list[str]) -> None:
        repo = self._repo(request, repo_key)
        if not parts:
            raise HubError(404, "tree needs a revision")
        commit = self._commit_of(repo, parts[0])
        base = "/".join(parts[1:]).strip("/")
        if base and (base in commit.files or self._entry(repo, commit, base, False) is None):
            raise HubError(404, f"{base} is not a folder at {parts[0]}", "EntryNotFound")
        recursive = request.query.get("recursive", ["false"])[0].lower() in ("1", "true")
        expand = request.query.get("expand", ["false"])[0].lower() in ("1", "true")
        prefix = f"{base}/" if base else ""
        names: set[str] = set()
        for path in commit.files:
            if not path.startswith(prefix):
                continue
            pieces = path[len(prefix) :].split("/")
            depth = len(pieces) if recursive else 1
            names.update(prefix + "/".join(pieces[: i + 1]) for i in range(depth))
        entries = [self._entry(repo, commit, name, expand) for name in sorted(names)]
        request.send_json(entries)

    def paths_info(self, request: _Handler, repo_key: tuple[str, str], revision: str) -> None:
        repo = self._repo(request, repo_key)
        commit = self._commit_of(repo, revision)
        form = parse_qs(request.body.decode())
        expand = form.get("expand", ["False"])[0].lower() in ("1", "true")
        entries = [self._entry(repo, commit, p.strip("/"), expand) for p in form.get("paths", [])]
        request.send_json([e for e in entries if e is not None])

    # -- uploads ---------------------------------------------------------------------------

    def preupload(self, request: _Handler, repo_key: tuple[str, str], revision: str) -> None:
        repo = self._writable(request, repo_key)
        commit = repo.resolve(revision)
        files = []
        for item in request.json_body().get("files", []):
            path, size = item["path"], int(item["size"])
            lfs = path.endswith(LFS_SUFFIXES) or size >= LFS_MIN_BYTES
            remote = commit.files.get(path) if commit else None
            oid = None
            if remote is not None:
                oid = remote.sha256 if lfs else git_oid(remote.data)
            mode = "lfs" if lfs else "regular"
            files.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        request.send_json({"files": files, "commitOid": commit.oid if commit else None})

    def lfs_batch(self, request: _Handler, repo_key: tuple[str, str]) -> None:
        self._writable(request, repo_key)
        objects = []
        for item in request.json_body().get("objects", []):
            oid, size = item["oid"], int(item["size"])
            entry: dict = {"oid": oid, "size": size, "authenticated": True}
            if oid not in self.state.lfs:
                href = f"{self.base_url()}/lfs-upload/{oid}"
                entry["actions"] = {"upload": {"href": href, "header": {}}}
            objects.append(entry)
        request.send_json({"transfer": "basic", "objects": objects})

    def lfs_upload(self, request: _Handler, oid: str) -> None:
        if hashlib.sha256(request.body).hexdigest() != oid:
            raise HubError(400, f"uploaded content does not hash to {oid}")
        self.state.lfs[oid] = request.body
        request.send_bytes(b"", 200)

    def commit(self, request: _Handler, repo_key: tuple[str, str], revision: str) -> None:
        repo = self._writable(request, repo_key)
        if revision not in repo.branches:
            raise HubError(404, f"Invalid rev id: {revision} is not a branch", "RevisionNotFound")
        head = repo.commits[repo.branches[revision]]
        lines = [json.loads(line) for line in request.body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "the commit payload must start with a header line")
        header = lines[0]["value"]
        if header.get("parentCommit") not in (None, head.oid):
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        files = dict(head.files)
        for line in lines[1:]:
            _apply(files, line["key"], line["value"], self.state.lfs)
        commit = self.state.commit(
            repo, revision, header.get("summary", ""), header.get("description", ""), files
        )
        url = f"{self.base_url()}/{TYPE_PREFIX[repo.repo_type]}{repo.repo_id}/commit/{commit.oid}"
        request.send_json({"success": True, "commitOid": commit.oid, "commitUrl": url})

    # -- refs --------------------------------------------------------------------------------

    def create_tag(self, request: _Handler, repo_key: tuple[str, str], revision: str) -> None:
        repo = self._writable(request, repo_key)
        commit = self._commit_of(repo, revision)
        tag = request.json_body().get("tag", "")
        if not tag:
            raise HubError(400, "a tag name is required")
        if tag in repo.tags:
            raise HubError(409, f"Tag {tag} already exists")
        repo.tags[tag] = commit.oid
        request.send_json({"name": tag, "targetCommit": commit.oid})

    def delete_tag(self, request: _Handler, repo_key: tuple[str, str], tag: str) -> None:
        repo = self._writable(request, repo_key)
        if repo.tags.pop(tag, None) is None:
            raise HubError(404, f"Tag {tag} not found", "RevisionNotFound")
        request.send_json({})

    def create_branch(self, request: _Handler, repo_key: tuple[str, str], branch: str) -> None:
        repo = self._writable(request, repo_key)
        if branch in repo.branches:
            raise HubError(409, f"Branch {branch} already exists")
        start = self._commit_of(repo, request.json_body().get("startingPoint") or "main")
        repo.branches[branch] = start.oid
        request.send_json({})

    def delete_branch(self, request: _Handler, repo_key: tuple[str, str], branch: str) -> None:
        repo = self._writable(request, repo_key)
        if branch == "main" or repo.branches.pop(branch, None) is None:
            raise HubError(404, f"Branch {branch} cannot be deleted", "RevisionNotFound")
        request.send_json({})

    # -- downloads ---------------------------------------------------------------------------

    def resolve(
        self, request: _Handler, repo_key: tuple[str, str], revision: str, path: str
    ) -> None:
        repo = self._repo(request, repo_key)
        commit = self._commit_of(repo, revision)
        blob = commit.files.get(path)
        headers = {"X-Repo-Commit": commit.oid, "Accept-Ranges": "bytes"}
        if blob is None:
            message = f"Entry not found: {path}"
            request.send_json({"error": message}, 404, "EntryNotFound")
            return
        headers["ETag"] = f'"{blob.etag}"'
        if blob.lfs:
            headers["X-Linked-Etag"] = f'"{blob.sha256}"'
            headers["X-Linked-Size"] = str(len(blob.data))
        data, status = blob.data, 200
        wanted = request.headers.get("Range", "")
        if wanted.startswith("bytes="):
            first, _, last = wanted[6:].split(",")[0].partition("-")
            start = int(first) if first else max(0, len(data) - int(last))
            stop = int(last) + 1 if first and last else len(data)
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(data)}"
            data, status = data[start:stop], 206
        request.send_bytes(data, status, headers)


def _apply(files: dict[str, Blob], key: str, value: dict, lfs: dict[str, bytes]) -> None:
    """One NDJSON commit operation applied to a tree being built."""
    path = value["path"].strip("/")
    if key == "file":
        files[path] = Blob(base64.b64decode(value["content"]), lfs=False)
    elif key == "lfsFile":
        if value["oid"] not in lfs:
            raise HubError(400, f"LFS object {value['oid']} for {path} was never uploaded")
        files[path] = Blob(lfs[value["oid"]], lfs=True)
    elif key == "deletedFile":
        if files.pop(path, None) is None:
            raise HubError(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
    elif key == "deletedFolder":
        for name in [p for p in files if p.startswith(f"{path}/")]:
            del files[name]
    else:
        raise HubError(400, f"unknown commit operation {key!r}")


def _front_matter(card: str) -> dict | None:
    if not card.startswith("---\n"):
        return None
    try:
        data = yaml.safe_load(card[4:].split("\n---\n", 1)[0])
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: HubApi


class HubServer:
    """Start with ``with HubServer(token) as hub:``; ``hub.url`` is the HF_ENDPOINT."""

    def __init__(self, token: str) -> None:
        self.state = HubState(token)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = HubApi(self.state, lambda: self.url)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> HubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next(self, kind: str, status: int = 500, times: int = 1) -> None:
        """The next ``times`` requests of ``kind`` (one of KINDS) answer ``status``."""
        assert kind in KINDS, kind
        with self.state.lock:
            self.state.failures.setdefault(kind, []).extend([status] * times)

    def repo(self, repo_id: str, repo_type: str = "dataset") -> Repo:
        """A frozen copy of a repo's refs and commits, for assertions."""
        with self.state.lock:
            repo = self.state.repos[(repo_type, repo_id)]
            return replace(
                repo, commits=dict(repo.commits), branches=dict(repo.branches), tags=dict(repo.tags)
            )
