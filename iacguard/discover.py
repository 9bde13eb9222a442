"""Which files a scan reads: walk the given paths, keep the IaC candidates.

The walk never leaves the scanned paths: symbolic links to directories are not
followed (so a link loop cannot stall it), and a link to a file is read only when
its target is inside a scanned path. Named pipes, sockets and devices are never
opened. What is not read for such a reason is said, with why.

A directory that a format reads through one file of it (``Format.directory_file``): the
walk hands the format that file, even where ``.gitignore`` lists the directory (what a
build writes is often ignored, and may be all of a project that can be read). Such a
directory is still walked as any other where it is not ignored: a file in it never
hides the files beside it; what the format read is not read again
(``Scheduler.claimed``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from iacguard.pathmatch import GitIgnores

from iacguard.formats import NAMED, Format, candidate, claim, directory_files, format_for, owner
from iacguard.paths import NotRead, display_path, skipped_directory


@dataclass(slots=True)
class Discovery:
    """Each format's candidates (by its name) in the order found, the paths that do
    not exist, what was left alone (and why), and what could not be read (errors)."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    unreadable: list[NotRead] = field(default_factory=list)


def with_modules(args: Sequence[str]) -> list[str]:
    """The arguments, each file of a format read by directory followed by the other
    files of its directory in that format: such a file means little without its module
    (its variables, locals and the resources that use them are in the files beside it).
    Options and their values pass through, for the pre-commit hook's arguments."""
    out: list[str] = []
    for arg in args:
        out.append(arg)
        path = Path(arg)
        form = format_for(arg)
        if form is not None and form.by_directory and path.is_file():
            siblings = sorted(p for p in path.parent.iterdir() if format_for(p.name) is form)
            out.extend(str(p) for p in siblings if p != path and str(p) not in args)
    return list(dict.fromkeys(out))


def discover(
    paths: list[str], excluded: Callable[[str], bool] = lambda _: False, *, gitignore: bool = True
) -> Discovery:
    """The files below ``paths``; ``excluded`` is asked with each file's display path.
    With ``gitignore``, what the ``.gitignore`` files say git ignores is left out too
    (files named in ``paths`` are always read)."""
    from iacguard.pathmatch import GitIgnores

    ignores = GitIgnores() if gitignore else None
    walk = _Walk(excluded, [Path(os.path.realpath(raw)) for raw in paths], ignores)
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            walk.directory(root)
        elif root.name in walk.whole_names and walk.whole(root.parent, display_path(root.parent)):
            continue  # it names the directory read through it
        elif root.exists():  # named on the command line: read even through a link
            walk.file(root, Path(os.path.realpath(root)), explicit=True)
        else:
            walk.found.missing.append(raw)
    # A file (of a format not read by directory) reached through a link is read under
    # the link's name only if the walk did not reach it under its own (in a hidden
    # directory, say).
    for path, real, form in walk.linked:
        if walk.first(os.fspath(real)):
            walk.add(form, path)
    if ignores is not None:
        walk.found.not_read.extend(NotRead(where, why) for where, why in ignores.warnings)
    return walk.found


