from __future__ import annotations

from iacguard.checks.base import Check, Context, ref_name, text_of
from iacguard.findings import Severity
from iacguard.model import Attachment


class UserAttachedPolicy(Check):
    """A managed policy is attached directly to an IAM user instead of to a group.

    ## What it does
    Reports every managed policy, customer or AWS managed, attached directly to a user:
    Terraform `aws_iam_user_policy_attachment` and `aws_iam_policy_attachment` with
    `users`; CloudFormation `AWS::IAM::User` `ManagedPolicyArns` entries and
    `AWS::IAM::ManagedPolicy` `Users`.

    ## Why is this bad?
    Policies attached user by user make every person a special case: permissions
    accumulate, reviews have to look at each user, and leavers keep what was granted to
    them alone. Attach policies to groups and put users in groups.

    ## Example
    ```yaml
    Resources:
      Alice:
        Type: AWS::IAM::User
        Properties:
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/ReadOnlyAccess
    ```

    ```hcl
    resource "aws_iam_user" "alice" {
      name = "alice"
    }

    resource "aws_iam_user_policy_attachment" "alice_read_only" {
      user       = aws_iam_user.alice.name
      policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Auditors:
        Type: AWS::IAM::Group
        Properties:
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/ReadOnlyAccess
    ```

    ```hcl
    resource "aws_iam_group" "auditors" {
      name = "auditors"
    }

    resource "aws_iam_group_policy_attachment" "read_only" {
      group      = aws_iam_group.auditors.name
      policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html
    """

    id = "IG004"
    slug = "user-attached-policy"
    severity = Severity.MEDIUM
    summary = "A managed policy is attached directly to an IAM user"

    def attachment(self, attachment: Attachment, ctx: Context) -> None:
        if attachment.principal.kind != "user":
            return
        policy = attachment.policy_target or text_of(attachment.policy)
        user = ref_name(attachment.principal)
        ctx.report(
            attachment.location,
            f"Managed policy {policy} is attached directly to user {user}; attach it to a group",
            resource=attachment.address,
            resource_type=attachment.resource_type,
            element=f"{policy}>{user}",
        )
