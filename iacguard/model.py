"""The shared IAM model: what the parsers produce and the only thing checks see.

Parsers (Terraform, CloudFormation) translate their format into these objects; nothing
after them knows a template or an HCL tree exists. Every object carries the ``Location``
it came from. A value the parser could not resolve statically is an ``Unknown`` (with the
source text and the reason), never silently dropped.

A value may have several *alternatives*: a CloudFormation ``Fn::If`` yields both branches,
each tagged with the condition under which it applies (``Scalar.when``). Fields that hold
a value therefore hold a tuple of alternatives/elements.
"""

from __future__ import annotations

from typing import Literal

from iacguard.records import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is written: 1-based line and column, end inclusive of the last line.

    ``path`` is the symbolic route inside the document where the format has one
    (CloudFormation: ``("Resources", "AppRole", "Properties", "MaxSessionDuration")``);
    the cfn-lint rule pack hands it to cfn-lint. The command line shows none, and its
    parsers leave it empty.
    """

    file: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    path: tuple[str | int, ...] = ()

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)


@dataclass(frozen=True, slots=True)
class Scalar:
    """A statically known value. ``when`` names the condition it depends on, if any
    (e.g. ``"condition IsProd is false"``), so a finding can say so."""

    value: str | int | float | bool
    location: Location
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that cannot be known before deploy: ``expression`` is its source text.
    ``names`` is the address of the resource of the same configuration it is an
    attribute of (``!GetAtt Bucket.Arn``), or is built from (``${Bucket.Arn}/*``): unknown
    as text, it still names that one resource."""

    expression: str
    why: str
    location: Location
    when: str | None = None
    names: str | None = None


Value = Scalar | Unknown

PrincipalKind = Literal["user", "group", "role", "permission_set"]
PolicyKind = Literal["inline", "managed", "document", "trust", "sam_template", "resource"]

# The account the configuration deploys into, as both formats spell it in a value:
# CloudFormation's ``${AWS::AccountId}``, Terraform's ``data.aws_caller_identity.*.account_id``.
OWN_ACCOUNT = "${AWS::AccountId}"


@dataclass(frozen=True, slots=True)
class PrincipalRef:
    """A reference from a policy, attachment or membership to a principal.

    ``target`` is the address of the principal in the scanned configuration when the
    reference resolves to one (unique within ``scope``, see ``Principal``); ``name`` is
    the IAM name as written (literal or unknown).
    """

    kind: PrincipalKind
    location: Location
    target: str | None = None
    name: Value | None = None
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str
    key: str
    values: tuple[Value, ...]
    location: Location


@dataclass(slots=True)
class Statement:
    """One policy statement. ``actions``/``not_actions`` (and the resource pair) are
    ``None`` when the key is absent, a tuple of elements when present."""

    location: Location
    effect: tuple[Value, ...]
    sid: str | None = None
    index: int = 0
    actions: tuple[Value, ...] | None = None
    not_actions: tuple[Value, ...] | None = None
    action_location: Location | None = None
    resources: tuple[Value, ...] | None = None
    not_resources: tuple[Value, ...] | None = None
    principals: dict[str, tuple[Value, ...]] | None = None
    not_principals: dict[str, tuple[Value, ...]] | None = None
    principal_location: Location | None = None
    conditions: tuple[Condition, ...] = ()
    when: str | None = None

    @property
    def label(self) -> str:
        """How a message names the statement: its Sid, else its position."""
        return f'"{self.sid}"' if self.sid else f"#{self.index + 1}"


@dataclass(slots=True)
class Policy:
    """A policy document and where it lives.

    kind: ``inline`` (embedded in the principals of ``embedded_in``), ``managed``
    (customer managed, attached through ``Attachment``), ``document`` (a Terraform
    ``aws_iam_policy_document``, reported once at the document), ``trust`` (a role's
    assume-role policy), ``sam_template`` (a SAM policy template, recorded by name),
    ``resource`` (a resource policy: bucket, queue, topic, key, repository, secret,
    domain, or the statement a Lambda permission adds; ``governs`` names that resource).
    ``address`` is the resource that holds it; ``location`` the policy itself (the block,
    the ``Policies`` entry, the resource). ``scope`` is where ``address`` is unique (as for
    ``Principal``); ``uses`` the addresses of the ``document`` policies whose statements
    this one includes without copying them (Terraform ``data.aws_iam_policy_document.x.json``,
    ``source_policy_documents``).
    """

    kind: PolicyKind
    address: str
    resource_type: str
    location: Location
    name: Value | None = None
    statements: list[Statement] = field(default_factory=list)
    embedded_in: tuple[PrincipalRef, ...] = ()
    document: Unknown | None = None
    scope: str = ""
    uses: tuple[str, ...] = ()
    governs: str | None = None


