from __future__ import annotations

from iacguard.checks.access import (
    documents,
    may_grant,
    principal_values,
    statement_key,
    statements_of,
    used_by,
)
from iacguard.checks.base import Check, Context
from iacguard.checks.oidc_subjects import GITLAB, Provider, host_of, provider_of
from iacguard.checks.role_access import role_writes
from iacguard.findings import Severity
from iacguard.grants import allows
from iacguard.model import Location, Model, Policy, Scalar, Statement, Unknown

_RANK = {"critical": 3, "high": 2, "write": 1}
_SEVERITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "write": Severity.MEDIUM}


class OidcTrustUnrestricted(Check):
    """A role trusts a CI/CD or cluster OIDC provider without pinning who may assume it.

    ## What it does
    Reports every `Allow` statement of a role's trust policy that lets a federated OIDC
    principal call `sts:AssumeRoleWithWebIdentity` without a `<provider>:sub` condition
    that names who may. Providers: GitHub Actions (`token.actions.githubusercontent.com`),
    GitLab (`gitlab.com`, and self-managed hosts whose subjects are `project_path:…`),
    Terraform Cloud (`app.terraform.io`), CircleCI (`oidc.circleci.com/org/…`), Bitbucket
    Pipelines (`api.bitbucket.org/2.0/workspaces/…`) and EKS service accounts
    (`oidc.eks.<region>.amazonaws.com/id/…`).

    Critical: no subject condition, a subject of only wildcards, or one that admits every
    subject the provider issues (`repo:*`, `organization:*`). High: every repository or
    project of an owner (`repo:org/*`), every project path (GitLab), every project and
    workspace of a Terraform Cloud organization, every service account of a cluster
    (`system:serviceaccount:*`). Medium: every ref of one repository (`repo:org/app:*`),
    every run phase of one workspace, every service account of one namespace, when the
    role has write or permissions-management access (its inline and attached policies).
    Every statement and every value counts; with several values the loosest decides.
    Wildcards count under `StringLike`; under `StringEquals` a `*` is a literal character.
    Negative operators (`StringNotLike`), `…IfExists` and `ForAllValues` never pin.

    ## Why is this bad?
    The provider issues tokens to everyone who uses it: any GitHub repository, any
    GitLab project, any pod of the cluster with a service account. Without a subject
    condition, anyone on the platform can obtain the role's credentials from their own
    pipeline. Research has found hundreds of such roles in the wild.

    ## Example
    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal:
                  Federated: !Sub >-
                    arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:aud: sts.amazonaws.com
    ```

    ```hcl
    resource "aws_iam_openid_connect_provider" "github" {
      url            = "https://token.actions.githubusercontent.com"
      client_id_list = ["sts.amazonaws.com"]
    }

    resource "aws_iam_role" "deploy" {
      name = "github-deploy"
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringLike = { "token.actions.githubusercontent.com:sub" = "repo:example-org/*" }
          }
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:aud: sts.amazonaws.com
                    token.actions.githubusercontent.com:sub: repo:example-org/app:environment:prod
    ```

    ```hcl
    resource "aws_iam_openid_connect_provider" "github" {
      url            = "https://token.actions.githubusercontent.com"
      client_id_list = ["sts.amazonaws.com"]
    }

    resource "aws_iam_role" "deploy" {
      name = "github-deploy"
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = {
              "token.actions.githubusercontent.com:sub" = "repo:example-org/app:ref:refs/heads/main"
            }
          }
        }]
      })
    }
    ```

    ## References
    - https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
    - https://docs.gitlab.com/ci/cloud_services/aws/
    - https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
    - https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
    """

    id = "IG011"
    slug = "oidc-trust-unrestricted"
    severity = Severity.CRITICAL
    summary = "A role trusts an OIDC provider without pinning who may assume it"

    def model(self, model: Model, ctx: Context) -> None:
        judge = _Judge(model, ctx)
        for policy in model.policies:
            if policy.kind != "trust":
                continue
            for statement in statements_of(policy, judge.known):
                if allows(statement, policy, ctx) and may_grant(
                    statement, "sts:AssumeRoleWithWebIdentity", policy, ctx
                ):
                    judge.statement(statement, policy)


