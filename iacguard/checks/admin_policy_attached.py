from __future__ import annotations

import re

from iacguard.checks.base import Check, Context, ref_name
from iacguard.findings import Severity
from iacguard.model import Attachment, Scalar, Unknown

# AWS managed policies that make their holder an administrator or let it become one,
# with what each grants. Reviewed against the AWS Managed Policy Reference Guide; a
# policy is listed for what its document allows, not for its name.
ADMIN_POLICIES: dict[str, str] = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action except IAM and Organizations management",
    "IAMFullAccess": "every IAM action, so it can grant itself anything",
    "AdministratorAccess-Amplify": "IAM role and policy management with broad service access",
    "AdministratorAccess-AWSElasticBeanstalk": "iam:PassRole on any role and broad service access",
    "AWSOrganizationsFullAccess": "every Organizations action, including policies on accounts",
    "AWSSSOMasterAccountAdministrator": "management of IAM Identity Center permission sets",
    "job-function/SystemAdministrator": "broad infrastructure access with iam:PassRole",
}
_BY_NAME = {name.lower(): name for name in ADMIN_POLICIES}
# An AWS managed policy ARN in any partition, also a partition left to deploy time
# (``${AWS::Partition}``, ``${data.aws_partition.current.partition}``).
_AWS_MANAGED = re.compile(r"arn:(?:aws[a-z-]*|\$\{[^}]+\}):iam::aws:policy/(?P<name>[\w+=,.@/-]+)")


class AdminPolicyAttached(Check):
    """An AWS managed policy with administrator power is attached to a principal.

    ## What it does
    Reports every attachment of an AWS managed policy that makes its holder an
    administrator or lets it become one (`AdministratorAccess`, `PowerUserAccess`,
    `IAMFullAccess` and the others of a reviewed list) to a user, group, role or
    permission set: `ManagedPolicyArns`, `AWS::SSO::PermissionSet` `ManagedPolicies`,
    SAM `Policies`, `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`,
    `managed_policy_arns`, `aws_ssoadmin_managed_policy_attachment`; in every partition
    (`aws`, `aws-cn`, `aws-us-gov`, `${AWS::Partition}`,
    `${data.aws_partition.current.partition}`). Critical on a user, high otherwise. The
    policies are known by name: their documents are not expanded.

    ## Why is this bad?
    Administrator power should be rare, temporary and reviewed: a workload role or a
    person with `AdministratorAccess` turns any mistake or stolen credential into a full
    account compromise. On a user it is the worst case: long-lived credentials with no
    limit.

    ## Example
    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
    ```

    ```hcl
    resource "aws_iam_role_policy_attachment" "deploy_admin" {
      role       = aws_iam_role.deploy.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: deploy-app
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: [s3:PutObject]
                    Resource: arn:aws:s3:::acme-artifacts/*
    ```

    ```hcl
    resource "aws_iam_role_policy_attachment" "deploy_app" {
      role       = aws_iam_role.deploy.name
      policy_arn = aws_iam_policy.deploy_app.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    - https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
    """

    id = "IG015"
    slug = "admin-policy-attached"
    severity = Severity.HIGH
    severities = (Severity.CRITICAL, Severity.HIGH)
    summary = "An AWS managed policy with administrator power is attached to a principal"

    def attachment(self, attachment: Attachment, ctx: Context) -> None:
        if attachment.policy is None or attachment.policy_target is not None:
            return  # a customer managed policy of the scan
        name = _admin_policy(attachment)
        if name is None:
            if isinstance(attachment.policy, Unknown) and not _AWS_MANAGED.search(
                attachment.policy.expression
            ):
                why = "the attached policy cannot be resolved: it may have administrator power"
                ctx.unknown(attachment.policy, attachment.address, why)
            return
        principal = attachment.principal
        who = f"{principal.kind.replace('_', ' ')} {ref_name(principal)}"
        ctx.report(
            attachment.policy.location,
            f"AWS managed policy {name} is attached to {who}: it grants "
            f"{ADMIN_POLICIES[name]}; grant only the actions it needs",
            resource=attachment.address,
            resource_type=attachment.resource_type,
            element=f"{name}>{ref_name(principal)}",
            severity=Severity.CRITICAL if principal.kind == "user" else None,
        )


def _admin_policy(attachment: Attachment) -> str | None:
    """The listed policy an attachment names, if any."""
    value = attachment.policy
    text = value.expression if isinstance(value, Unknown) else str(value.value) if value else ""
    match = _AWS_MANAGED.fullmatch(text.strip())
    if match is not None:
        return _BY_NAME.get(match.group("name").lower())
    if isinstance(value, Scalar) and attachment.resource_type.startswith("AWS::Serverless::"):
        return _BY_NAME.get(text.lower())  # SAM takes a bare AWS managed policy name
    return None
