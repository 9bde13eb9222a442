"""The published IAM privilege-escalation paths, as data, and what a statement must
allow to take a step of one (used by IG014).

A path is a set of actions that together let a principal gain more than it was given.
Each step names the resource it must be allowed on: ``any`` for actions whose resource
does not decide the outcome (creating a function, a stack, an instance), else a
resource type that must be reachable by an unscoped ARN (``*``, ``role/*``), or, for
``own`` steps, by the principal's own ARN (its user or role, its groups, its attached
policies). Sources: Rhino Security Labs' two articles (the 21 original methods and the
CodeBuild/SageMaker/ECS additions) and Bishop Fox's iam-vulnerable; reviewed by hand.
"""

from __future__ import annotations

import re

from iacguard.model import Statement, Unknown
from iacguard.permissions import Effective, action_matches, is_allow, resource_matches
from iacguard.records import dataclass

# ARN fields split at colons, not at those inside ``${AWS::AccountId}``.
_ARN_PARTS = re.compile(r":(?![^${}]*\})")
_ANY_NAME = "iacguard-any-name"  # stands for a name the statement did not choose


@dataclass(frozen=True, slots=True)
class Target:
    """Where a step's action must be allowed: ``service`` and ``type`` of the ARN
    (``iam`` ``role``), ``separator`` between type and name (``lambda`` uses ``:``)."""

    service: str = ""
    type: str = ""
    separator: str = "/"
    own: bool = False

    @property
    def any(self) -> bool:
        return not self.service

    def accepts(self, resource: str, own: set[str]) -> bool:
        """Whether a statement's ``Resource`` value can be this target: ``*``, an ARN of
        the type with a wildcard name, or (``own`` steps) one naming the principal's own."""
        resource = resource.strip()
        if self.any or resource == "*":
            return True
        parts = _ARN_PARTS.split(resource, maxsplit=5)
        if len(parts) < 6 or not action_matches(parts[2], self.service):
            return False
        names = {_ANY_NAME, *own} if self.own else {_ANY_NAME}
        return any(
            resource_matches(parts[5], f"{self.type}{self.separator}{name}") for name in names
        )


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    target: Target = Target()


@dataclass(frozen=True, slots=True)
class Path:
    name: str
    steps: tuple[Step, ...]
    reference: str
    applies_to: frozenset[str]
    self_escalation: bool = False
    passed_to: str | None = None  # the service iam:PassRole hands the role to
    needs_boundary: bool = False  # only meaningful for a principal with a boundary


EVERYONE = frozenset({"user", "group", "role", "permission_set"})
NOT_ROLES = frozenset({"user", "group", "permission_set"})
RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
RHINO_2 = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/"
BISHOP_FOX = "https://github.com/BishopFox/iam-vulnerable"

ANY = Target()
ANY_POLICY = Target("iam", "policy", own=True)
OWN_USER = Target("iam", "user", own=True)
OWN_GROUP = Target("iam", "group", own=True)
OWN_ROLE = Target("iam", "role", own=True)
ANY_USER = Target("iam", "user")
ANY_GROUP = Target("iam", "group")
ANY_ROLE = Target("iam", "role")
ANY_FUNCTION = Target("lambda", "function", ":")
ANY_DEV_ENDPOINT = Target("glue", "devEndpoint")

PASS_ROLE = Step("iam:PassRole", ANY_ROLE)


def _passrole(name: str, service: str, *actions: str, reference: str = RHINO) -> Path:
    steps = (PASS_ROLE, *(Step(a) for a in actions))
    return Path(name, steps, reference, EVERYONE, passed_to=service)


