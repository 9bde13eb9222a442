"""The command line on Terraform: --var-file, JSON output with unresolved entries."""

import json

import pytest

from iacguard.cli import main

TF = "fixtures/terraform"


def test_var_file_is_repeatable_and_later_files_win(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            f"{TF}/variables",
            "--var-file",
            f"{TF}/variables/terraform.tfvars",
            "--var-file",
            f"{TF}/variables/long_sessions.tfvars",
            "--format",
            "json",
        ]
    )
    output = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["rule_id"], f["line"], f["message"]) for f in output["findings"]] == [
        (
            "IG005",
            19,
            'Role "runner" allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)',
        ),
        ("IG006", 35, "Statement #1 Action sqs:GetObject matches no IAM action: it grants nothing"),
        ("IG002", 35, "Statement #1 allows ec2:Describe* (grants 194 List actions)"),
    ]


def test_json_lists_what_could_not_be_resolved(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", f"{TF}/remote_module", "--format", "json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert output["unresolved"] == [
        {
            "file": f"{TF}/remote_module/main.tf",
            "line": 3,
            "resource": "module.iam_user",
            "expression": "terraform-aws-modules/iam/aws//modules/iam-user",
            "why": "remote module sources are not fetched; its resources are not checked",
        }
    ]
    assert output["summary"]["files_scanned"] == 1
    assert output["summary"]["resources"] == 1


def test_a_missing_var_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", f"{TF}/bom", "--var-file", "missing.tfvars"]) == 2
    assert capsys.readouterr().err == "missing.tfvars: error: no such variables file\n"
