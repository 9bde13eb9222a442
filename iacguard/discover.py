"""Which files a scan reads: walk the given paths, keep the IaC candidates.

The walk never leaves the scanned paths: symbolic links to directories are not
followed (so a link loop cannot stall it), and a link to a file is read only when
its target is inside a scanned path. Named pipes, sockets and devices are never
opened. What is not read for such a reason is said, with why.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iacguard.pathmatch import GitIgnores

from iacguard.findings import NotRead
from iacguard.paths import display_path, skipped_directory

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
CLOUDFORMATION_SUFFIXES = (".yaml", ".yml", ".json", ".template")


@dataclass(slots=True)
class Discovery:
    """Terraform files grouped by module directory, CloudFormation candidates, the
    paths that do not exist, what was left alone (and why), and what could not be
    read (errors)."""

    terraform: dict[Path, list[Path]] = field(default_factory=dict)
    cloudformation: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    unreadable: list[NotRead] = field(default_factory=list)


def with_modules(args: Sequence[str]) -> list[str]:
    """The arguments, each Terraform file followed by the other Terraform files of its
    directory: a Terraform file means little without its module (its variables, locals
    and the resources that use them are in the files beside it). Options and their
    values pass through, for the pre-commit hook's arguments."""
    out: list[str] = []
    for arg in args:
        out.append(arg)
        path = Path(arg)
        if arg.endswith(TERRAFORM_SUFFIXES) and path.is_file():
            siblings = sorted(
                p for p in path.parent.iterdir() if p.name.endswith(TERRAFORM_SUFFIXES)
            )
            out.extend(str(p) for p in siblings if p != path and str(p) not in args)
    return list(dict.fromkeys(out))


def is_candidate(name: str) -> bool:
    return name.endswith(TERRAFORM_SUFFIXES) or name.endswith(CLOUDFORMATION_SUFFIXES)


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
        elif root.exists():  # named on the command line: read even through a link
            walk.file(root, Path(os.path.realpath(root)), explicit=True)
        else:
            walk.found.missing.append(raw)
    # A template reached through a link is read under the link's name only if the walk
    # did not reach it under its own (in a hidden directory, say).
    for path, real in walk.linked_templates:
        if walk.first(real):
            walk.found.cloudformation.append(path)
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
        self.seen: set[Path] = set()
        self.linked_templates: list[tuple[Path, Path]] = []

    def inside(self, real: Path) -> bool:
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def directory(self, root: Path) -> None:
        def unlistable(error: OSError) -> None:
            where = display_path(Path(error.filename)) if error.filename else str(root)
            why = f"cannot list directory: {error.strerror or error}"
            self.found.unreadable.append(NotRead(where, why))

        ignores = self.ignores
        if ignores is not None:
            ignores.above(root)
        for directory, subdirs, files in os.walk(root, onerror=unlistable):
            real_directory = Path(os.path.realpath(directory))
            if ignores is not None:
                ignores.load(Path(directory))
            kept = []
            for name in sorted(subdirs):
                if skipped_directory(name):
                    continue
                path = Path(directory) / name
                if ignores is not None and ignores.ignored(path, directory=True):
                    continue
                if not path.is_symlink():
                    kept.append(name)
                elif not self.inside(Path(os.path.realpath(path))):
                    why = "a symbolic link to a directory outside the scanned paths; not followed"
                    self.found.not_read.append(NotRead(display_path(path), why))
            subdirs[:] = kept  # links inside are walked where they point
            for name in sorted(f for f in files if not f.startswith(".")):
                path = Path(directory) / name
                if not is_candidate(name) or self.excluded(display_path(path)):
                    continue
                if ignores is not None and ignores.ignored(path, directory=False):
                    continue
                self.file(path, real_directory / name, explicit=False)

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
            if is_candidate(name):
                self.found.not_read.append(NotRead(display_path(path), why))
            return
        if name.endswith(TERRAFORM_SUFFIXES):
            # a file linked into several module directories belongs to each
            if self.first(path.absolute()):
                self.found.terraform.setdefault(path.parent, []).append(path)
        elif not explicit and path.is_symlink():
            self.linked_templates.append((path, real))
        elif self.first(real):
            self.found.cloudformation.append(path)

    def first(self, key: Path) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True
