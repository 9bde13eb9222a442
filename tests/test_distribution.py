"""The distribution name: every install line names ours, never the other project's."""

from __future__ import annotations

import re
import sys

from helpers import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

# "iacguard" on PyPI is an unrelated project (checked when the name was chosen: pip index
# versions iacguard lists 0.1.0 by another author; iacguard-iam has no release at all).
NAME = "iacguard-iam"
INSTALL = re.compile(r"^[ \t]*(?:\S+ -m )?pipx? install\b.*$", re.MULTILINE)  # commands, not prose


def test_the_distribution_is_iacguard_iam_with_the_iacguard_command_and_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == NAME
    assert project["scripts"] == {"iacguard": "iacguard.cli:run"}
    assert f"{NAME}[cfnlint]" in project["optional-dependencies"]["test"]


def test_every_install_line_names_iacguard_iam_or_a_local_checkout() -> None:
    files = ["README.md", "action.yml", ".pre-commit-hooks.yaml", "CHANGELOG.md"]
    lines = []
    for name in files:
        path = ROOT / name
        if path.exists():
            lines += [(name, m.group(0)) for m in INSTALL.finditer(path.read_text("utf-8"))]
    assert lines, "no install line found"
    for name, line in lines:
        packages = [w.strip("'\"") for w in line.split()[2:] if not w.startswith("-")]
        for package in packages:
            if package.startswith(("iacguard", "'iacguard", '"iacguard')):
                assert package.split("[")[0] == NAME, f"{name}: {line}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pipx install iacguard-iam\n" in readme
    assert "python3 -m pip install 'iacguard-iam[cfnlint]'" in readme
    # the contributor install and test commands are exactly the ones CI runs
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("python3 -m pip install -e '.[test]'", "python3 -m pytest"):
        assert f"\n{command}\n" in ci
        assert f"\n{command}\n" in readme


def test_the_changelog_has_the_current_version_and_readme_pins_its_tag() -> None:
    from iacguard import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {__version__}\n" in changelog
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"    rev: v{__version__}\n" in readme
    assert re.search(rf"uses: \S+/iacguard@[0-9a-f]{{40}} # v{re.escape(__version__)}\n", readme)
