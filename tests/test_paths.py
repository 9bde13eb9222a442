"""Names a user sees: the fast path of display_path names every path as relpath does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.discover import discover
from iacguard.paths import display_path


def by_relpath(path: Path) -> str:
    relative = os.path.relpath(path)
    if relative.startswith(".." + os.sep) and path.is_absolute():
        relative = str(path)
    return relative.replace(os.sep, "/")


@pytest.mark.parametrize("cwd", ["inner", ".", "/"])
def test_display_path_names_every_path_as_relpath_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    (tmp_path / "inner" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / cwd if cwd != "/" else "/")
    here = str(Path.cwd())
    paths = [".", "a", "a/b.tf", "../x.yaml", "../../y", "..", "a/../b", "./a", "a//b", "/",
             here, f"{here}/a/b.yaml", f"{here}x", f"{here}/", str(tmp_path),
             str(tmp_path / "inner" / "sub"), "/etc/passwd", "/tmp/../etc", "..a/b"]  # fmt: skip
    for raw in paths:
        assert display_path(Path(raw)) == by_relpath(Path(raw)), raw


def test_discovery_names_files_as_display_path_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stack" / "iam").mkdir(parents=True)
    (tmp_path / "stack" / "iam" / "main.tf").write_text("")
    (tmp_path / "stack" / "role.yaml").write_text("")
    monkeypatch.chdir(tmp_path / "stack")
    asked: list[str] = []
    for root in (".", "./iam", "../stack", str(tmp_path / "stack")):
        asked.clear()
        found = discover([root], lambda name: asked.append(name) is None)
        assert found.files == {}  # all excluded
        # "../stack" is the current directory: named as relpath names it
        expected = ["role.yaml", "iam/main.tf"] if root != "./iam" else ["iam/main.tf"]
        assert asked == expected, root
        assert asked == [display_path(tmp_path / "stack" / name) for name in expected]
