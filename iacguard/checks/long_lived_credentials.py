from __future__ import annotations

from iacguard.checks.base import Check, Context, ref_name
from iacguard.findings import Severity
from iacguard.model import Model

_WHAT = {
    "access_key": "An access key",
    "login_profile": "A console password (login profile)",
    "service_specific_credential": "A service-specific credential",
}


class LongLivedCredentials(Check):
    """The configuration creates long-lived credentials for an IAM user.

    ## What it does
    Reports every access key (`aws_iam_access_key`, `AWS::IAM::AccessKey`), console
    password (`aws_iam_user_login_profile`, `AWS::IAM::User` `LoginProfile`) and
    service-specific credential (`aws_iam_service_specific_credential`,
    `AWS::IAM::ServiceSpecificCredential`). High when the configuration exposes the
    secret: a Terraform access key or login profile without `pgp_key` (the secret is
    stored in plain text in the state), a CloudFormation password written in the
    template or taken from a parameter that is not `NoEcho`. Medium otherwise.

    ## Why is this bad?
    Long-lived credentials do not expire: once copied from a laptop, a CI log or a state
    file they work until someone notices and rotates them. Roles hand out temporary
    credentials instead: workloads assume a role, people sign in through IAM Identity
    Center or a federated identity provider.

    ## Example
    ```hcl
    resource "aws_iam_access_key" "deploy" {
      user = aws_iam_user.deploy.name
    }
    ```

    ```yaml
    Resources:
      DeployKey:
        Type: AWS::IAM::AccessKey
        Properties:
          UserName: !Ref DeployUser
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role" "deploy" {
      name               = "deploy"
      assume_role_policy = data.aws_iam_policy_document.github_oidc.json
    }
    ```

    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Federated: !Ref GitHubOidcProvider}
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
    - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key
    - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
    """

    id = "IG016"
    slug = "long-lived-credentials"
    severity = Severity.MEDIUM
    severities = (Severity.HIGH, Severity.MEDIUM)
    summary = "The configuration creates long-lived IAM user credentials"

    def model(self, model: Model, ctx: Context) -> None:
        for credential in model.credentials:
            user = ref_name(credential.user)
            message = f"{_WHAT[credential.kind]} for user {user} is a long-lived credential"
            if credential.exposed:
                message += f": {credential.exposed}"
            ctx.report(
                credential.location,
                f"{message}; use a role and temporary credentials instead",
                resource=credential.address,
                resource_type=credential.resource_type,
                scope=credential.user.scope,
                element=f"{credential.kind}>{user}",
                severity=Severity.HIGH if credential.exposed else None,
            )
