"""Config files: where they are found, every key, and clear errors for bad ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import iacguard

TEMPLATE = (
    "Resources:\n"
    "  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      MaxSessionDuration: 7200\n"
    "  Ops:\n    Type: AWS::IAM::User\n"
    "  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    "      PolicyDocument: {Statement: [{Effect: Allow, Action: 'ec2:*', Resource: '*'}]}\n"
)


def project(tmp_path: Path, config: str | None = None, name: str = ".iacguard.yaml") -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "iam.yaml").write_text(TEMPLATE)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.yaml").write_text(TEMPLATE)
    if config is not None:
        (tmp_path / name).write_text(config)
    return tmp_path


def findings(cwd: Path, *args: str) -> list[tuple[str, str, str | None]]:
    done = iacguard("check", ".", "--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return [
        (f["rule_id"], f["file"], f["suppression"]["kind"] if f["suppressed"] else None)
        for f in json.loads(done.stdout)["findings"]
    ]


def test_without_config_every_rule_runs(tmp_path: Path) -> None:
    assert findings(project(tmp_path)) == [
        ("IG005", "legacy/old.yaml", None),
        ("IG003", "legacy/old.yaml", None),
        ("IG002", "legacy/old.yaml", None),
        ("IG005", "stacks/iam.yaml", None),
        ("IG003", "stacks/iam.yaml", None),
        ("IG002", "stacks/iam.yaml", None),
    ]


CONFIG = """\
max_session_seconds: 7200
exclude: [legacy]
rules:
  user-not-in-group: false
ignore:
  - rule: IG002
    path: "stacks/*.yaml"
    resource: Admin
    reason: reviewed in SEC-42
"""


def test_every_key_of_the_yaml_config(tmp_path: Path) -> None:
    assert findings(project(tmp_path, CONFIG)) == [("IG002", "stacks/iam.yaml", "config")]


def test_pyproject_tool_table(tmp_path: Path) -> None:
    toml = """\
[project]
name = "x"

[tool.iacguard]
fail_on = "critical"
require_explicit_session_limit = true
exclude = ["stacks"]
"""
    root = project(tmp_path, toml, "pyproject.toml")
    assert iacguard("check", ".", cwd=root).returncode == 0  # nothing is critical
    assert findings(root) == [
        ("IG005", "legacy/old.yaml", None),
        ("IG003", "legacy/old.yaml", None),
        ("IG002", "legacy/old.yaml", None),
    ]


def test_config_in_the_git_root_applies_from_a_subdirectory(tmp_path: Path) -> None:
    root = project(tmp_path, "rules: {IG003: false, IG005: false}\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert findings(root / "stacks") == [("IG002", "iam.yaml", None)]


def test_explicit_config_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "ci.yaml").write_text("rules: {IG002: false, IG003: false}\nexclude: ['legacy/**']\n")
    assert findings(root, "--config", "ci.yaml") == [("IG005", "stacks/iam.yaml", None)]


def test_command_line_flags_override_the_config(tmp_path: Path) -> None:
    root = project(tmp_path, "max_session_seconds: 7200\nrules: {IG002: false, IG003: false}\n")
    assert findings(root, "--max-session-seconds", "3600") == [
        ("IG005", "legacy/old.yaml", None),
        ("IG005", "stacks/iam.yaml", None),
    ]


def test_unused_config_ignore_entries_are_reported(tmp_path: Path) -> None:
    root = project(tmp_path, "ignore:\n  - rule: IG001\n    reason: nothing matches\n")
    document = json.loads(iacguard("check", ".", "--format", "json", cwd=root).stdout)
    assert document["unused_suppressions"] == [
        {
            "kind": "config",
            "file": ".iacguard.yaml",
            "line": 2,
            "rules": ["IG001"],
            "message": "matches no finding",
        }
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "fail_onn: high\n",
            ".iacguard.yaml:1: fail_onn: unknown key (the keys are fail_on, exclude, rules, ignore, var_files, max_file_bytes, max_session_seconds, require_explicit_session_limit, trusted_accounts)",
        ),
        (
            "fail_on: severe\n",
            ".iacguard.yaml:1: fail_on: unknown severity 'severe' (one of info, low, medium, high, critical)",
        ),
        (
            "max_session_seconds: an hour\n",
            ".iacguard.yaml:1: max_session_seconds: must be a whole number greater than 0, not 'an hour'",
        ),
        ("exclude: legacy\n", ".iacguard.yaml:1: exclude: must be a list of paths"),
        (
            "rules: {IG999: false}\n",
            ".iacguard.yaml:1: rules.IG999: unknown rule 'IG999' (see `iacguard rules`)",
        ),
        (
            "rules: {IG002: maybe}\n",
            ".iacguard.yaml:1: rules.IG002: must be true or false, not 'maybe'",
        ),
        ("\n\nignore:\n  - {reason: x}\n", ".iacguard.yaml:3: ignore[0]: needs a rule"),
        (
            "ignore:\n  - {rule: IG002, file: x}\n",
            ".iacguard.yaml:1: ignore[0].file: unknown key (the keys are rule, reason, path, resource)",
        ),
        ("- a list\n", ".iacguard.yaml: the config must be a mapping of keys to values"),
        (
            "a: [\n",
            ".iacguard.yaml:2: not valid YAML: expected the node content, but found '<stream end>'",
        ),
    ],
)
def test_bad_configs_are_one_clear_error_naming_the_key(
    tmp_path: Path, config: str, message: str
) -> None:
    done = iacguard("check", ".", cwd=project(tmp_path, config))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"iacguard: error: {message}\n")


def test_a_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    done = iacguard("check", ".", "--config", "nope.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "iacguard: error: nope.yaml: config file not found\n",
    )
