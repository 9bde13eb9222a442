"""Module instances are told apart: the resource address carries the instance path
(``module.x["k"]``, ``module.x[0]``, ``module.a.module.b``), in findings, text output and
fingerprints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import described, iacguard, run

F = "fixtures/terraform/module_instances"
MODULE = f"{F}/modules/policy/main.tf"


def test_each_instance_is_a_finding_of_its_own_with_its_address() -> None:
    result = run(F)
    assert result.errors == []
    assert result.unresolved == []
    main, team = f"{F}/main.tf", f"{F}/modules/team/main.tf"
    # Each value is found where it is written (the locals, the calls), the module's
    # resource being its related location.
    assert described(result) == [
        f'IG002 {main}:5:12 high module.team_policy["web"].aws_iam_policy.this: Statement #1 allows s3:* (every s3 action) (only if called from module.team_policy["web"] ({main}:15))',
        f'IG002 {main}:6:12 high module.team_policy["api"].aws_iam_policy.this: Statement #1 allows dynamodb:* (every dynamodb action) (only if called from module.team_policy["api"] ({main}:15))',
        f"IG002 {main}:28:47 low module.read_only[0].aws_iam_policy.this: Statement #1 allows ec2:Describe* (grants 194 List actions) (only if called from module.read_only[0] ({main}:26))",
        f"IG002 {team}:11:47 high module.platform.module.deploy.aws_iam_policy.this: Statement #1 allows iam:* (every iam action) (only if called from module.platform.module.deploy ({team}:9))",
        f'IG008 {team}:11:47 high module.platform.module.deploy.aws_iam_policy.this: Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition) (only if called from module.platform.module.deploy ({team}:9))',
        f'IG009 {team}:11:47 high module.platform.module.deploy.aws_iam_policy.this: Statement #1 allows iam:CreateAccessKey, iam:UpdateAccessKey, iam:CreateLoginProfile and 3 more on any resource (Resource "*"): each returns credentials or secrets (only if called from module.platform.module.deploy ({team}:9))',
    ]
    assert (
        [
            [(r.location.file, r.location.line, r.message) for r in f.related]
            for f in result.findings
        ]
        == [[(MODULE, 10, f"{f.resource} is declared here")] for f in result.findings[:3]]
        + [
            [
                (MODULE, 10, f"{f.resource} is declared here"),
                (main, 32, "module.platform is called here"),  # the call of the module it is in
            ]
            for f in result.findings[3:]  # found in modules/team/main.tf
        ]
    )
    assert len({f.fingerprint for f in result.findings}) == len(result.findings) == 6


def test_text_output_tells_the_instances_apart() -> None:
    lines = iacguard("check", F).stdout.splitlines()
    assert [line.split("  ")[3] for line in lines[:4]] == [  # the resource column
        'module.team_policy["web"].aws_iam_policy.this',
        'module.team_policy["api"].aws_iam_policy.this',
        "module.read_only[0].aws_iam_policy.this",
        "module.platform.module.deploy.aws_iam_policy.this",
    ]


def test_two_instances_with_the_same_lines_differ_in_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "main.tf").write_text(
        'resource "aws_iam_policy" "this" {\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", '
        'Resource = "*" }] })\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'module "logs" {\n  source = "./policy"\n}\nmodule "\x1b" {\n  source = "./policy"\n}\n'
        'module "assets" {\n  source   = "./policy"\n  for_each = toset(["\x1b[2J"])\n}\n'
    )
    lines = iacguard("check", ".", cwd=tmp_path).stdout.splitlines()
    where, rest = "policy/main.tf:2:67  HIGH  IG002", "Statement #1 allows s3:* (every s3 action)"
    assert lines[:3] == [  # control characters in labels and keys shown escaped
        f"{where}  module.logs.aws_iam_policy.this  {rest}",
        f"{where}  module.\\x1b.aws_iam_policy.this  {rest}",
        f'{where}  module.assets["\\u001b[2J"].aws_iam_policy.this  {rest}',
    ]


TWO_ROOTS = "fixtures/terraform/module_called_from_two_roots"


def test_one_module_called_by_two_root_modules_under_one_name_is_two_findings() -> None:
    result = run(TWO_ROOTS)
    module = f"{TWO_ROOTS}/modules/deploy/main.tf"
    iam = [f for f in result.findings if f.rule_id == "IG002"]
    assert (
        described(result)[:2]
        == [
            f"IG002 {module}:11:47 high module.deploy.aws_iam_policy.this: "
            "Statement #1 allows iam:* (every iam action)"
        ]
        * 2
    )
    # each relates to the call in its own root module, never to the other's
    assert [[(r.location.file, r.location.line, r.message) for r in f.related] for f in iam] == [
        [(f"{TWO_ROOTS}/production/main.tf", 1, "module.deploy is called here")],
        [(f"{TWO_ROOTS}/staging/main.tf", 1, "module.deploy is called here")],
    ]
    assert len({f.fingerprint for f in result.findings}) == len(result.findings) == 6


def test_text_output_names_the_root_module_of_lines_that_would_read_alike() -> None:
    lines = iacguard("check", "--select", "IG002", TWO_ROOTS).stdout.splitlines()
    where = f"{TWO_ROOTS}/modules/deploy/main.tf:11:47  HIGH  IG002"
    finding = "module.deploy.aws_iam_policy.this  Statement #1 allows iam:* (every iam action)"
    assert lines[:2] == [
        f"{where}  {finding}  (in root module {TWO_ROOTS}/production)",
        f"{where}  {finding}  (in root module {TWO_ROOTS}/staging)",
    ]


def test_a_baseline_of_one_root_module_does_not_hide_the_same_finding_in_another(
    tmp_path: Path,
) -> None:
    shutil.copytree(TWO_ROOTS, tmp_path / "repo")
    repo = tmp_path / "repo"
    written = iacguard("check", "staging", "--write-baseline", "staging.json", cwd=repo)
    assert written.stdout == "Wrote 3 findings to staging.json.\n"
    done = iacguard("check", ".", "--baseline", "staging.json", "--format", "json", cwd=repo)
    findings = json.loads(done.stdout)["findings"]
    assert sorted(
        (f["rule_id"], f["related"][0]["file"], f.get("suppression")) for f in findings
    ) == [
        (rule, f"{root}/main.tf", suppression)
        for rule in ("IG002", "IG008", "IG009")
        for root, suppression in (
            ("production", None),
            ("staging", {"kind": "baseline", "reason": "in the baseline"}),
        )
    ]
    assert done.returncode == 1
