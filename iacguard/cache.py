"""Parse results cached by content, so an unchanged file is not parsed again.

What is cached is a file's parse result (a template's ``ParseResult``, a Terraform file's
syntax), never findings: resolution and checks run on every scan, so a change in one file
reaches every finding that depends on it. The key is a hash of everything the result is
a function of: the text, the name the file is shown by (locations carry it), what it is
parsed as, and the code that parses it.

Parse results are content-addressed (a key's value never changes), so they are appended
to packs, one per first two characters of the key; a scan indexes a pack once and
reads each record it needs where the index says. A cold scan of 5,000 files made 2,077
files when each result had its own, and on a disk where the kernel searches long for a
free inode, creating them cost 0.6-1.9 s of its 10-11.5 s of CPU time. A pack grows to
``PACK_LIMIT`` bytes; then its oldest records go. Other entries (a command's replay,
remembered answers) are named, not content-addressed, and are rewritten in place: each
is a file of its own.

The code is identified by iacguard's version and a fingerprint of its own source files and
of the parsers it uses (their location, size and modification time), so a new release, an
edited checkout or an upgraded python-hcl2 each get a directory of their own. Several
installs may share one cache directory (a pre-commit environment and a virtualenv):
their directories coexist, each marks when it was last used, and one unused for
``STALE_DAYS`` is removed when another version makes its directory. A named entry is
written to a temporary file and renamed into place, so concurrent scans never see half
of one; a pack record is appended in one write. An entry or record that cannot be read
(truncated, corrupt, written for another key) is a miss and is written again; a pack
whose records cannot be told apart any more is rewritten with those before the damage.
A cache that cannot be written is silently not used.

Entries are JSON (``iacguard.codec``): reading one builds plain values and iacguard's
dataclasses, never runs code. They are read only from a version directory this user
owns and nobody else can write to (created 0700), opened once and then read relative to
that handle, so a directory swapped for a link later in the scan is never read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from iacguard import __version__, codec, collector

# Bump when the layout of cached objects changes in a way the fingerprint would miss.
SCHEMA = 3
_DEPENDENCIES = ("hcl2", "lark", "cfnlint", "yaml", "pathspec")  # pathmatch keeps its answers
STALE_DAYS = 30
USED = "last-used"  # in each version directory: its modification time is its last use
# Bytes a pack of parse results may hold; past it, it keeps its newest records up to
# half of it. 256 packs: at most 2 GiB a version (a 5,000-file scan's results: 14 MB).
PACK_LIMIT = 8 * 1024 * 1024
# The longest header a pack record has: a key, a space, a length, a newline.
_HEADER = 64 + 1 + 20 + 1
_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


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


@functools.cache
def code_fingerprint() -> str:
    """A short hash of iacguard's version, its source files and the parsers it uses
    (once per process: the arguments, the replay and the scan each open the cache)."""
    digest = hashlib.sha256(f"{SCHEMA}\0{__version__}\0{sys.version}".encode())
    lines = _source_stats(os.fspath(Path(__file__).parent))
    from importlib.util import find_spec

    for name in _DEPENDENCIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            with contextlib.suppress(OSError):
                lines.append(_stat_line(spec.origin, Path(spec.origin).stat()))
    digest.update("".join(lines).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def _source_stats(directory: str) -> list[str]:
    """A line per ``.py`` file below ``directory``, sorted by path. Every scan pays for
    this walk: ``os.scandir`` costs half what ``Path.rglob`` did."""
    lines = []
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    lines.extend(_source_stats(entry.path))
                elif entry.name.endswith(".py"):
                    lines.append(_stat_line(entry.path, entry.stat()))
    lines.sort()
    return lines


def _stat_line(path: str, stat: os.stat_result) -> str:
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


class Cache:
    """A directory of parse results. ``Cache(None)`` caches nothing."""

    def __init__(self, root: Path | None, fingerprint: str | None = None) -> None:
        self.root = root
        self.directory: Path | None = None
        self._handle: int | None = None  # the version directory, once found private
        self._made: set[str] = set()  # its subdirectories this process made or found
        # where each record not yet read is, in each pack indexed (not the records: a
        # cache's packs may hold far more than the scan needs)
        self._packs: dict[str, dict[str, tuple[int, int]]] = {}
        if root is not None:
            version = fingerprint or code_fingerprint()
            self.directory = root / f"{__version__}-{version}"

    def __getstate__(self) -> dict[str, Any]:
        """A worker started by spawning opens the directory again."""
        return {
            "root": self.root,
            "directory": self.directory,
            "_handle": None,
            "_made": set(),
            "_packs": {},
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    @staticmethod
    def key(kind: str, file: str, text: str, parameters: tuple[tuple[str, str], ...] = ()) -> str:
        """The key of a result: what it was parsed as, the name it carries, the text, and
        the parameter values given for it (a template's values depend on them)."""
        digest = hashlib.sha256(f"{kind}\0{file}\0".encode("utf-8", "surrogatepass"))
        digest.update(text.encode("utf-8", "surrogatepass"))
        if parameters:
            encoded = json.dumps(parameters, ensure_ascii=True)  # one text per list of values
            digest.update(b"\0parameters\0" + encoded.encode("ascii"))
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        if self._open() is None:
            return None
        try:
            fd = self._open_entry(f"{key[:2]}/{key[2:]}", os.O_RDONLY)
            with os.fdopen(fd, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        return self.decode(key, data)

    def put(self, key: str, value: Any) -> bytes | None:
        """Store ``value``; the entry's bytes (``decode`` gives the value back), even
        where it could not be written; None for a value that cannot be stored."""
        data = self._encoded(key, value)
        if data is not None:
            self._write(key, data)
        return data

    def get_result(self, key: str) -> Any | None:
        """A parse result ``put_result`` stored under ``key`` (a content key: its value
        never changes). Each pack is indexed once; a key asked for again is a miss."""
        if self._open() is None:
            return None
        prefix = key[:2]
        spans = self._packs.get(prefix)
        if spans is None:
            spans = self._packs[prefix] = self._index_pack(prefix)
        span = spans.pop(key, None)
        data = self._read_span(prefix, span) if span is not None else None
        return None if data is None else self.decode(key, data)

    def put_result(self, key: str, value: Any) -> bytes | None:
        """Store a parse result under its content key; like ``put``, the entry's bytes."""
        data = self._encoded(key, value)
        if data is not None:
            self._append(key, data)
        return data

    def _encoded(self, key: str, value: Any) -> bytes | None:
        if self.directory is None:
            return None
        try:
            return codec.dumps(key, value)
        except (TypeError, ValueError, RecursionError):  # not storable: not cached
            return None

    @staticmethod
    def decode(key: str, data: bytes) -> Any:
        """The value of an entry's bytes; None for bytes that are not an entry for key."""
        try:
            with collector.paused():  # loading allocates many objects and frees none
                return codec.loads(key, data)
        except codec.Invalid:  # torn, corrupt, foreign or another key's: a miss
            return None

    def _write(self, key: str, data: bytes) -> None:
        try:
            if self._open() is None:
                self._create()
            if self._open() is None:
                return
            subdirectory, name = key[:2], key[2:]
            if subdirectory not in self._made:  # a system call less for most entries
                with contextlib.suppress(FileExistsError):
                    self._mkdir(subdirectory)
                self._made.add(subdirectory)
            temporary = f"{subdirectory}/.{name}.{os.getpid()}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            with os.fdopen(self._open_entry(temporary, flags), "wb") as stream:
                stream.write(data)
            self._replace(temporary, f"{subdirectory}/{name}")
        except OSError:
            self._made.discard(key[:2])  # removed meanwhile, say: made again next time
            self._remove(f"{key[:2]}/.{key[2:]}.{os.getpid()}.tmp")

    def _append(self, key: str, data: bytes) -> None:
        prefix = key[:2]
        record = _record(key, data)
        try:
            if self._open() is None:
                self._create()
            if self._open() is None:
                return
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            fd = self._open_entry(_pack(prefix), flags)
            try:
                written = os.write(fd, record)  # one write: not interleaved with another's
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
        except OSError:
            return
        if written != len(record):  # a full disk, say: what follows would be lost
            self._rewrite(prefix, _records(self._pack_bytes(prefix), prefix)[0])
        elif size > PACK_LIMIT:
            self._rewrite(prefix, _newest(_records(self._pack_bytes(prefix), prefix)[0]))

    def _index_pack(self, prefix: str) -> dict[str, tuple[int, int]]:
        """Where each of a pack's records is; a damaged pack is rewritten with those
        before the damage, so that records appended later can be read (a record another
        scan is appending meanwhile is lost with it: it is parsed again when needed)."""
        data = self._pack_bytes(prefix)
        spans, whole = _spans(data, prefix)
        if whole:
            return spans
        self._rewrite(prefix, _records(data, prefix)[0])
        return _spans(self._pack_bytes(prefix), prefix)[0]

    def _read_span(self, prefix: str, span: tuple[int, int]) -> bytes | None:
        """A record's entry, where the index says it is (a pack rewritten meanwhile by
        another scan gives bytes that are not this key's entry: a miss)."""
        start, end = span
        return self._pack_bytes(prefix, start, end - start) or None

    def _pack_bytes(self, prefix: str, start: int = 0, size: int = -1) -> bytes:
        """``size`` bytes of a pack from ``start`` (all of it by default); none when it
        cannot be read."""
        try:
            with os.fdopen(self._open_entry(_pack(prefix), os.O_RDONLY), "rb") as stream:
                stream.seek(start)
                return stream.read(size)
        except OSError:
            return b""

    def _rewrite(self, prefix: str, records: dict[str, bytes]) -> None:
        """Replace a pack by ``records`` (records appended meanwhile by another scan are
        lost: they are parsed again when next needed)."""
        temporary = f".{_pack(prefix)}.{os.getpid()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            with os.fdopen(self._open_entry(temporary, flags), "wb") as stream:
                stream.writelines(_record(key, data) for key, data in records.items())
            self._replace(temporary, _pack(prefix))
        except OSError:
            self._remove(temporary)

    def _remove(self, relative: str) -> None:
        """Remove a temporary file a failed write left (a full disk; on Windows, a file
        another process has open cannot be replaced), if there is one."""
        with contextlib.suppress(OSError):
            if self._handle is not None and self._handle >= 0:
                os.unlink(relative, dir_fd=self._handle)
            elif self._handle is not None and self.directory is not None:
                (self.directory / relative).unlink()

    def _open(self) -> int | None:
        """The version directory's handle (or, where the platform has no directory
        handles, a stand-in), when it exists and is ours alone: owned by this user, not a
        link, writable by nobody else. A "no" is asked again (another process may create
        it meanwhile)."""
        if self._handle is not None or self.directory is None:
            return self._handle
        if not _DIR_FD:
            if _private(self.directory):
                self._handle = -1
                self._mark_used()
            return self._handle
        try:
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
        except OSError:
            return None
        if not _private_handle(fd):
            os.close(fd)
            return None
        self._handle = fd
        self._mark_used()
        return fd

    def _open_entry(self, relative: str, flags: int) -> int:
        if self._handle is None or self.directory is None:
            raise FileNotFoundError(relative)
        if self._handle < 0:
            return os.open(self.directory / relative, flags | _NOFOLLOW, 0o600)
        return os.open(relative, flags | _NOFOLLOW, 0o600, dir_fd=self._handle)

    def _mkdir(self, relative: str) -> None:
        assert self.directory is not None and self._handle is not None
        if self._handle < 0:
            (self.directory / relative).mkdir(mode=0o700)
        else:
            os.mkdir(relative, 0o700, dir_fd=self._handle)

    def _replace(self, source: str, target: str) -> None:
        assert self.directory is not None and self._handle is not None
        if self._handle < 0:
            (self.directory / source).replace(self.directory / target)
        else:
            os.replace(source, target, src_dir_fd=self._handle, dst_dir_fd=self._handle)

    def _mark_used(self) -> None:
        """Record that this version is in use, so no other prunes it as stale."""
        try:
            os.close(self._open_entry(USED, os.O_WRONLY | os.O_CREAT))
            if self._handle is not None and self._handle >= 0:
                os.utime(USED, dir_fd=self._handle)
            elif self.directory is not None:
                os.utime(self.directory / USED)
        except OSError:
            pass

    def _create(self) -> None:
        """Make the version directory; the first to make it prunes stale versions."""
        assert self.directory is not None
        try:
            self.directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory.mkdir(mode=0o700)
        except FileExistsError:
            return
        self._remove_stale_versions()

    def _remove_stale_versions(self) -> None:
        """Directories of other versions (other installs may share this cache) that were
        not used for ``STALE_DAYS``; only this user's own."""
        import shutil

        assert self.directory is not None and self.root is not None
        limit = time.time() - STALE_DAYS * 86400
        for sibling in self.root.iterdir():
            if sibling == self.directory or not _is_version(sibling.name):
                continue
            if not _private(sibling):
                continue
            try:
                used = (sibling / USED).stat().st_mtime
            except OSError:
                used = sibling.lstat().st_mtime
            if used < limit:
                shutil.rmtree(sibling, ignore_errors=True)


def _pack(prefix: str) -> str:
    return f"{prefix}.pack"


def _record(key: str, data: bytes) -> bytes:
    """A pack's record: a line with the key and the entry's length, the entry, a new line."""
    return f"{key} {len(data)}\n".encode("ascii") + data + b"\n"


def _records(data: bytes, prefix: str) -> tuple[dict[str, bytes], bool]:
    """A pack's records by key, and whether they are all there is (see ``_spans``)."""
    spans, whole = _spans(data, prefix)
    return {key: data[start:end] for key, (start, end) in spans.items()}, whole


def _spans(data: bytes, prefix: str) -> tuple[dict[str, tuple[int, int]], bool]:
    """Where each of a pack's records is by key, and whether they are all there is: a
    record cut short (by a crash, a full disk, or read while another scan appends it)
    ends what can be read, and the records after it are lost."""
    spans: dict[str, tuple[int, int]] = {}
    position, size = 0, len(data)
    while position < size:
        newline = data.find(b"\n", position, position + _HEADER)
        key, _, length = data[position : max(newline, position)].partition(b" ")
        if not (len(key) == 64 and key.isalnum() and key.isascii() and length.isdigit()):
            return spans, False
        name = key.decode("ascii")
        start = newline + 1
        end = start + int(length)
        if name[:2] != prefix or end >= size or data[end] != ord("\n"):
            return spans, False
        spans[name] = (start, end)
        position = end + 1
    return spans, True


def _newest(records: dict[str, bytes]) -> dict[str, bytes]:
    """The records written last, up to half a pack's limit (at least the last one)."""
    kept: list[tuple[str, bytes]] = []
    total = 0
    for key, data in reversed(records.items()):
        total += len(data)
        if kept and total > PACK_LIMIT // 2:
            break
        kept.append((key, data))
    return dict(reversed(kept))


def _private(directory: Path) -> bool:
    if not hasattr(os, "getuid"):  # Windows: the user profile's ACLs protect the cache
        return True
    try:
        return _private_status(directory.lstat())
    except OSError:
        return False


def _private_handle(fd: int) -> bool:
    try:
        return _private_status(os.fstat(fd))
    except OSError:
        return False


def _private_status(status: os.stat_result) -> bool:
    import stat

    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _is_version(name: str) -> bool:
    version, _, fingerprint = name.rpartition("-")
    return bool(version) and len(fingerprint) == 16 and version[:1].isdigit()
