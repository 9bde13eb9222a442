from __future__ import annotations

from iacguard.checks.base import Check, Context, text_of
from iacguard.findings import Severity
from iacguard.model import Model, Scalar, Unknown


class UserNotInGroup(Check):
    """An IAM user belongs to no IAM group anywhere in the scanned configuration.

    ## What it does
    Reports every IAM user that no group membership names: Terraform
    `aws_iam_user_group_membership` and `aws_iam_group_membership`, CloudFormation
    `AWS::IAM::User` `Groups` and `AWS::IAM::UserToGroupAddition`, across every scanned
    file. A membership whose user cannot be resolved statically counts as membership of
    every user it could be (those of its own template, or of its own Terraform root module
    and the modules it calls), so this check never guesses; such memberships are listed as
    unresolved.

    ## Why is this bad?
    Permissions assigned user by user drift apart and are hard to review or revoke.
    Groups let you grant, audit and change permissions by job function.

    ## Example
    ```yaml
    Resources:
      Alice:
        Type: AWS::IAM::User
    ```

    ```hcl
    resource "aws_iam_user" "alice" {
      name = "alice"
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Developers:
        Type: AWS::IAM::Group
      Alice:
        Type: AWS::IAM::User
        Properties:
          Groups: [!Ref Developers]
    ```

    ```hcl
    resource "aws_iam_group" "developers" {
      name = "developers"
    }

    resource "aws_iam_user" "alice" {
      name = "alice"
    }

    resource "aws_iam_user_group_membership" "alice" {
      user   = aws_iam_user.alice.name
      groups = [aws_iam_group.developers.name]
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
    """

    id = "IG003"
    slug = "user-not-in-group"
    severity = Severity.LOW
    summary = "An IAM user belongs to no IAM group"

    def model(self, model: Model, ctx: Context) -> None:
        members: set[tuple[str, str]] = set()
        member_names: set[str] = set()
        covered: set[str] = set()  # scopes where a member cannot be resolved
        for membership in model.memberships:
            user = membership.user
            if user.target:
                members.add((user.scope, user.target))
            elif isinstance(user.name, Scalar):
                member_names.add(str(user.name.value))
            else:
                if isinstance(user.name, Unknown):
                    why = (
                        "group member cannot be resolved; counted as a member of every user "
                        "of its template or root module"
                    )
                    ctx.unknown(user.name, membership.address, why)
                covered.add(user.scope)
        for principal in model.principals:
            if principal.kind != "user" or (principal.scope, principal.address) in members:
                continue
            if principal.scope in covered:
                continue
            if isinstance(principal.name, Scalar) and str(principal.name.value) in member_names:
                continue
            shown = text_of(principal.name, principal.address)
            ctx.report(
                principal.location,
                f'User "{shown}" belongs to no IAM group; grant permissions through groups',
                resource=principal.address,
                resource_type=principal.resource_type,
                scope=principal.scope,
            )
