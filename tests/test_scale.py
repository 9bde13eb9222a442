"""A large repository, mostly not IaC: the scan completes and says how many files it
scanned, skipped and failed (text summary and JSON summary)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import iacguard

TEMPLATE = """\
Resources:
  Deployer{n}:
    Type: AWS::IAM::User
    Properties:
      Groups: [deployers]
  Policy{n}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: {action}
            Resource: "*"
"""
MODULE = """\
resource "aws_iam_group" "g{n}" {{
  name = "g{n}"
}}

resource "aws_iam_group_policy" "p{n}" {{
  group  = aws_iam_group.g{n}.name
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "{action}", Resource = "*" }}]
  }})
}}
"""
KUBERNETES = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{n}\n"


def repository(root: Path) -> dict[str, int]:
    """4,000 files: code, docs, package files, Kubernetes manifests and hidden or
    vendored trees, with 150 templates and 50 Terraform modules among them."""
    counts = {"templates": 150, "modules": 50, "broken": 3, "kubernetes": 400, "packages": 200}
    for n in range(2000):
        service = root / "services" / f"svc{n % 40}"
        service.mkdir(parents=True, exist_ok=True)
        (service / f"handler_{n}.py").write_text(f"def handler_{n}(event):\n    return {n}\n")
        if n % 2 == 0:
            (service / f"README_{n}.md").write_text(f"# Service {n}\n")
    for n in range(counts["packages"]):
        package = root / "web" / f"pkg{n}"
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"name": f"pkg{n}", "version": "1.0.0"}))
        (package / "node_modules" / "dep").mkdir(parents=True)  # never walked
        (package / "node_modules" / "dep" / "t.yaml").write_text(TEMPLATE.format(n=n, action="'*'"))
    for n in range(counts["kubernetes"]):
        (root / "k8s").mkdir(exist_ok=True)
        (root / "k8s" / f"deploy{n}.yaml").write_text(KUBERNETES.format(n=n))
    for n in range(counts["templates"]):
        (root / "stacks").mkdir(exist_ok=True)
        action = "s3:GetObject" if n % 10 else "'s3:*'"
        (root / "stacks" / f"stack{n}.yaml").write_text(TEMPLATE.format(n=n, action=action))
    for n in range(counts["modules"]):
        module = root / "terraform" / f"m{n}"
        module.mkdir(parents=True)
        action = "ec2:DescribeInstances" if n % 10 else "sqs:*"
        (module / "main.tf").write_text(MODULE.format(n=n, action=action))
    for n in range(counts["broken"]):
        (root / "stacks" / f"broken{n}.yaml").write_text(
            "Resources:\n  X:\n    Type: AWS::IAM::User\n  [\n"
        )
    (root / ".git").mkdir()
    (root / ".git" / "HEAD.yaml").write_text(TEMPLATE.format(n=0, action="'*'"))
    return counts


@pytest.mark.slow  # writes and scans thousands of files
def test_a_large_mostly_non_iac_repository_is_scanned_and_counted(tmp_path: Path) -> None:
    counts = repository(tmp_path)
    started = time.perf_counter()
    done = iacguard("check", ".", "--format", "json", cwd=tmp_path)
    elapsed = time.perf_counter() - started
    document = json.loads(done.stdout)
    scanned = counts["templates"] + counts["modules"]
    skipped = counts["kubernetes"] + counts["packages"]
    summary = dict(document["summary"])
    assert summary.pop("findings") == len(document["findings"])
    assert summary == {
        "files_scanned": scanned,
        "files_skipped": skipped,
        "resources": 2 * scanned,
        "suppressed": 0,
        "errors": counts["broken"],
    }
    wildcards = [f for f in document["findings"] if f["rule_id"] == "IG002"]
    assert len(wildcards) == 15 + 5  # s3:* in every tenth template, ec2:* in every tenth module
    assert sorted((e["file"], e["line"]) for e in document["errors"]) == [
        (f"stacks/broken{n}.yaml", 5) for n in range(counts["broken"])
    ]
    assert done.returncode == 2
    assert elapsed < 60, elapsed

    summary = iacguard("check", ".", cwd=tmp_path).stdout.splitlines()[-1]
    assert summary.startswith(f"{len(document['findings'])} findings (20 high")
    assert summary.endswith(
        f" in {scanned} files scanned, {skipped} skipped; {counts['broken']} errors."
    )
