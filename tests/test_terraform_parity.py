"""Terraform and CloudFormation describing the same IAM setup give the same findings."""

from pathlib import Path

from iacguard.checks.base import text_of
from iacguard.engine import check_model
from iacguard.findings import Finding
from iacguard.model import Model
from iacguard.parsers import cloudformation, terraform

TERRAFORM = Path("fixtures/terraform/parity")
CLOUDFORMATION = Path("fixtures/cloudformation/parity.yaml")


def named_findings(model: Model) -> list[tuple[str, str, str, str]]:
    """(rule, name of the principal or policy, severity, what the location points at)
    for each finding: the names are the same in both formats where addresses and
    logical ids are not, and so must be the severity and the precision of the place."""
    return sorted(
        (f.rule_id, _name(f, model), f.severity.value, _points_at(f, model))
        for f in check_model(model).findings
    )


def _points_at(finding: Finding, model: Model) -> str:
    """The kind of element a finding is located at: the offending action itself, the
    statement, the policy, the principal… A policy written as JSON text (a heredoc, a
    JSON string in a template) is read inside the text, so its findings point at
    actions as precisely as a policy written in the format's own syntax."""
    where = finding.location
    for policy in model.policies:
        for statement in policy.statements:
            actions = {a.location for a in statement.actions or statement.not_actions or ()}
            if where in actions and where not in {statement.location, policy.location}:
                return "action"
            if where == statement.action_location:
                return "action key"
            if where == statement.location:
                return "statement"
            principals = statement.principals or statement.not_principals or {}
            if where in {v.location for values in principals.values() for v in values}:
                return "principal"
            if where == statement.principal_location:
                return "principal key"
            if where in {v.location for c in statement.conditions for v in c.values}:
                return "condition value"
        if where == policy.location:
            return "policy"
    for principal in model.principals:
        if where in {v.location for v in principal.session_duration}:
            return "session value"
        if where == principal.location:
            return "principal"
    if any(where in (a.location, a.policy and a.policy.location) for a in model.attachments):
        return "attachment"
    if any(where == c.location for c in model.credentials):
        return "credential"
    raise AssertionError(f"{finding} points at nothing in the model")


def _name(finding: Finding, model: Model) -> str:
    principals = {p.address: text_of(p.name, p.address) for p in model.principals}
    if finding.rule_id in ("IG003", "IG005", "IG010", "IG011", "IG012"):
        return principals[finding.resource]
    if finding.rule_id == "IG013":  # the governed resource is named differently: the statement
        return finding.element
    if finding.rule_id == "IG014":
        return f"{principals[finding.resource]}: {finding.element}"
    if finding.rule_id == "IG016":
        user = next(c.user for c in model.credentials if c.address == finding.resource)
        return principals[user.target] if user.target else text_of(user.name)
    if finding.rule_id in ("IG004", "IG015"):
        attachment = next(
            a
            for a in model.attachments
            if a.address == finding.resource
            and finding.location in (a.location, a.policy and a.policy.location)
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
        whole = finding.rule_id in ("IG001", "IG017") and finding.location == policy.location
        if policy.address == finding.resource and (statements or whole):
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
        ("IG001", "bob-extra", "medium", "policy"),
        ("IG002", "bob-extra", "high", "action"),
        ("IG002", "deploy", "medium", "action"),
        ("IG002", "operators", "high", "action"),
        ("IG002", "ops", "critical", "action"),
        ("IG003", "bob", "low", "principal"),
        ("IG004", "carol", "medium", "attachment"),
        ("IG005", "deployer", "medium", "session value"),
        ("IG005", "operators", "medium", "session value"),
        ("IG006", "guardrail", "high", "action"),
        ("IG007", "deploy", "medium", "action"),
        ("IG007", "operators", "high", "action"),
        ("IG008", "ops", "high", "action"),
        ("IG009", "bob-extra", "high", "action"),
        ("IG009", "operators", "high", "action"),
        ("IG009", "ops", "high", "action"),
        ("IG010", "ci", "critical", "principal"),
        ("IG011", "ci", "high", "condition value"),
        ("IG012", "auditor", "medium", "principal"),
        ("IG013", 'Sid=PublicRead:"*"', "high", "principal"),
        ("IG013", "service:s3.amazonaws.com", "high", "principal"),
        ("IG014", "deployer: UpdateFunctionCode", "high", "principal"),
        ("IG014", "operators: UpdateDevEndpoint", "high", "principal"),
        ("IG014", "operators: UpdateFunctionCode", "high", "principal"),
        ("IG015", "auditor", "high", "attachment"),
        ("IG016", "bob", "medium", "credential"),
        ("IG017", "auditor-logs", "low", "policy"),
        ("IG017", "deployer-logs", "low", "policy"),
    ]
    # ops grants "*" on "*" to developers: its members are administrators already, and
    # IG014 reports no path for them
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
