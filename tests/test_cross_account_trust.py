"""IG012 cross-account-trust: every fixture case, and what a user sees of each finding."""

from __future__ import annotations

import pytest
from helpers import described, iacguard, run

from iacguard.config import Config

TF = "fixtures/terraform/cross-account-trust"
CFN = "fixtures/cloudformation/cross-account-trust"

CASES = {
    f"{TF}/negative_external_id_or_mfa": [],
    f"{TF}/positive_mfa_not_required": [
        f"IG012 {TF}/positive_mfa_not_required/main.tf:8:22 medium aws_iam_role.admins: "
        f'Principals of account 444455556666 can assume role aws_iam_role.admins (statement "MfaFalse") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG012 {TF}/positive_mfa_not_required/main.tf:22:22 medium aws_iam_role.admins: "
        f'Principals of account 444455556666 can assume role aws_iam_role.admins (statement "ExternalIdIfExists") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG012 {TF}/positive_mfa_not_required/main.tf:36:22 medium aws_iam_role.admins: "
        f'Principals of account 444455556666 can assume role aws_iam_role.admins (statement "EmptyExternalId") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
    ],
    f"{TF}/positive_other_account": [
        f"IG012 {TF}/positive_other_account/main.tf:8:22 medium aws_iam_role.vendor: "
        f'Principals of account 444455556666 can assume role aws_iam_role.vendor (statement "Vendor") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG012 {TF}/positive_other_account/main.tf:26:28 medium aws_iam_role.partner: "
        f'Principals of accounts 777788889999, 444455556666 can assume role aws_iam_role.partner (statement "Partner") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
    ],
    f"{CFN}/negative_external_id_or_mfa.json": [],
    f"{CFN}/positive_other_account.yaml": [
        f"IG012 {CFN}/positive_other_account.yaml:18:20 medium Vendor: "
        f'Principals of account 444455556666 can assume role Vendor (statement "Vendor") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG012 {CFN}/positive_other_account.yaml:30:19 medium Partner: "
        f'Principals of accounts 777788889999, 444455556666 can assume role Partner (statement "Partner") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG012 {CFN}/positive_other_account.yaml:36:20 medium Partner: "
        f'Principals of account 444455556666 can assume role Partner (statement "MfaFalse") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_what_it_shows(case: str) -> None:
    result = run(case)
    assert described(result) == CASES[case]
    assert result.errors == []


TRUSTED = f"{TF}/positive_own_account_until_listed"


def test_an_account_of_your_own_is_reported_until_listed() -> None:
    assert described(run(TRUSTED)) == [
        f"IG012 {TRUSTED}/main.tf:10:27 medium aws_iam_role.tooling: Principals of account "
        '123456789012 can assume role aws_iam_role.tooling (statement "Tooling") without an '
        "external id or MFA: add an sts:ExternalId condition, or list the account in "
        "trusted_accounts if it is yours"
    ]
    assert (
        described(run(TRUSTED, config=Config(options={"trusted_accounts": ("123456789012",)})))
        == []
    )


def test_trusted_accounts_come_from_the_config_file_and_the_command_line(tmp_path) -> None:
    config = tmp_path / ".iacguard.yaml"
    config.write_text('trusted_accounts: ["123456789012"]\n')
    listed = iacguard("check", TRUSTED, "--config", str(config), "--no-cache")
    assert (listed.returncode, listed.stdout.splitlines()[-1]) == (
        0,
        "No findings in 1 file scanned.",
    )
    given = iacguard("check", TRUSTED, "--trusted-account", "123456789012", "--no-cache")
    assert given.returncode == 0
    other = iacguard("check", TRUSTED, "--trusted-account", "210987654321", "--no-cache")
    assert other.returncode == 1


def test_a_trusted_account_that_is_not_an_account_id_is_an_error(tmp_path) -> None:
    config = tmp_path / ".iacguard.yaml"
    config.write_text("trusted_accounts: [123456789012]\n")
    result = iacguard("check", TRUSTED, "--config", str(config), "--no-cache")
    assert result.returncode == 2
    assert "trusted_accounts" in result.stderr
    assert "trusted_accounts: must be a list of strings, not [123456789012]" in result.stderr
    config.write_text('trusted_accounts: ["12345"]\n')
    short = iacguard("check", TRUSTED, "--config", str(config), "--no-cache")
    assert short.returncode == 2
    assert "trusted_accounts: '12345' is not a 12-digit AWS account id" in short.stderr
    flag = iacguard("check", TRUSTED, "--trusted-account", "12345", "--no-cache")
    assert flag.returncode == 2
    assert "'12345' is not a 12-digit AWS account id" in flag.stderr


def test_actions_that_cannot_be_resolved_are_unresolved_not_a_pass(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n'
        '  name = "r"\n'
        "  assume_role_policy = jsonencode({\n"
        '    Statement = [{ Effect = "Allow", Action = var.actions,\n'
        '      Principal = { AWS = "444455556666" } }]\n'
        "  })\n"
        "}\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.resource, u.expression) for u in result.unresolved] == [
        (4, "aws_iam_role.r", "var.actions")
    ]