class _Walk:
    def __init__(
        self, excluded: Callable[[str], bool], roots: list[Path], ignores: GitIgnores | None
    ) -> None:
        self.excluded = excluded
        self.ignores = ignores
        self.roots = roots
        self.found = Discovery()
        self.seen: set[str] = set()
        self.linked: list[tuple[Path, Path, Format]] = []
        self.whole_names = directory_files()

    def add(self, form: Format, path: Path) -> None:
        self.found.files.setdefault(form.name, []).append(path)

    def inside(self, real: Path) -> bool:
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def directory(self, root: Path) -> None:
        """Walk ``root`` with ``os.scandir``: a directory entry tells whether it is a
        directory, a link or a regular file without another system call, and names are
        joined as strings (a Path per entry costs more than the walk itself)."""
        start = os.fspath(root)
        ignores = self.ignores
        if ignores is not None:
            ignores.above(root)
        # (directory, its real path, its display name); a directory reached by the walk
        # is not a link, so its real path is its parent's joined with its name
        pending = [(start, os.path.realpath(start), display_path(root))]
        whole_names = self.whole_names
        while pending:
            directory, real_directory, shown = pending.pop()
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as error:
                why = f"cannot list directory: {error.strerror or error}"
                self.found.unreadable.append(NotRead(display_path(Path(directory)), why))
                continue
            subdirectories: list[os.DirEntry[str]] = []
            files: list[os.DirEntry[str]] = []
            whole = False  # it holds a file a whole directory may be read through
            for entry in entries:
                (subdirectories if _is_directory(entry) else files).append(entry)
                if entry.name in whole_names:
                    whole = True
                if ignores is not None and entry.name == ".gitignore":
                    ignores.load(Path(directory))
            if whole:  # and walked all the same: a manifest.json never hides its directory
                self.whole(Path(directory), shown)
            # asked only when some .gitignore was read: most trees have none
            ignored = ignores.ignored if ignores is not None and ignores.specs else None
            walked = []
            for entry in subdirectories:
                name = entry.name
                if skipped_directory(name):
                    continue
                child = name if shown == "." else f"{shown}/{name}"
                if ignored is not None and ignored(entry.path, directory=True):
                    if self.whole_names and not entry.is_symlink():
                        self.whole(Path(entry.path), child)
                    continue
                if not entry.is_symlink():
                    walked.append((entry.path, os.path.join(real_directory, name), child))
                elif not self.inside(Path(os.path.realpath(entry.path))):
                    why = "a symbolic link to a directory outside the scanned paths; not followed"
                    self.found.not_read.append(NotRead(child, why))
                # links inside are walked where they point
            for entry in files:
                name = entry.name
                if name.startswith(".") or not candidate(name):
                    continue
                if self.excluded(name if shown == "." else f"{shown}/{name}"):
                    continue
                if ignored is None or not ignored(entry.path, directory=False):
                    self.entry(entry, os.path.join(real_directory, name))
            pending.extend(reversed(walked))  # depth first, in name order, as os.walk

    def whole(self, directory: Path, shown: str) -> bool:
        """Whether a format reads ``directory`` (display path ``shown``) whole; if so, it
        is handed the file it reads it through, unless that file is excluded."""
        found = owner(directory)
        if found is None:
            return False
        form, path = found
        name = path.name if shown == "." else f"{shown}/{path.name}"
        if not self.excluded(name) and self.first(os.path.realpath(path)):
            self.add(form, path)
        return True

    def entry(self, entry: os.DirEntry[str], real: str) -> None:
        """A candidate the walk found; most are regular files, told so by the listing."""
        if not entry.is_symlink() and entry.is_file(follow_symlinks=False):
            path = Path(entry.path)
            form = claim(path)
            # a file linked into several module directories belongs to each
            if form is not None and self.first(
                os.path.abspath(path) if form.by_directory else real
            ):
                self.add(form, path)
            return
        self.file(Path(entry.path), Path(real), explicit=False)

    def file(self, path: Path, real: Path, *, explicit: bool) -> None:
        """``real``: where ``path`` is, through links of the directories above it."""
        name = path.name
        why = None
        if not explicit and path.is_symlink():
            real = Path(os.path.realpath(path))
            if not real.exists():
                why = "a symbolic link to nothing (broken, or a loop)"
            elif not self.inside(real):
                why = "a symbolic link to a file outside the scanned paths; not read"
        if why is None:
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                why = f"cannot read file: {exc.strerror or exc}"
                self.found.unreadable.append(NotRead(display_path(path), why))
                return
            if not stat.S_ISREG(mode):
                why = "not a regular file (a named pipe, socket or device); not read"
        if why is not None:
            if candidate(name):
                self.found.not_read.append(NotRead(display_path(path), why))
            return
        form = claim(path) or (NAMED if explicit else None)  # named: whatever its name
        if form is None:
            return
        if form.by_directory:
            # a file linked into several module directories belongs to each
            if self.first(os.path.abspath(path)):
                self.add(form, path)
        elif not explicit and path.is_symlink():
            self.linked.append((path, real, form))
        elif self.first(os.fspath(real)):
            self.add(form, path)

    def first(self, key: str) -> bool:
        """Whether ``key`` (a file's absolute path in a format read by directory, else
        its real path) is new."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """A directory, or a link to one (as ``os.walk`` counts them); an entry that cannot
    be inspected is not."""
    try:
        return entry.is_dir()
    except OSError:
        return False
