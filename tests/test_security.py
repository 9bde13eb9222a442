"""What a scan must never do with the files it reads: execute anything, reach the
network, read outside the scanned paths (through links or file()), or load YAML unsafely."""

from __future__ import annotations

import builtins
import os
import socket
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES, iacguard, run

from iacguard.config import Config
from iacguard.engine import scan
from iacguard.parsing import ScanOptions

USER = "Resources:\n  U:\n    Type: AWS::IAM::User\n"
SECRET = "SECRET-TOKEN-0123456789"


def test_a_scan_of_every_fixture_runs_no_process_and_evaluates_no_code(
    monkeypatch: pytest.MonkeyPatch, every_fixture_scan: subprocess.CompletedProcess[str]
) -> None:
    # every_fixture_scan imported everything before the traps, in this process. This scan
    # runs here too, without the cache: worker processes are iacguard's own code.
    options = ScanOptions(jobs=1, cache=False, prefilter=False)
    calls: list[str] = []

    def trap(name: str):  # type: ignore[no-untyped-def]
        def called(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise AssertionError(f"{name} called during a scan")

        return called

    for name in ("Popen", "run", "call", "check_output"):
        monkeypatch.setattr(subprocess, name, trap(f"subprocess.{name}"))
    for name in ("system", "popen", "execv", "execve", "execvp", "spawnv", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, trap(f"os.{name}"))
    monkeypatch.setattr(builtins, "eval", trap("eval"))
    monkeypatch.setattr(builtins, "exec", trap("exec"))
    monkeypatch.setattr(builtins, "compile", trap("compile"))
    result = scan([str(FIXTURES)], Config(), options=options)
    assert (calls, result.errors) == ([], [])
    assert result.findings


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def connect(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network access to {address}")

    def resolve(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"name lookup {args}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", resolve)
    return attempts


def test_remote_modules_and_urls_are_never_fetched(
    tmp_path: Path, no_network: list[object]
) -> None:
    (tmp_path / "main.tf").write_text(
        'module "git" {\n  source = "git::https://example.com/iam.git?ref=v1"\n}\n'
        'module "registry" {\n  source = "terraform-aws-modules/iam/aws"\n}\n'
        'module "http" {\n  source = "https://example.com/iam.zip"\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = file("https://example.com/policy.json")\n}\n'
    )
    result = run(tmp_path)
    assert no_network == []
    assert result.errors == []
    assert [(u.line, u.resource, u.why) for u in result.unresolved] == [
        (2, "module.git", "remote module sources are not fetched; its resources are not checked"),
        (
            5,
            "module.registry",
            "remote module sources are not fetched; its resources are not checked",
        ),
        (8, "module.http", "remote module sources are not fetched; its resources are not checked"),
        (11, "aws_iam_policy.p", "the policy document cannot be resolved"),
    ]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
    ],
)
def test_yaml_is_loaded_safely(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    template = USER + "    Properties:\n      UserName: " + tag.format(marker=marker) + "\n"
    (tmp_path / "t.yaml").write_text(template)
    result = run(tmp_path)
    assert not marker.exists()
    assert [(Path(e.file).name, e.line) for e in result.errors] == [("t.yaml", None)]
    assert result.errors[0].message.startswith(
        "cannot parse template: Template could not be parsed: could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:python/"
    )


def outside(tmp_path: Path) -> tuple[Path, Path]:
    """A scanned directory, and a secret next to it (outside it)."""
    scanned = tmp_path / "repo"
    scanned.mkdir()
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials").write_text(f"{SECRET} = here\n")
    (secret / "policy.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "*"}]}')
    (secret / "AWS::IAM::Role.yaml").write_text(f"{SECRET}: [\n# AWS::IAM::Role\n")
    return scanned, secret


def test_links_out_of_the_scanned_paths_are_not_read(tmp_path: Path) -> None:
    scanned, secret = outside(tmp_path)
    (scanned / "creds.tf").symlink_to(secret / "credentials")
    (scanned / "t.yaml").symlink_to(secret / "AWS::IAM::Role.yaml")
    (scanned / "dir").symlink_to(secret)
    (scanned / "modules").mkdir()
    (scanned / "modules" / "creds.tf").symlink_to(secret / "credentials")
    (scanned / "main.tf").write_text(
        'module "m" {\n  source = "./modules"\n}\nmodule "up" {\n  source = "../secret"\n}\n'
    )
    done = iacguard("check", str(scanned), "--format", "json")
    assert SECRET not in done.stdout + done.stderr
    result = run(scanned)
    assert result.errors == []
    assert [(os.path.relpath(n.file, scanned), n.why) for n in result.not_read] == [
        ("dir", "a symbolic link to a directory outside the scanned paths; not followed"),
        ("creds.tf", "a symbolic link to a file outside the scanned paths; not read"),
        ("t.yaml", "a symbolic link to a file outside the scanned paths; not read"),
        ("modules/creds.tf", "a symbolic link to a file outside the scanned paths; not read"),
    ]
    assert [(u.resource, u.why) for u in result.unresolved] == [
        ("module.up", "the module directory is outside the scanned directories; not read")
    ]


def test_a_link_inside_the_scanned_paths_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(USER)
    (tmp_path / "alias.yaml").symlink_to("real.yaml")
    (tmp_path / "templates").symlink_to(".")
    result = run(tmp_path)
    assert [(f.rule_id, Path(f.location.file).name) for f in result.findings] == [
        ("IG003", "real.yaml")
    ]
    assert (result.errors, result.not_read) == ([], [])


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../secret/policy.json", "${path.module}/../secret/policy.json", "leak.json"],
)
def test_file_reads_nothing_outside_the_scanned_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    scanned, secret = outside(tmp_path)
    (scanned / "leak.json").symlink_to(secret / "policy.json")
    (scanned / "main.tf").write_text(
        f'resource "aws_iam_policy" "p" {{\n  policy = file("{path}")\n}}\n'
    )
    monkeypatch.chdir(scanned)
    result = run(".")
    assert (result.errors, result.findings) == ([], [])
    assert [(u.line, u.why) for u in result.unresolved] == [
        (2, "the policy document cannot be resolved")
    ]


@pytest.mark.parametrize(
    "path",
    [
        ".git/config",
        "${path.module}/.git/config",
        "modules/../.git/config",
        "git-config.json",  # a link into .git
        ".terraform/modules/modules.json",
        "node_modules/x/policy.json",
        ".env",
    ],
)
def test_file_and_templatefile_refuse_what_discovery_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    scanned = tmp_path / "repo"
    for directory in (".git", ".terraform/modules", "node_modules/x", "modules"):
        (scanned / directory).mkdir(parents=True)
    token = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    for secret in (".git/config", ".terraform/modules/modules.json", ".env"):
        (scanned / secret).write_text(token)
    (scanned / "node_modules/x/policy.json").write_text(token)
    (scanned / "git-config.json").symlink_to(scanned / ".git" / "config")
    (scanned / "main.tf").write_text(
        f'resource "aws_iam_policy" "p" {{\n  policy = file("{path}")\n}}\n'
        f'resource "aws_iam_policy" "t" {{\n  policy = templatefile("{path}", {{}})\n}}\n'
    )
    monkeypatch.chdir(scanned)
    result = run(".")
    assert (result.errors, result.findings) == ([], [])
    assert [(u.line, u.why) for u in result.unresolved] == [
        (2, "the policy document cannot be resolved"),
        (5, "the policy document cannot be resolved"),
    ]
    done = iacguard("check", ".", "--format", "json", cwd=scanned)
    assert "Allow" not in done.stdout and "Action" not in done.stdout
