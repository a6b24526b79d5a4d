"""Where a build's files live: a local directory or an fsspec URL.

``locate("out")`` is local disk, ``locate("s3://bucket/prefix")`` S3 or any
S3-compatible store, ``memory://…`` fsspec's in-process store (tests), ``file://…``
local disk again. A location inside a storage is a ``PurePath``: a concrete ``Path``
on local disk, so local callers keep their pathlib habits, and a ``PurePosixPath``
(``bucket/key``) elsewhere, which only its ``Storage`` can open.

Credentials and the endpoint come from the environment the S3 client already reads
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL``
or fsspec's ``FSSPEC_S3_ENDPOINT_URL``), never from a build config, so no secret can
reach a frozen config or a manifest.

Atomicity: every file is written whole to a local temporary first, then published in
one step: ``os.replace`` on local disk, a single upload (``put_file``: one PUT, or a
multipart upload that only becomes visible when complete) on object storage. No
reader ever sees a partially written file under its final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import IO, TYPE_CHECKING

from pyarrow.fs import FileSystem, FSSpecHandler, PyFileSystem

from factory.errors import FactoryError
from factory.storage.atomic import atomic_path, remove_stale_staging, staging_dir_for
from factory.storage.hashing import sha256_stream

if TYPE_CHECKING:  # fsspec (with asyncio, ~0.15 s) is imported only for a remote location
    import fsspec

LOCAL_PROTOCOLS = ("file", "local")


class StorageError(FactoryError):
    """A storage request failed: no bucket, no credentials, no network, no permission."""


def is_url(location: str | PurePath) -> bool:
    """True for a location on a non-local fsspec filesystem (``s3://``, ``memory://``)."""
    protocol, sep, _ = str(location).partition("://")
    return bool(sep) and isinstance(location, str) and protocol not in LOCAL_PROTOCOLS


class Storage(ABC):
    """The few file operations a build needs, the same on local disk and object storage."""

    is_local: bool

    @abstractmethod
    def url(self, path: PurePath) -> str:
        """``path`` as a location string that ``locate`` maps back to (storage, path)."""

    @abstractmethod
    def exists(self, path: PurePath) -> bool:
        """Whether the file ``path`` exists."""

    @abstractmethod
    def open(self, path: PurePath) -> IO[bytes]:
        """Open a file for reading (FileNotFoundError when absent)."""

    @abstractmethod
    @contextmanager
    def writing(self, path: PurePath) -> Iterator[Path]:
        """Yield a local path to write; on success its bytes appear at ``path`` in one step.

        On an exception nothing appears (and an older ``path`` stays as it was).
        """

    @abstractmethod
    def glob(self, directory: PurePath, pattern: str) -> list[PurePath]:
        """Files under ``directory`` matching ``pattern`` (one ``*``-style component per
        level, no ``**``), sorted; [] when it is absent."""

    @abstractmethod
    def files(self, directory: PurePath) -> list[PurePath]:
        """Every file under ``directory``, at any depth, sorted; [] when it is absent."""

    @abstractmethod
    def remove(self, path: PurePath) -> None:
        """Delete one file; absent is fine."""

    @abstractmethod
    def remove_tree(self, path: PurePath) -> None:
        """Delete a directory (a key prefix) and everything under it; absent is fine."""

    @abstractmethod
    def size(self, path: PurePath) -> int: ...

    @abstractmethod
    def stamp(self, path: PurePath) -> str | None:
        """A cheap token that changes whenever the file's content may have changed (size and
        modification time, an object's ETag); None when absent or when none is known."""

    @abstractmethod
    @contextmanager
    def publishing_dir(self, final: PurePath, marker: str) -> Iterator[Path]:
        """Yield a local directory to fill; on success it becomes ``final`` as a whole.

        ``marker`` is the file whose presence means "published" (``manifest.json``);
        a ``final`` that is already published is never replaced (FactoryError).
        """

    @abstractmethod
    def arrow_filesystem(self) -> FileSystem | None:
        """The filesystem to give pyarrow readers (None: plain local paths)."""

    def read_text(self, path: PurePath) -> str:
        with self.open(path) as handle:
            return handle.read().decode("utf-8")

    def write_text(self, path: PurePath, text: str) -> None:
        with self.writing(path) as tmp:
            tmp.write_text(text, encoding="utf-8")

    def sha256(self, path: PurePath) -> str:
        with self.open(path) as handle:
            return sha256_stream(handle)


@dataclass(frozen=True)
class LocalStorage(Storage):
    """Local disk: pathlib, and the temp-then-rename of ``factory.storage.atomic``."""

    is_local = True

    def url(self, path: PurePath) -> str:
        return str(path)

    def exists(self, path: PurePath) -> bool:
        return Path(path).is_file()

    def open(self, path: PurePath) -> IO[bytes]:
        return Path(path).open("rb")

    @contextmanager
    def writing(self, path: PurePath) -> Iterator[Path]:
        with atomic_path(Path(path)) as tmp:
            yield tmp

    def glob(self, directory: PurePath, pattern: str) -> list[PurePath]:
        return sorted(path for path in Path(directory).glob(pattern) if path.is_file())

    def files(self, directory: PurePath) -> list[PurePath]:
        return sorted(path for path in Path(directory).rglob("*") if path.is_file())

    def remove(self, path: PurePath) -> None:
        Path(path).unlink(missing_ok=True)

    def remove_tree(self, path: PurePath) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def size(self, path: PurePath) -> int:
        return Path(path).stat().st_size

    def stamp(self, path: PurePath) -> str | None:
        try:
            info = Path(path).stat()
        except OSError:
            return None
        return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"

    @contextmanager
    def publishing_dir(self, final: PurePath, marker: str) -> Iterator[Path]:
        """A hidden sibling staging directory, renamed into place in one step; a crash
        leaves only the hidden directory, never a half-written ``final``, and the next
        publish beside it removes that leftover."""
        final = Path(final)
        remove_stale_staging(final.parent)
        staging = staging_dir_for(final)
        try:
            staging.mkdir(parents=True)
            yield staging
            if final.exists():
                raise FactoryError(f"{final} appeared while building; not replacing it")
            os.rename(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def arrow_filesystem(self) -> FileSystem | None:
        return None


@dataclass(frozen=True)
class FsspecStorage(Storage):
    """Any fsspec filesystem without atomic rename (S3 and its kin, ``memory://``)."""

    protocol: str
    is_local = False

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        """fsspec's cached instance, looked up on every use: fsspec makes a fresh one in
        a forked worker (a client is not fork-safe). No listings cache: other workers
        write here too, and a stale listing would hide their files."""
        import fsspec

        return fsspec.filesystem(self.protocol, use_listings_cache=False)

    def url(self, path: PurePath) -> str:
        return self.fs.unstrip_protocol(str(path))

    @contextmanager
    def _failing(self, action: str, path: PurePath, absent_ok: bool = False) -> Iterator[None]:
        """A failed request (no bucket, no credentials, no network, no permission) as one
        StorageError naming the URL; FileNotFoundError passes when ``absent_ok``."""
        try:
            yield
        except Exception as error:
            if isinstance(error, FactoryError) or (
                absent_ok and isinstance(error, FileNotFoundError)
            ):
                raise
            raise StorageError(
                f"{self.url(path)}: cannot {action} ({type(error).__name__}: {error})"
            ) from error

    def exists(self, path: PurePath) -> bool:
        with self._failing("look it up", path):
            try:
                return self.fs.info(str(path))["type"] == "file"
            except FileNotFoundError:
                return False

    def open(self, path: PurePath) -> IO[bytes]:
        with self._failing("read it", path, absent_ok=True):
            return self.fs.open(str(path), "rb")

    @contextmanager
    def writing(self, path: PurePath) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="factory-put-") as tmp:
            local = Path(tmp) / path.name
            yield local
            self._put(local, path)

    def _put(self, local: Path, path: PurePath) -> None:
        with self._failing("write it", path):
            self.fs.put_file(str(local), str(path))

    def glob(self, directory: PurePath, pattern: str) -> list[PurePath]:
        """One flat listing of the prefix (fsspec's glob lists level by level: slow)."""
        depth = len(PurePosixPath(pattern).parts)
        return [
            path
            for path in self.files(directory)
            if len(path.relative_to(directory).parts) == depth and path.match(pattern)
        ]

    def files(self, directory: PurePath) -> list[PurePath]:
        with self._failing("list it", directory):
            return sorted(PurePosixPath(p) for p in self.fs.find(str(directory)))

    def remove(self, path: PurePath) -> None:
        if self.exists(path):
            with self._failing("delete it", path):
                self.fs.rm_file(str(path))

    def remove_tree(self, path: PurePath) -> None:
        files = self.files(path)
        if files:
            with self._failing("delete it", path):
                self.fs.rm([str(file) for file in files])  # batched deletes on S3

    def size(self, path: PurePath) -> int:
        with self._failing("look it up", path, absent_ok=True):
            return int(self.fs.size(str(path)))

    def stamp(self, path: PurePath) -> str | None:
        with self._failing("look it up", path):
            try:
                info = self.fs.info(str(path))
            except FileNotFoundError:
                return None
        version = next(
            (info[k] for k in ("ETag", "LastModified", "mtime", "created") if info.get(k)), None
        )
        return None if version is None else f"{info.get('size')}:{version}"

    @contextmanager
    def publishing_dir(self, final: PurePath, marker: str) -> Iterator[Path]:
        """Object storage has no directory rename: the local staging directory is
        uploaded under ``final`` file by file with ``marker`` last, so ``final`` counts
        as published only once ``marker`` exists. A crash mid-upload leaves files but no
        marker: not published, and the next publish removes those leftovers first."""
        with tempfile.TemporaryDirectory(prefix="factory-publish-") as tmp:
            staging = Path(tmp)
            yield staging
            if self.exists(final / marker):
                raise FactoryError(f"{self.url(final)} appeared while building; not replacing it")
            self.remove_tree(final)
            files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*"))
            for relative in sorted(files, key=lambda name: name == marker):
                if (staging / relative).is_file():
                    self._put(staging / relative, final / relative)

    def arrow_filesystem(self) -> FileSystem | None:
        return PyFileSystem(FSSpecHandler(self.fs))


LOCAL = LocalStorage()


def locate(location: str | PurePath) -> tuple[Storage, PurePath]:
    """The storage of a local path or URL, and the (absolute) path inside it."""
    text = str(location)
    if not is_url(location):
        protocol, sep, rest = text.partition("://")
        return LOCAL, Path(rest if sep and protocol in LOCAL_PROTOCOLS else text).resolve()
    protocol = text.partition("://")[0]
    import fsspec

    try:
        _, path = fsspec.core.url_to_fs(text, use_listings_cache=False)
    except (ImportError, ValueError) as error:
        raise FactoryError(
            f"{text}: no storage for '{protocol}://' ({error}); for S3: pip install "
            "'reasoning-factory[s3]'"
        ) from None
    return FsspecStorage(protocol), PurePosixPath(path)