@dataclass(slots=True)
class Principal:
    """A user, group, role or SSO permission set. ``session_duration`` holds the
    alternatives of the maximum session in whole seconds (whether written as seconds or
    ISO 8601), or unknown, each located at its value; empty when unset.

    ``scope`` is where ``address`` is unique: the template for CloudFormation (logical
    ids repeat across templates), the root module directory for Terraform. ``boundary``
    is its permissions boundary, shaped as an attachment of that policy (not listed among
    the model's attachments: it limits, it grants nothing).
    """

    kind: PrincipalKind
    address: str
    resource_type: str
    location: Location
    name: Value | None = None
    session_duration: tuple[Value, ...] = ()
    scope: str = ""
    boundary: Attachment | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A managed policy (by ARN or by address) attached to a principal."""

    principal: PrincipalRef
    policy: Value | None
    address: str
    resource_type: str
    location: Location
    policy_target: str | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """A user in a group."""

    user: PrincipalRef
    group: PrincipalRef
    address: str
    resource_type: str
    location: Location


CredentialKind = Literal["access_key", "login_profile", "service_specific_credential"]


@dataclass(frozen=True, slots=True)
class Credential:
    """Long-lived credentials of an IAM user. ``exposed`` says how the configuration
    lets the secret leak (None: as far as it shows, it does not)."""

    kind: CredentialKind
    user: PrincipalRef
    address: str
    resource_type: str
    location: Location
    exposed: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A resource as written (its whole span), so a suppression on its first line or
    the line above can cover every finding inside it. ``construct_path`` is where the
    CDK app defined it (``aws:cdk:path`` metadata), for findings to show beside the address."""

    address: str
    location: Location
    construct_path: str | None = None


@dataclass(frozen=True, slots=True)
class Directive:
    """A suppression written in a scanned file.

    ``comment``: ``# iacguard: ignore[IG002] reason`` at ``location``; it covers its own
    line, the line below, and the whole block that starts on either. ``metadata``: a
    CloudFormation ``Metadata: {iacguard: {ignore: [...]}}``; ``covers`` is the resource
    it sits on, or None for the template's top-level Metadata (the whole file).
    """

    kind: Literal["comment", "metadata"]
    rules: tuple[str, ...]
    reason: str | None
    location: Location
    covers: Location | None = None


# How much of an expression every output shows: a 40 KB expression once made a 431 MB report.
MAX_EXPRESSION = 200
# The ``why`` of a module call whose source is not read, as reports count them.
REMOTE_MODULE = "remote module sources are not fetched; its resources are not checked"
OUTSIDE_MODULE = "the module directory is outside the scanned directories; not read"


@dataclass(frozen=True, slots=True)
class Unresolved:
    """An entry of the ``unresolved`` list: a value that mattered and could not be known."""

    file: str
    line: int
    resource: str
    expression: str
    why: str

    def __post_init__(self) -> None:
        if len(self.expression) > MAX_EXPRESSION:
            shown = self.expression[: MAX_EXPRESSION - 1] + "…"
            object.__setattr__(self, "expression", shown)


@dataclass(slots=True)
class Model:
    """Everything the parsers found; several files' models merge into one."""

    principals: list[Principal] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    resources: int = 0
    # file → the other files its values are read from (.tfvars, a module's caller,
    # file() targets): PR mode keeps a finding when one of those changed.
    inputs: dict[str, set[str]] = field(default_factory=dict)
    # Terraform: (scope, a module instance's address: module.x["k"]) → its module block,
    # which findings inside the module relate to. Two root modules (scopes) may both call
    # ``module.x``.
    module_calls: dict[tuple[str, str], Location] = field(default_factory=dict)

    def extend(self, other: Model) -> None:
        self.principals.extend(other.principals)
        self.policies.extend(other.policies)
        self.attachments.extend(other.attachments)
        self.memberships.extend(other.memberships)
        self.credentials.extend(other.credentials)
        self.unresolved.extend(other.unresolved)
        self.blocks.extend(other.blocks)
        known = set(self.directives)  # a plan and its .tf files bring the same comments
        self.directives.extend(d for d in other.directives if d not in known)
        self.resources += other.resources
        for file, inputs in other.inputs.items():
            self.inputs.setdefault(file, set()).update(inputs)
        self.module_calls.update(other.module_calls)
