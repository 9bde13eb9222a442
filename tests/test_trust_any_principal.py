"""IG010 trust-any-principal: every fixture case, and what a user sees of each finding."""

from __future__ import annotations

import pytest
from helpers import described, run

TF = "fixtures/terraform/trust-any-principal"
CFN = "fixtures/cloudformation/trust-any-principal"

CASES = {
    f"{TF}/negative_restricted": [],
    f"{TF}/positive_open_conditions": [
        f"IG010 {TF}/positive_open_conditions/main.tf:8:22 critical aws_iam_role.shared: "
        f'Any AWS principal ("*") can assume role aws_iam_role.shared (statement "NotEquals"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {TF}/positive_open_conditions/main.tf:22:22 critical aws_iam_role.shared: "
        f'Any AWS principal ("*") can assume role aws_iam_role.shared (statement "IfExists"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {TF}/positive_open_conditions/main.tf:36:22 critical aws_iam_role.shared: "
        f'Any AWS principal ("*") can assume role aws_iam_role.shared (statement "EmptyOrg"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {TF}/positive_open_conditions/main.tf:50:22 critical aws_iam_role.shared: "
        f'Any AWS principal ("*") can assume role aws_iam_role.shared (statement "WildcardArn"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
    ],
    f"{TF}/positive_principal_shapes": [
        f"IG010 {TF}/positive_principal_shapes/main.tf:9:27 critical aws_iam_role.any_aws: "
        f'Any AWS principal ("*") can assume role aws_iam_role.any_aws (statement "AnyAws"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {TF}/positive_principal_shapes/main.tf:23:22 critical aws_iam_role.bare_star: "
        f'Any AWS principal ("*") can assume role aws_iam_role.bare_star (statement "BareStar"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG012 {TF}/positive_principal_shapes/main.tf:36:22 medium aws_iam_role.wildcard_account: "
        f'Principals of account 111122223333 can assume role aws_iam_role.wildcard_account (statement "WildcardAccount") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG010 {TF}/positive_principal_shapes/main.tf:40:22 critical aws_iam_role.wildcard_account: "
        f'Any AWS principal (arn:aws:iam::*:root) can assume role aws_iam_role.wildcard_account (statement "WildcardAccount"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {TF}/positive_principal_shapes/main.tf:54:5 critical aws_iam_role.not_principal: "
        f'Everyone but the principals listed in NotPrincipal can assume role aws_iam_role.not_principal (statement "NotPrincipal"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
    ],
    f"{CFN}/negative_restricted.yaml": [],
    f"{CFN}/positive_open_conditions.json": [
        f"IG010 {CFN}/positive_open_conditions.json:14:36 critical Shared: "
        f'Any AWS principal ("*") can assume role Shared (statement "NotEquals"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_open_conditions.json:21:36 critical Shared: "
        f'Any AWS principal ("*") can assume role Shared (statement "IfExists"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_open_conditions.json:28:36 critical Shared: "
        f'Any AWS principal ("*") can assume role Shared (statement "EmptyOrg"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_open_conditions.json:35:36 critical Shared: "
        f'Any AWS principal ("*") can assume role Shared (statement "WildcardArn"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
    ],
    f"{CFN}/positive_principal_shapes.yaml": [
        f"IG010 {CFN}/positive_principal_shapes.yaml:15:20 critical AnyAws: "
        f'Any AWS principal ("*") can assume role AnyAws (statement "AnyAws"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_principal_shapes.yaml:24:24 critical BareStar: "
        f'Any AWS principal ("*") can assume role BareStar (statement "BareStar"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG012 {CFN}/positive_principal_shapes.yaml:35:19 medium WildcardAccount: "
        f'Principals of account 111122223333 can assume role WildcardAccount (statement "WildcardAccount") without an external id or MFA: add an sts:ExternalId condition, or list the account in trusted_accounts if it is yours',
        f"IG010 {CFN}/positive_principal_shapes.yaml:36:19 critical WildcardAccount: "
        f'Any AWS principal (arn:aws:iam::*:root) can assume role WildcardAccount (statement "WildcardAccount"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_principal_shapes.yaml:46:15 critical NotPrincipal: "
        f'Everyone but the principals listed in NotPrincipal can assume role NotPrincipal (statement "NotPrincipal"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_principal_shapes.yaml:57:22 critical SharedWhenShared: "
        f'Any AWS principal ("*") can assume role SharedWhenShared (statement "Conditional") (only if condition IsShared is true): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
        f"IG010 {CFN}/positive_principal_shapes.yaml:68:20 critical JoinedWildcardAccount: "
        f'Any AWS principal (arn:aws:iam::*:root) can assume role JoinedWildcardAccount (statement "Joined"): add an aws:PrincipalOrgID or aws:PrincipalArn condition, or name the trusted principals',
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_what_it_shows(case: str) -> None:
    result = run(case)
    assert described(result) == CASES[case]
    assert result.errors == []


def test_a_condition_value_that_cannot_be_resolved_is_unresolved_not_a_pass(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n'
        '  name = "r"\n'
        "  assume_role_policy = jsonencode({\n"
        '    Statement = [{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole",\n'
        '      Condition = { StringEquals = { "aws:PrincipalOrgID" = var.org } } }]\n'
        "  })\n"
        "}\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (5, "aws_iam_role.r", "var.org", "variable org is not declared")
    ]


def test_a_suppression_comment_silences_the_finding(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        "# iacguard: ignore[trust-any-principal] public sandbox role, no permissions\n"
        'resource "aws_iam_role" "r" {\n'
        '  name = "r"\n'
        "  assume_role_policy = jsonencode({\n"
        '    Statement = [{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }]\n'
        "  })\n"
        "}\n"
    )
    result = run(tmp_path)
    assert [(f.rule_id, f.location.line, f.suppressed) for f in result.findings] == [
        ("IG010", 5, True)
    ]


def test_a_statement_written_in_a_document_names_the_role_that_uses_it() -> None:
    result = run(f"{TF}/positive_principal_shapes")
    related = [
        (f.rule_id, f.location.line, [(r.location.line, r.message) for r in f.related])
        for f in result.findings
    ]
    assert related == [
        ("IG010", 9, []),
        ("IG010", 23, []),
        ("IG012", 36, [(47, "the document is used here, by aws_iam_role.wildcard_account")]),
        ("IG010", 40, [(47, "the document is used here, by aws_iam_role.wildcard_account")]),
        ("IG010", 54, [(63, "the document is used here, by aws_iam_role.not_principal")]),
    ]


def test_a_statement_added_above_keeps_the_fingerprint(tmp_path) -> None:
    open_statement = '{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }'
    other = '{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }'

    def fingerprints(statements: str) -> list[str]:
        (tmp_path / "main.tf").write_text(
            'resource "aws_iam_role" "r" {\n'
            f"  assume_role_policy = jsonencode({{ Statement = [{statements}] }})\n"
            "}\n"
        )
        return [f.fingerprint for f in run(tmp_path).findings]

    before = fingerprints(open_statement)
    assert len(before) == 1
    assert fingerprints(f"{other}, {open_statement}") == before
