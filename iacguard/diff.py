"""PR mode: keep only what a change touched.

The whole tree is still scanned (a Terraform module or a user's group membership spans
files); afterwards findings, errors and unresolved values are kept only in files that
changed since the merge base of REF and HEAD, and with ``--changed-lines`` only findings
whose lines changed. A finding whose value is read from a changed file (a ``.tfvars``
file, a module caller's input, a ``file()`` target) is kept too, and so is an error
about a module any of whose files changed. "Changed" is measured against the working
tree, so uncommitted and untracked files count as changes (what a pre-commit run or a
local check wants); in CI the working tree is the commit under review.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult
from iacguard.records import dataclass, field, replace

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class DiffError(Exception):
    """Why the change set could not be read, in one line."""


class _GitFailed(DiffError):
    """git ran and refused; the caller knows what that means for the user."""


@dataclass(slots=True)
class Changes:
    """The files changed since ``base`` (absolute paths) and, on demand, their lines."""

    root: Path
    base: str
    files: frozenset[Path]
    untracked: frozenset[Path]
    _lines: dict[Path, frozenset[int]] = field(default_factory=dict)

    def touches(self, file: str) -> bool:
        return _absolute(file) in self.files

    def touches_lines(self, file: str, first: int, last: int) -> bool:
        """Whether any line in ``first..last`` of ``file`` is new or changed. A deletion
        counts for the lines on either side of it (removing a ``Condition`` changes
        the statement around it)."""
        path = _absolute(file)
        if path not in self.files:
            return False
        if path in self.untracked:
            return True
        if path not in self._lines:
            self._lines[path] = self._changed_lines(path)
        changed = self._lines[path]
        return any(line in changed for line in range(first, max(first, last) + 1))

    def _changed_lines(self, path: Path) -> frozenset[int]:
        relative = path.relative_to(self.root).as_posix()
        out = _git(
            self.root,
            "--literal-pathspecs",
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            self.base,
            "--",
            relative,
        )
        lines: set[int] = set()
        for match in _HUNK.finditer(out):
            start, count = int(match[1]), int(match[2] or 1)
            if count == 0:  # a pure deletion after line `start`
                lines.update((start, start + 1))
            else:
                lines.update(range(start, start + count))
        return frozenset(lines)

    def keep(self, result: ScanResult, *, lines: bool = False) -> ScanResult:
        """The scan narrowed to the change: findings (on changed lines if asked: where
        it is reported, or any of its parts), errors and unresolved values in changed
        files."""

        def wanted(finding: Finding) -> bool:
            loc = finding.location
            if any(self.touches(f) for f in result.inputs.get(loc.file, ())):
                return True  # its value is read from a changed file (.tfvars, a caller)
            if not lines:
                return self.touches(loc.file)
            # any offending element on a changed line: iam:* added to a statement whose
            # finding sits at an older * still makes the finding changed
            spans = [loc, *(part.location for part in finding.parts)]
            return any(self.touches_lines(s.file, s.line, s.end_line) for s in spans)

        def error_wanted(error: Error) -> bool:
            if error.file is None:  # about the whole scan: always
                return True
            return any(self.touches(f) for f in (error.file, *error.concerns))

        return replace(
            result,
            findings=[f for f in result.findings if wanted(f)],
            errors=[e for e in result.errors if error_wanted(e)],
            unresolved=[u for u in result.unresolved if self.touches(u.file)],
        )


def changes_since(ref: str, cwd: Path | None = None) -> Changes:
    """What changed between the merge base of ``ref`` and HEAD, and the working tree."""
    where = (cwd or Path.cwd()).resolve()
    try:
        root = Path(_git(where, "rev-parse", "--show-toplevel").strip()).resolve()
    except _GitFailed as exc:
        if "not a git repository" not in str(exc):  # e.g. git's "dubious ownership"
            raise DiffError(f"--diff-base: {exc}") from None
        raise DiffError(f"--diff-base needs a git repository; {where} is not in one") from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except _GitFailed:
        raise DiffError(
            f"--diff-base: no commit {ref!r} in this repository "
            "(in a shallow clone, fetch it first, e.g. actions/checkout with fetch-depth: 0)"
        ) from None
    try:
        base = _git(root, "merge-base", "--end-of-options", ref, "HEAD").strip()
    except _GitFailed:
        raise DiffError(
            f"--diff-base: {ref!r} and HEAD have no common history here "
            "(in a shallow clone, fetch more of it, e.g. fetch-depth: 0)"
        ) from None
    changed = _names(_git(root, "diff", "--name-only", "-z", "--no-renames", base, "--"))
    untracked = _names(_git(root, "ls-files", "-z", "--others", "--exclude-standard"))
    return Changes(
        root=root,
        base=base,
        files=frozenset(root / name for name in changed | untracked),
        untracked=frozenset(root / name for name in untracked),
    )


def _names(output: str) -> set[str]:
    return {name for name in output.split("\0") if name}


def _absolute(file: str) -> Path:
    return (Path.cwd() / file).resolve()


# git runs programs named in the repository's own config: an fsmonitor hook on every
# status-like command, clean filters (chosen by .gitattributes) on working-tree files,
# external diff and textconv drivers, a pager. A checkout may come with a .git/config
# the scanning user never wrote (an archive, a shared workspace), so each is switched off.
_SAFE = (
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "core.hooksPath=/dev/null",
)  # fmt: skip


def _git(cwd: Path, *args: str) -> str:
    return _run_git(cwd, args, _no_filters(cwd))


def _no_filters(cwd: Path) -> tuple[str, ...]:
    """``-c`` options that empty every filter driver the config defines."""
    try:
        listed = _run_git(cwd, ("config", "-z", "--name-only", "--get-regexp", r"^filter\."))
    except DiffError:  # none defined (git exits 1), or no config at all
        return ()
    drivers = {name.rsplit(".", 1)[0] for name in listed.split("\0") if name.count(".") >= 2}
    overrides: list[str] = []
    for driver in sorted(drivers):
        for key in ("clean", "smudge", "process"):
            overrides += ["-c", f"{driver}.{key}="]
        overrides += ["-c", f"{driver}.required=false"]
    return tuple(overrides)


def _run_git(cwd: Path, args: tuple[str, ...], overrides: tuple[str, ...] = ()) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "GIT_EXTERNAL_DIFF"}
    environment["GIT_OPTIONAL_LOCKS"] = "0"  # never rewrite the index meanwhile
    try:
        completed = subprocess.run(
            ["git", *_SAFE, *overrides, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
            env=environment,
        )
    except FileNotFoundError:
        raise DiffError("--diff-base needs git, and git is not installed") from None
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()
        command = next(arg for arg in args if not arg.startswith("-"))
        raise _GitFailed(f"git {command}: {message[0] if message else 'failed'}")
    return completed.stdout
