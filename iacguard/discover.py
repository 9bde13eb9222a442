"""Which files a scan reads: walk the given paths, keep the IaC candidates."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_DIRECTORIES = frozenset({".git", ".terraform", "node_modules", "__pycache__"})
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
CLOUDFORMATION_SUFFIXES = (".yaml", ".yml", ".json", ".template")


@dataclass(slots=True)
class Discovery:
    """Terraform files grouped by module directory, CloudFormation candidates, and the
    paths that do not exist."""

    terraform: dict[Path, list[Path]] = field(default_factory=dict)
    cloudformation: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The name a user sees: relative to the current directory when below it, with ``/``."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = str(path)
    if relative.startswith(".." + os.sep) and path.is_absolute():
        relative = str(path)
    return relative.replace(os.sep, "/")


def discover(paths: list[str], excluded: Callable[[str], bool] = lambda _: False) -> Discovery:
    """The files below ``paths``; ``excluded`` is asked with each file's display path."""
    found = Discovery()
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            _classify(root, found, seen)
        elif root.is_dir():
            for directory, subdirs, files in os.walk(root):
                subdirs[:] = sorted(d for d in subdirs if not _skip_directory(d))
                for name in sorted(f for f in files if not f.startswith(".")):
                    path = Path(directory) / name
                    if not excluded(display_path(path)):
                        _classify(path, found, seen)
        else:
            found.missing.append(raw)
    return found


def _skip_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.startswith(".")


def _classify(path: Path, found: Discovery, seen: set[Path]) -> None:
    key = path.absolute()
    if key in seen:
        return
    seen.add(key)
    name = path.name
    if name.endswith(TERRAFORM_SUFFIXES):
        found.terraform.setdefault(path.parent, []).append(path)
    elif name.endswith(CLOUDFORMATION_SUFFIXES):
        found.cloudformation.append(path)
