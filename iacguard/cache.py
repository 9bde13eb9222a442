"""Parse results cached by content, so an unchanged file is not parsed again.

What is cached is a file's parse result (a template's ``ParseResult``, a Terraform file's
syntax), never findings: resolution and checks run on every scan, so a change in one file
reaches every finding that depends on it. The key is a hash of everything the result is
a function of: the text, the name the file is shown by (locations carry it), what it is
parsed as, and the code that parses it.

The code is identified by iacguard's version and a fingerprint of its own source files and
of the parsers it uses (their location, size and modification time), so a new release, an
edited checkout or an upgraded python-hcl2 each get a fresh directory, and the directories
of other versions are removed when a new one is made. Entries are written to a temporary
file and renamed into place, so concurrent scans never see half an entry; an entry that
cannot be read (truncated, corrupt, from an incompatible Python) is a miss and is
overwritten. A cache that cannot be written is silently not used.

Entries are pickles, and loading a pickle can run code, so entries are only read from a
version directory that this user owns and nobody else can write to (created 0700); a
cache directory that fails that test is not used at all.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from iacguard import __version__

# Bump when the layout of cached objects changes in a way the fingerprint would miss.
SCHEMA = 1
_DEPENDENCIES = ("hcl2", "lark", "cfnlint", "yaml")


def default_directory() -> Path:
    """``$IACGUARD_CACHE_DIR``; else ``$XDG_CACHE_HOME/iacguard``; else the platform's
    user cache directory."""
    explicit = os.environ.get("IACGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "iacguard"
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        if base:
            return Path(base) / "iacguard" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "iacguard"
    return Path.home() / ".cache" / "iacguard"


def code_fingerprint() -> str:
    """A short hash of iacguard's version, its source files and the parsers it uses."""
    digest = hashlib.sha256(f"{SCHEMA}\0{__version__}\0{sys.version}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        _stat_into(digest, path)
    from importlib.util import find_spec

    for name in _DEPENDENCIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            _stat_into(digest, Path(spec.origin))
    return digest.hexdigest()[:16]


def _stat_into(digest: Any, path: Path) -> None:
    try:
        stat = path.stat()
    except OSError:
        return
    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())


class Cache:
    """A directory of pickled parse results. ``Cache(None)`` caches nothing."""

    def __init__(self, root: Path | None, fingerprint: str | None = None) -> None:
        self.root = root
        self.directory: Path | None = None
        self._trusted = False
        if root is not None:
            version = fingerprint or code_fingerprint()
            self.directory = root / f"{__version__}-{version}"

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    @staticmethod
    def key(kind: str, file: str, text: str) -> str:
        """The key of a result: what it was parsed as, the name it carries, the text."""
        digest = hashlib.sha256(f"{kind}\0{file}\0".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / key[:2] / key[2:]

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        if path is None or not self._is_trusted():
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # a torn or foreign entry is a miss; put() replaces it
            return None

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not picklable: not cached, never an error
            return
        try:
            self._prepare(path.parent)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError:
            return

    def _is_trusted(self) -> bool:
        """Whether the version directory is ours alone: owned by this user, not a link,
        writable by nobody else. Once it is, that is remembered for the scan (another
        process may create it meanwhile, so a "no" is asked again)."""
        if not self._trusted:
            self._trusted = self.directory is not None and _private(self.directory)
        return self._trusted

    def _prepare(self, directory: Path) -> None:
        if directory.is_dir():
            return
        assert self.directory is not None
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._remove_other_versions()
        if not self._is_trusted():
            raise PermissionError(f"{self.directory} is not private to this user")
        directory.mkdir(mode=0o700, exist_ok=True)

    def _remove_other_versions(self) -> None:
        """A new version's first write removes what older versions left behind."""
        import shutil

        assert self.directory is not None and self.root is not None
        for sibling in self.root.iterdir():
            if sibling != self.directory and sibling.is_dir() and _is_version(sibling.name):
                shutil.rmtree(sibling, ignore_errors=True)


def _private(directory: Path) -> bool:
    if not hasattr(os, "getuid"):  # Windows: the user profile's ACLs protect the cache
        return True
    try:
        status = directory.lstat()
    except OSError:
        return False
    import stat

    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _is_version(name: str) -> bool:
    version, _, fingerprint = name.rpartition("-")
    return bool(version) and len(fingerprint) == 16 and version[:1].isdigit()
