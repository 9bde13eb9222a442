from __future__ import annotations

from iacguard.checks.base import Check, Context, ref_name, text_of
from iacguard.findings import Severity
from iacguard.model import Policy


class UserInlinePolicy(Check):
    """An inline policy is embedded in an IAM user.

    ## What it does
    Reports every inline policy embedded in an IAM user: a Terraform
    `aws_iam_user_policy`, an entry of an `AWS::IAM::User`'s `Policies`, and an
    `AWS::IAM::Policy` or `AWS::IAM::UserPolicy` that names a user.

    ## Why is this bad?
    An inline policy lives and dies with its one user: it is invisible in the list of
    policies, cannot be reused, and grants permissions user by user. AWS recommends
    customer managed policies attached to groups, so that a person's permissions come
    from their job function and are reviewed in one place.

    ## Example
    ```yaml
    Resources:
      Alice:
        Type: AWS::IAM::User
        Properties:
          Policies:
            - PolicyName: read-reports
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: arn:aws:s3:::reports/*
    ```

    ```hcl
    resource "aws_iam_user" "alice" {
      name = "alice"
    }

    resource "aws_iam_user_policy" "read_reports" {
      name = "read-reports"
      user = aws_iam_user.alice.name
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = "arn:aws:s3:::reports/*"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Analysts:
        Type: AWS::IAM::Group
      ReadReports:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Groups: [!Ref Analysts]
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::reports/*
    ```

    ```hcl
    resource "aws_iam_group" "analysts" {
      name = "analysts"
    }

    resource "aws_iam_policy" "read_reports" {
      name = "read-reports"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = "arn:aws:s3:::reports/*"
        }]
      })
    }

    resource "aws_iam_group_policy_attachment" "read_reports" {
      group      = aws_iam_group.analysts.name
      policy_arn = aws_iam_policy.read_reports.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
    """

    id = "IG001"
    slug = "user-inline-policy"
    severity = Severity.MEDIUM
    summary = "An inline policy is embedded in an IAM user"

    def policy(self, policy: Policy, ctx: Context) -> None:
        if policy.kind != "inline":
            return
        users = [ref for ref in policy.embedded_in if ref.kind == "user"]
        if not users:
            return
        names = ", ".join(dict.fromkeys(ref_name(u) for u in users))
        label = (
            f'Inline policy "{text_of(policy.name)}"'
            if text_of(policy.name, "")
            else "An inline policy"
        )
        noun = "user" if len(users) == 1 else "users"
        ctx.report(
            policy.location,
            f"{label} is embedded in {noun} {names}; attach a managed policy to a group instead",
            resource=policy.address,
            resource_type=policy.resource_type,
            element=text_of(policy.name, ""),
        )