PATHS: tuple[Path, ...] = (
    Path(
        "CreatePolicyVersion",
        (Step("iam:CreatePolicyVersion", ANY_POLICY),),
        RHINO,
        EVERYONE,
        self_escalation=True,
    ),
    Path(
        "SetDefaultPolicyVersion",
        (Step("iam:SetDefaultPolicyVersion", ANY_POLICY),),
        RHINO,
        EVERYONE,
        self_escalation=True,
    ),
    Path(
        "AttachUserPolicy",
        (Step("iam:AttachUserPolicy", OWN_USER),),
        RHINO,
        frozenset({"user"}),
        self_escalation=True,
    ),
    Path(
        "AttachGroupPolicy",
        (Step("iam:AttachGroupPolicy", OWN_GROUP),),
        RHINO,
        frozenset({"user", "group"}),
        self_escalation=True,
    ),
    Path(
        "AttachRolePolicy",
        (Step("iam:AttachRolePolicy", OWN_ROLE),),
        RHINO,
        frozenset({"role", "permission_set"}),
        self_escalation=True,
    ),
    Path(
        "PutUserPolicy",
        (Step("iam:PutUserPolicy", OWN_USER),),
        RHINO,
        frozenset({"user"}),
        self_escalation=True,
    ),
    Path(
        "PutGroupPolicy",
        (Step("iam:PutGroupPolicy", OWN_GROUP),),
        RHINO,
        frozenset({"user", "group"}),
        self_escalation=True,
    ),
    Path(
        "PutRolePolicy",
        (Step("iam:PutRolePolicy", OWN_ROLE),),
        RHINO,
        frozenset({"role", "permission_set"}),
        self_escalation=True,
    ),
    Path(
        "AttachRolePolicy and AssumeRole",
        (Step("iam:AttachRolePolicy", ANY_ROLE), Step("sts:AssumeRole", ANY_ROLE)),
        RHINO,
        NOT_ROLES,
    ),
    Path(
        "PutRolePolicy and AssumeRole",
        (Step("iam:PutRolePolicy", ANY_ROLE), Step("sts:AssumeRole", ANY_ROLE)),
        RHINO,
        NOT_ROLES,
    ),
    Path("AddUserToGroup", (Step("iam:AddUserToGroup", ANY_GROUP),), RHINO, EVERYONE),
    Path("CreateAccessKey", (Step("iam:CreateAccessKey", ANY_USER),), RHINO, EVERYONE),
    Path("CreateLoginProfile", (Step("iam:CreateLoginProfile", ANY_USER),), RHINO, EVERYONE),
    Path("UpdateLoginProfile", (Step("iam:UpdateLoginProfile", ANY_USER),), RHINO, EVERYONE),
    Path(
        "UpdateAssumeRolePolicy and AssumeRole",
        (Step("iam:UpdateAssumeRolePolicy", ANY_ROLE), Step("sts:AssumeRole", ANY_ROLE)),
        RHINO,
        EVERYONE,
    ),
    _passrole(
        "PassRole to a new Lambda function and invoke it",
        "lambda.amazonaws.com",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ),
    _passrole(
        "PassRole to a new Lambda function with an event source",
        "lambda.amazonaws.com",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ),
    _passrole(
        "PassRole to a new Lambda function with a resource policy",
        "lambda.amazonaws.com",
        "lambda:CreateFunction",
        "lambda:AddPermission",
        reference=BISHOP_FOX,
    ),
    Path(
        "UpdateFunctionCode",
        (Step("lambda:UpdateFunctionCode", ANY_FUNCTION),),
        RHINO,
        EVERYONE,
    ),
    _passrole("PassRole to a new EC2 instance", "ec2.amazonaws.com", "ec2:RunInstances"),
    _passrole(
        "PassRole to a new CloudFormation stack",
        "cloudformation.amazonaws.com",
        "cloudformation:CreateStack",
    ),
    _passrole(
        "PassRole to a new Glue development endpoint",
        "glue.amazonaws.com",
        "glue:CreateDevEndpoint",
    ),
    Path(
        "UpdateDevEndpoint",
        (Step("glue:UpdateDevEndpoint", ANY_DEV_ENDPOINT),),
        RHINO,
        EVERYONE,
    ),
    _passrole(
        "PassRole to a new Data Pipeline",
        "datapipeline.amazonaws.com",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
    ),
    _passrole(
        "PassRole to a new SageMaker notebook",
        "sagemaker.amazonaws.com",
        "sagemaker:CreateNotebookInstance",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
        reference=RHINO_2,
    ),
    _passrole(
        "PassRole to a new CodeBuild project",
        "codebuild.amazonaws.com",
        "codebuild:CreateProject",
        "codebuild:StartBuild",
        reference=RHINO_2,
    ),
    _passrole(
        "PassRole to a new ECS task",
        "ecs-tasks.amazonaws.com",
        "ecs:RegisterTaskDefinition",
        "ecs:RunTask",
        reference=BISHOP_FOX,
    ),
    Path(
        "DeleteUserPermissionsBoundary",
        (Step("iam:DeleteUserPermissionsBoundary", OWN_USER),),
        BISHOP_FOX,
        frozenset({"user"}),
        needs_boundary=True,
    ),
    Path(
        "DeleteRolePermissionsBoundary",
        (Step("iam:DeleteRolePermissionsBoundary", OWN_ROLE),),
        BISHOP_FOX,
        frozenset({"role"}),
        needs_boundary=True,
    ),
)

ACTIONS = tuple(dict.fromkeys(step.action for path in PATHS for step in path.steps))
_SERVICES = frozenset(action.partition(":")[0].lower() for action in ACTIONS)
ANY_ACTION = "?"  # in a set of covered actions: an unknown value may cover any of them


class Coverage:
    """Which actions of the paths each statement may allow, worked out once per
    statement: principals share group and managed policies."""

    def __init__(self) -> None:
        self.by_statement: dict[int, frozenset[str]] = {}

    def of(self, statement: Statement) -> frozenset[str]:
        found = self.by_statement.get(id(statement))
        if found is None:
            found = _covered(statement) if is_allow(statement) else frozenset()
            self.by_statement[id(statement)] = found
        return found

    def actions(self, effective: Effective) -> frozenset[str]:
        """The actions of the paths a principal may be allowed, before any Deny."""
        return frozenset().union(*(self.of(g.statement) for g in effective.grants))


def _covered(statement: Statement) -> frozenset[str]:
    """As ``covers_action`` for each action of the paths, looking at each pattern once."""
    listed = statement.actions if statement.actions is not None else statement.not_actions
    if listed is None:
        return frozenset()
    named: set[str] = set()
    unknown = False
    for value in listed:
        if isinstance(value, Unknown):
            unknown = True
            continue
        pattern = str(value.value).strip()
        service = pattern.partition(":")[0].lower()
        if "*" in service or "?" in service or service in _SERVICES:
            named.update(a for a in ACTIONS if action_matches(pattern, a))
    if statement.actions is not None:
        return frozenset(named | ({ANY_ACTION} if unknown else set()))
    if unknown:
        return frozenset({ANY_ACTION}) if len(named) < len(ACTIONS) else frozenset()
    return frozenset(a for a in ACTIONS if a not in named)
