"""Terraform and CloudFormation describing the same IAM setup give the same findings."""

from pathlib import Path

from iacguard.checks.base import text_of
from iacguard.engine import check_model
from iacguard.findings import Finding
from iacguard.model import Model
from iacguard.parsers import cloudformation, terraform

TERRAFORM = Path("fixtures/terraform/parity")
CLOUDFORMATION = Path("fixtures/cloudformation/parity.yaml")


def named_findings(model: Model) -> list[tuple[str, str]]:
    """(rule, name of the principal or policy) for each finding: the names are the same
    in both formats where addresses and logical ids are not."""
    return sorted((f.rule_id, _name(f, model)) for f in check_model(model).findings)


def _name(finding: Finding, model: Model) -> str:
    principals = {p.address: text_of(p.name, p.address) for p in model.principals}
    if finding.rule_id in ("IG003", "IG005", "IG010", "IG011", "IG012"):
        return principals[finding.resource]
    if finding.rule_id == "IG013":  # the governed resource is named differently: the statement
        return f"{finding.severity.value} {finding.element}"
    if finding.rule_id == "IG004":
        attachment = next(
            a
            for a in model.attachments
            if a.address == finding.resource and a.location == finding.location
        )
        ref = attachment.principal
        return principals[ref.target] if ref.target else text_of(ref.name)
    for policy in model.policies:
        statements = [
            s
            for s in policy.statements
            if finding.location
            in {s.location, s.action_location, *(a.location for a in s.actions or ())}
        ]
        if policy.address == finding.resource and (statements or finding.rule_id == "IG001"):
            if policy.name is not None:
                return text_of(policy.name)
            owner = policy.embedded_in[0].target if policy.embedded_in else None
            return principals.get(owner or policy.address, policy.address)
    raise AssertionError(f"no principal or policy for {finding}")


def test_terraform_and_cloudformation_give_the_same_findings() -> None:
    files = sorted(TERRAFORM.glob("*.tf"))
    tf = terraform.parse_modules({TERRAFORM: files})
    cfn = cloudformation.parse_file(CLOUDFORMATION, CLOUDFORMATION.as_posix())
    assert tf.errors == cfn.errors == []
    expected = [
        ("IG001", "bob-extra"),
        ("IG002", "bob-extra"),
        ("IG002", "deploy"),
        ("IG002", "operators"),
        ("IG002", "ops"),
        ("IG003", "bob"),
        ("IG004", "carol"),
        ("IG005", "deployer"),
        ("IG005", "operators"),
        ("IG010", "ci"),
        ("IG011", "ci"),
        ("IG012", "auditor"),
        ("IG013", 'high PublicRead:"*"'),
        ("IG013", "high service:s3.amazonaws.com"),
    ]
    assert named_findings(cfn.model) == expected
    assert named_findings(tf.model) == expected


def test_both_formats_describe_the_same_principals() -> None:
    tf = terraform.parse_modules({TERRAFORM: sorted(TERRAFORM.glob("*.tf"))}).model
    cfn = cloudformation.parse_file(CLOUDFORMATION, CLOUDFORMATION.as_posix()).model

    def principals(model: Model) -> list[tuple[str, str, tuple[str, ...]]]:
        return sorted(
            (p.kind, text_of(p.name), tuple(text_of(v) for v in p.session_duration))
            for p in model.principals
        )

    assert principals(tf) == principals(cfn)
