"""IG011 oidc-trust-unrestricted: every fixture case, and what a user sees of each finding."""

from __future__ import annotations

import pytest
from helpers import described, run

from iacguard.checks.oidc_subjects import (
    BITBUCKET,
    CIRCLECI,
    EKS,
    GITHUB,
    GITLAB,
    TERRAFORM_CLOUD,
    provider_of,
)

TF = "fixtures/terraform/oidc-trust-unrestricted"
CFN = "fixtures/cloudformation/oidc-trust-unrestricted"

CASES = {
    f"{TF}/negative_github_every_ref_read_only": [],
    f"{TF}/negative_pinned": [],
    f"{TF}/positive_bitbucket_every_repository": [
        f"IG011 {TF}/positive_bitbucket_every_repository/main.tf:12:19 high aws_iam_role.deploy: "
        f'Every repository of the workspace (sub "*:{{5f1a8c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b}}") can assume role aws_iam_role.deploy through Bitbucket Pipelines OIDC (statement #1): name the repository in api.bitbucket.org/2.0/workspaces/example/pipelines-config/identity/oidc:sub',
    ],
    f"{TF}/positive_circleci_no_subject": [
        f"IG011 {TF}/positive_circleci_no_subject/main.tf:12:19 critical aws_iam_role.deploy: "
        f"Any project of the CircleCI organization can assume role aws_iam_role.deploy through CircleCI OIDC (statement #1): add a oidc.circleci.com/org/c8b5e7a0-1d2f-4c3b-9a8e-7f6d5c4b3a21:sub condition naming the project",
    ],
    f"{TF}/positive_eks_every_service_account": [
        f"IG011 {TF}/positive_eks_every_service_account/main.tf:17:19 high aws_iam_role.irsa: "
        f'Every service account of the cluster (sub "system:serviceaccount:*") can assume role aws_iam_role.irsa through EKS OIDC (statement #1): name the service account in oidc.eks.eu-west-1.amazonaws.com/id/5C3F9E2A7B1D4E6F8A9B0C1D2E3F4A5B:sub',
    ],
    f"{TF}/positive_github_every_ref_admin": [
        f"IG011 {TF}/positive_github_every_ref_admin/main.tf:18:19 medium aws_iam_role.deploy: "
        f'Every branch, tag, environment and pull request of example-org/app (sub "repo:example-org/app:*") can assume role aws_iam_role.deploy, which can write, through GitHub Actions OIDC (statement "GitHubActions"): name a protected branch or environment in token.actions.githubusercontent.com:sub too',
        f"IG015 {TF}/positive_github_every_ref_admin/main.tf:30:16 high "
        "aws_iam_role_policy_attachment.deploy: AWS managed policy PowerUserAccess is attached to "
        "role aws_iam_role.deploy: it grants every action except IAM and Organizations "
        "management; grant only the actions it needs",
    ],
    f"{TF}/positive_github_no_subject": [
        f"IG011 {TF}/positive_github_no_subject/main.tf:12:5 critical aws_iam_role.deploy: "
        f'Any GitHub repository can assume role aws_iam_role.deploy through GitHub Actions OIDC (statement "GitHubActions"): add a token.actions.githubusercontent.com:sub condition naming the repository',
    ],
    f"{TF}/positive_github_owner_wildcard": [
        f"IG011 {TF}/positive_github_owner_wildcard/main.tf:20:13 high aws_iam_role.deploy: "
        f'Every repository of example-org (sub "repo:example-org/*") can assume role aws_iam_role.deploy through GitHub Actions OIDC (statement "GitHubActions"): name the repository in token.actions.githubusercontent.com:sub',
    ],
    f"{TF}/positive_gitlab_every_project": [
        f"IG011 {TF}/positive_gitlab_every_project/main.tf:16:43 high aws_iam_role.deploy: "
        f'Every project path under example-group (sub "project_path:example-group/*:ref_type:branch:ref:main") can assume role aws_iam_role.deploy through GitLab OIDC (statement #1): name the project in gitlab.com:sub',
    ],
    f"{TF}/positive_open_operators": [
        f"IG011 {TF}/positive_open_operators/main.tf:10:21 critical aws_iam_role.deploy: "
        f'Any GitHub repository can assume role aws_iam_role.deploy through GitHub Actions OIDC (statement "NotLike"): add a token.actions.githubusercontent.com:sub condition naming the repository',
        f"IG011 {TF}/positive_open_operators/main.tf:19:21 critical aws_iam_role.deploy: "
        f'Any GitHub repository can assume role aws_iam_role.deploy through GitHub Actions OIDC (statement "IfExists"): add a token.actions.githubusercontent.com:sub condition naming the repository',
        f"IG011 {TF}/positive_open_operators/main.tf:31:70 critical aws_iam_role.deploy: "
        f'Any GitHub repository (sub "*") can assume role aws_iam_role.deploy through GitHub Actions OIDC (statement "OnlyWildcards"): name the repository in token.actions.githubusercontent.com:sub',
    ],
    f"{TF}/positive_terraform_cloud_organization": [
        f"IG011 {TF}/positive_terraform_cloud_organization/main.tf:17:19 high aws_iam_role.tfc: "
        f'Every project and workspace of example-org (sub "organization:example-org:project:*:workspace:*:run_phase:*") can assume role aws_iam_role.tfc through Terraform Cloud OIDC (statement #1): name the workspace in app.terraform.io:sub',
    ],
    f"{CFN}/negative_pinned.yaml": [],
    f"{CFN}/positive_github_repository_wildcard.json": [
        f"IG011 {CFN}/positive_github_repository_wildcard.json:21:75 high Role: "
        f'Every repository of example-org (sub "repo:example-org/*") can assume role Role through GitHub Actions OIDC (statement #1): name the repository in token.actions.githubusercontent.com:sub',
    ],
    f"{CFN}/positive_providers.yaml": [
        f"IG011 {CFN}/positive_providers.yaml:21:15 critical GitHubDeploy: "
        f'Any GitHub repository can assume role GitHubDeploy through GitHub Actions OIDC (statement "GitHubActions"): add a token.actions.githubusercontent.com:sub condition naming the repository',
        f"IG011 {CFN}/positive_providers.yaml:37:41 high GitLabDeploy: "
        f'Every project path (sub "project_path:*:ref_type:branch:ref:main") can assume role GitLabDeploy through GitLab OIDC (statement #1): name the project in gitlab.example.com:sub',
        f"IG011 {CFN}/positive_providers.yaml:49:39 critical TerraformCloud: "
        f'Any Terraform Cloud organization (sub "organization:*") can assume role TerraformCloud through Terraform Cloud OIDC (statement #1): name the workspace in app.terraform.io:sub',
        f"IG011 {CFN}/positive_providers.yaml:61:91 medium ExternalDns: "
        f'Every service account of namespace kube-system (sub "system:serviceaccount:kube-system:*") can assume role ExternalDns, which can write, through EKS OIDC (statement #1): name the service account in oidc.eks.eu-west-1.amazonaws.com/id/5C3F9E2A7B1D4E6F8A9B0C1D2E3F4A5B:sub too',
        f"IG015 {CFN}/positive_providers.yaml:63:11 high ExternalDns: AWS managed policy "
        "AdministratorAccess is attached to role ExternalDns: it grants every action on every "
        "resource; grant only the actions it needs",
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_what_it_shows(case: str) -> None:
    result = run(case)
    assert described(result) == CASES[case]
    assert result.errors == []


@pytest.mark.parametrize(
    ("provider", "subject", "grade"),
    [
        (GITHUB, "repo:example-org/app:ref:refs/heads/main", None),
        (GITHUB, "repo:example-org/app:*", "write"),
        (GITHUB, "repo:example-org/app:environment:*", "write"),
        (GITHUB, "repo:example-org/*", "high"),
        (GITHUB, "repo:example-org/app-*:*", "high"),
        (GITHUB, "repo:*", "critical"),
        (GITHUB, "repo:*/app:*", "critical"),
        (GITHUB, "*:ref:refs/heads/main", "critical"),
        (GITLAB, "project_path:group/app:ref_type:branch:ref:main", None),
        (GITLAB, "project_path:group/app:*", "write"),
        (GITLAB, "project_path:group/*", "high"),
        (GITLAB, "project_path:*", "high"),
        (TERRAFORM_CLOUD, "organization:acme:project:infra:workspace:net:run_phase:apply", None),
        (TERRAFORM_CLOUD, "organization:acme:project:infra:workspace:net:run_phase:*", "write"),
        (TERRAFORM_CLOUD, "organization:acme:project:infra:workspace:*", "high"),
        (TERRAFORM_CLOUD, "organization:acme:*", "high"),
        (TERRAFORM_CLOUD, "organization:*", "critical"),
        (CIRCLECI, "org/o1/project/p1/user/u1", None),
        (CIRCLECI, "org/o1/project/p1/user/*", "write"),
        (CIRCLECI, "org/o1/project/*", "high"),
        (BITBUCKET, "{repo-uuid}:{step-uuid}", None),
        (BITBUCKET, "{repo-uuid}:*", "write"),
        (BITBUCKET, "*", "high"),
        (EKS, "system:serviceaccount:kube-system:external-dns", None),
        (EKS, "system:serviceaccount:kube-system:*", "write"),
        (EKS, "system:serviceaccount:*", "high"),
        (EKS, "system:serviceaccount:*:external-dns", "high"),
    ],
)
def test_how_much_a_subject_pattern_leaves_open(provider, subject: str, grade: str | None) -> None:
    assert provider.grade(subject)[0] == grade


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("token.actions.githubusercontent.com", GITHUB),
        ("token.actions.githubusercontent.com/example-enterprise", GITHUB),
        ("gitlab.com", GITLAB),
        ("app.terraform.io", TERRAFORM_CLOUD),
        ("oidc.circleci.com/org/c8b5e7a0", CIRCLECI),
        ("api.bitbucket.org/2.0/workspaces/example/pipelines-config/identity/oidc", BITBUCKET),
        ("oidc.eks.eu-west-1.amazonaws.com/id/5C3F9E2A", EKS),
        ("accounts.google.com", None),
        ("cognito-identity.amazonaws.com", None),
    ],
)
def test_providers_are_told_by_their_host(host: str, provider) -> None:
    assert provider_of(host) is provider
