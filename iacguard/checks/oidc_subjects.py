"""OIDC providers of CI/CD systems and clusters, and what a subject pattern admits.

A provider is told by its host (the federated principal's ``oidc-provider/HOST``, or the
``HOST:sub`` condition key); each has its own subject grammar. ``grade`` says how much of
that grammar a pattern leaves open: ``critical`` (anyone the provider issues tokens to),
``high`` (every repository, project or service account of an owner or cluster), ``write``
(every ref of one repository: medium when the role can write), None (pinned).
Wildcards count only under a ``…Like`` operator: with ``StringEquals`` a ``*`` is a letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from iacguard.records import dataclass

Grade = tuple[str | None, str]

_EKS = re.compile(r"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/", re.IGNORECASE)


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    what: str  # what a subject names, for "add a …:sub condition naming the …"
    anyone: str  # who may assume the role without a subject condition
    narrow: str  # what a subject that names one repository should also name
    grade: Callable[[str], Grade]


def _github(subject: str) -> Grade:
    if not subject.startswith("repo:"):
        return ("critical", "any repository") if _wild(subject[:5]) else (None, "")
    owner, _, rest = subject[5:].partition("/")
    repo, _, ref = rest.partition(":")
    if _wild(owner):
        return "critical", "any repository of any owner"
    if _wild(repo):
        return "high", f"every repository of {owner}"
    if _wild(ref):
        return "write", f"every branch, tag, environment and pull request of {owner}/{repo}"
    return None, ""


def _gitlab(subject: str) -> Grade:
    if not subject.startswith("project_path:"):
        return ("critical", "any project") if _wild(subject[:13]) else (None, "")
    path, _, ref = subject[13:].partition(":")
    if _wild(path):
        group = path.split("*")[0].rstrip("/")
        return "high", f"every project path under {group}" if group else "every project path"
    if _wild(ref):
        return "write", f"every ref of {path}"
    return None, ""


def _terraform_cloud(subject: str) -> Grade:
    if not subject.startswith("organization:"):
        return ("critical", "any organization") if _wild(subject[:13]) else (None, "")
    fields = subject[13:].split(":")
    organization = fields[0]
    if _wild(organization):
        return "critical", "any Terraform Cloud organization"
    scope = ":".join(fields[1:5])  # project:P:workspace:W
    if _wild(scope) or len(fields) < 5:
        return "high", f"every project and workspace of {organization}"
    if _wild(":".join(fields[5:])):
        return "write", f"every run phase of workspace {fields[4]}"
    return None, ""


def _circleci(subject: str) -> Grade:
    fields = subject.split("/")  # org/ORG/project/PROJECT/user/USER
    if _wild("/".join(fields[:4])):
        return "high", "every project of the organization"
    if _wild("/".join(fields[4:])):
        return "write", f"every user of project {fields[3] if len(fields) > 3 else '?'}"
    return None, ""


def _bitbucket(subject: str) -> Grade:
    repository, _, step = subject.partition(":")  # {REPOSITORY_UUID}:{STEP_UUID}
    if _wild(repository):
        return "high", "every repository of the workspace"
    if _wild(step):
        return "write", f"every step of repository {repository}"
    return None, ""


def _eks(subject: str) -> Grade:
    prefix = "system:serviceaccount:"
    if not subject.startswith(prefix):
        return ("high", "every service account of the cluster") if _wild(subject) else (None, "")
    namespace, _, account = subject[len(prefix) :].partition(":")
    if _wild(namespace):
        return "high", "every service account of the cluster"
    if _wild(account):
        return "write", f"every service account of namespace {namespace}"
    return None, ""


GITHUB = Provider(
    "GitHub Actions",
    "repository",
    "any GitHub repository",
    "a protected branch or environment",
    _github,
)
GITLAB = Provider("GitLab", "project", "any GitLab project", "a protected branch", _gitlab)
TERRAFORM_CLOUD = Provider(
    "Terraform Cloud",
    "workspace",
    "any Terraform Cloud workspace",
    "the run phase",
    _terraform_cloud,
)
CIRCLECI = Provider(
    "CircleCI", "project", "any project of the CircleCI organization", "the user", _circleci
)
BITBUCKET = Provider(
    "Bitbucket Pipelines",
    "repository",
    "any repository of the Bitbucket workspace",
    "the deployment step",
    _bitbucket,
)
EKS = Provider(
    "EKS", "service account", "any service account of the EKS cluster", "the service account", _eks
)


def provider_of(host: str) -> Provider | None:
    """The provider an OIDC host belongs to (``token.actions.githubusercontent.com``)."""
    host = host.lower().rstrip("/")
    if host == "token.actions.githubusercontent.com" or host.startswith(
        "token.actions.githubusercontent.com/"
    ):
        return GITHUB
    if host == "gitlab.com":
        return GITLAB
    if host == "app.terraform.io":
        return TERRAFORM_CLOUD
    if host.startswith("oidc.circleci.com/org/"):
        return CIRCLECI
    if host.startswith("api.bitbucket.org/2.0/workspaces/"):
        return BITBUCKET
    if _EKS.match(host):
        return EKS
    return None


def host_of(principal: str) -> str | None:
    """The host of a federated principal: ``arn:…:oidc-provider/HOST`` or a bare host."""
    text = principal.strip()
    if text.startswith("arn:"):
        marker = ":oidc-provider/"
        return text.split(marker, 1)[1] if marker in text else None
    return text.split("://", 1)[-1] or None