class _Judge:
    """One run over a model: the documents policies use, and which roles can write."""

    def __init__(self, model: Model, ctx: Context) -> None:
        self.model = model
        self.ctx = ctx
        self.known = documents(model)
        self.writes: dict[tuple[str, str], bool] = {}

    def statement(self, statement: Statement, policy: Policy) -> None:
        hosts: list[str] = []
        unknown: Unknown | None = None
        for value in principal_values(statement, "Federated"):
            if isinstance(value, Unknown):
                unknown = value
            elif (host := host_of(str(value.value))) is not None:
                hosts.append(host)
        if not hosts:  # the provider's ARN is known only at deploy: its condition keys tell
            hosts = [c.key.rsplit(":", 1)[0] for c in statement.conditions if ":" in c.key]
        judged = False
        for host in dict.fromkeys(hosts):
            provider = provider_of(host) or _self_managed_gitlab(statement, host)
            if provider is not None:
                judged = True
                self.provider(statement, policy, provider, host)
        if not judged and unknown is not None:
            self.ctx.unknown(unknown, policy.address)

    def provider(self, statement: Statement, policy: Policy, provider: Provider, host: str) -> None:
        from iacguard.conditions import concrete, positive_values

        ctx = self.ctx
        role = policy.address
        key = f"{host}:sub"
        subjects = positive_values(statement.conditions, [key])
        where: Location = statement.principal_location or statement.location
        loosest: tuple[str | None, str] = (None, "")
        unresolved: list[Unknown] = []
        shown = ""
        for condition in subjects:
            like = "like" in condition.operator.lower()
            for value in condition.values:
                if isinstance(value, Unknown):
                    unresolved.append(value)
                    continue
                text = str(value.value)
                if not concrete(text):
                    grade: tuple[str | None, str] = ("critical", provider.anyone)
                elif like:
                    grade = provider.grade(text)
                else:
                    grade = (None, "")
                if _RANK.get(grade[0] or "", 0) > _RANK.get(loosest[0] or "", 0):
                    loosest, where, shown = grade, value.location, text
        if not subjects:
            loosest = ("critical", provider.anyone)
        level, who = loosest
        if level is None:
            for value in unresolved:
                ctx.unknown(value, role)
            return
        if level == "write" and not self.role_writes(policy):
            return
        subject = f' (sub "{shown}")' if shown else ""
        if level == "write":
            fix = f"name {provider.narrow} in {key} too"
        elif subjects:
            fix = f"name the {provider.what} in {key}"
        else:
            fix = f"add a {key} condition naming the {provider.what}"
        writing = ", which can write," if level == "write" else ""
        ctx.report(
            where,
            f"{_capital(who)}{subject} can assume role {role}{writing} through "
            f"{provider.name} OIDC (statement {statement.label}): {fix}",
            resource=role,
            resource_type=policy.resource_type,
            scope=policy.scope,
            related=used_by(policy, statement),
            severity=_SEVERITY[level],
            element=f"{statement_key(statement)}:{host}",
        )

    def role_writes(self, policy: Policy) -> bool:
        if not policy.embedded_in:
            return False
        role = policy.embedded_in[0]
        key = (role.scope, role.target or "")
        if key not in self.writes:
            self.writes[key] = role_writes(self.model, role, self.known, self.ctx)
        return self.writes[key]


def _self_managed_gitlab(statement: Statement, host: str) -> Provider | None:
    """A self-managed GitLab host: told by its subjects (``project_path:…``)."""
    for condition in statement.conditions:
        if condition.key.lower() == f"{host}:sub".lower() and any(
            isinstance(v, Scalar) and str(v.value).startswith("project_path:")
            for v in condition.values
        ):
            return GITLAB
    return None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
