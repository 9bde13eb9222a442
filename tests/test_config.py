"""Config files: where they are found, every key, and clear errors for bad ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import iacguard

from iacguard.checks import OPTIONS

TEMPLATE = (
    "Resources:\n"
    "  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      MaxSessionDuration: 7200\n"
    "  Ops:\n    Type: AWS::IAM::User\n"
    "  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    "      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}\n"
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
            ".iacguard.yaml:1: fail_onn: unknown key (the keys are fail_on, exclude, rules, "
            "select, ignore, var_files, max_file_bytes, gitignore, "
            f"{', '.join(o.name for o in OPTIONS)})",
        ),
        (
            "fail_on: severe\n",
            ".iacguard.yaml:1: fail_on: unknown severity 'severe' (one of info, low, medium, high, critical) or none",
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
        ("\n\nignore:\n  - {reason: x}\n", ".iacguard.yaml:4: ignore[0]: needs a rule"),
        (
            "ignore:\n  - {rule: IG002, file: x}\n",
            ".iacguard.yaml:2: ignore[0].file: unknown key (the keys are rule, reason, path, resource)",
        ),
        (
            "fail_on: high\nrules:\n  IG001: true\n  IG099: false\n",
            ".iacguard.yaml:4: rules.IG099: unknown rule 'IG099' (see `iacguard rules`)",
        ),
        (
            "ignore:\n  - rule: IG001\n    reason: ok\n  - rule: IG002\n    path: 7\n",
            ".iacguard.yaml:5: ignore[1].path: must be a string, not 7",
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


def test_a_toml_config_error_points_at_the_key_s_own_line(tmp_path: Path) -> None:
    toml = "[project]\nname = 'x'\n\n[tool.iacguard]\nfail_on = 'high'\n\n[tool.iacguard.rules]\nIG001 = true\nIG099 = false\n"
    done = iacguard("check", ".", cwd=project(tmp_path, toml, "pyproject.toml"))
    assert (done.returncode, done.stderr) == (
        2,
        "iacguard: error: pyproject.toml:9: rules.IG099: unknown rule 'IG099' (see `iacguard rules`)\n",
    )


# -- a config that comes with an attacker's pull request --------------------------------


@pytest.mark.parametrize(
    "path",
    ["../../home/runner/.docker/config.json", "/etc/passwd", "link/secret.json", "gone/x.tfvars"],
)
def test_var_files_outside_the_config_repository_are_an_error_that_tells_nothing(
    tmp_path: Path, path: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"auths": {"ghcr.io": {"auth": "c2VjcmV0"}}}', encoding="utf-8")
    repository = tmp_path / "repo"
    repository.mkdir()
    (repository / ".git").mkdir()
    (repository / "link").symlink_to(tmp_path)  # a link committed in the repository
    (repository / "gone").symlink_to(tmp_path / "nothing-here")
    (repository / "main.tf").write_text(TF_ADMIN, encoding="utf-8")
    (repository / ".iacguard.yaml").write_text(f"var_files: [{path}]\n", encoding="utf-8")

    done = iacguard("check", ".", "--format", "json", cwd=repository)

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"iacguard: error: .iacguard.yaml:1: var_files[0]: {path!r} is outside the config's "
        "repository; a config names only files inside it\n"
    )


def test_var_files_inside_the_config_repository_are_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TF_ADMIN, encoding="utf-8")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "prod.tfvars").write_text('actions = ["s3:*"]\n', encoding="utf-8")
    (tmp_path / "infra" / ".iacguard.yaml").write_text(
        "var_files: [../env/prod.tfvars]\n", encoding="utf-8"
    )
    done = iacguard("check", ".", "--format", "json", cwd=tmp_path / "infra")
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule_id"], finding["file"], finding["line"]) == ("IG002", "main.tf", 8)
    assert "s3:*" in finding["message"]


TF_ADMIN = """\
variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = var.actions
    resources = ["*"]
  }
}
"""


def test_a_config_may_lower_the_file_size_limit_but_not_raise_it(tmp_path: Path) -> None:
    project(tmp_path, "max_file_bytes: 104857600\n")
    done = iacguard("check", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "iacguard: error: .iacguard.yaml:1: max_file_bytes: a config may lower the limit, not "
        "raise it above 1,048,576 (raising it is for the command line: --max-file-bytes)\n"
    )

    (tmp_path / ".iacguard.yaml").write_text("max_file_bytes: 100\n", encoding="utf-8")
    done = iacguard("check", ".", "--format", "json", cwd=tmp_path)
    errors = json.loads(done.stdout)["errors"]
    message = (
        "file is 268 bytes, over the 100-byte limit; to scan it, raise the limit with "
        "--max-file-bytes"
    )
    assert [(e["file"], e["message"]) for e in errors] == [
        ("legacy/old.yaml", message),
        ("stacks/iam.yaml", message),
    ]


def _merge_key_chain(size: int) -> str:
    lines = ["a0: &a0 {k0: 0}"]
    written = len(lines[0])  # a running total: summing every line again is quadratic
    while written < size:
        n = len(lines)
        lines.append(f"a{n}: &a{n} {{<<: *a{n - 1}, k{n}: {n}}}")
        written += len(lines[-1])
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            ".iacguard.yaml",
            _merge_key_chain(471_000),
            ".iacguard.yaml:354: YAML aliases expand to more than 250,000 values; the config "
            "is not read",
        ),
        (
            ".iacguard.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            ".iacguard.yaml:6: YAML aliases expand to more than 250,000 values; the config "
            "is not read",
        ),
        (
            ".iacguard.yaml",
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            ".iacguard.yaml:1: nested too deeply (more than 128 levels)",
        ),
        (
            "pyproject.toml",
            "[tool.iacguard]\na = " + "[" * 5000 + "]" * 5000 + "\n",
            "pyproject.toml: nested too deeply (more than 128 levels)",
        ),
        (
            ".iacguard.yaml",
            "# " + "x" * 1_100_000 + "\n",
            ".iacguard.yaml: the config is over the 1,048,576-byte limit",
        ),
    ],
    ids=["chained-merge-keys", "alias-bomb", "yaml-nesting", "toml-nesting", "over-size"],
)
def test_a_hostile_config_fails_fast_within_the_limits_templates_have(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    import time

    (tmp_path / name).write_text(content, encoding="utf-8")
    started = time.process_time()
    done = iacguard("check", ".", cwd=tmp_path)
    assert time.process_time() - started < 3
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"iacguard: error: {message}\n")
