"""CloudFormation and SAM templates (YAML or JSON) → the IAM model.

Decoding is ``template_reader``'s (plain values and their places, read as cfn-lint reads
them; the cfn-lint pack hands over cfn-lint's own tree); intrinsic functions are resolved by
``iacguard.resolve.cloudformation``; the policy grammar is ``policy_document``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from iacguard.model import (
    Attachment,
    Block,
    Directive,
    Location,
    Membership,
    Model,
    ParseError,
    Policy,
    PolicyKind,
    Principal,
    PrincipalKind,
    PrincipalRef,
    Scalar,
    Statement,
    Unknown,
    Unresolved,
    Value,
)
from iacguard.parsers import ParseResult
from iacguard.parsers.cloudformation_credentials import login_profile, user_credential
from iacguard.parsers.comments import comment_directives
from iacguard.parsers.lambda_permission import permission_statement
from iacguard.parsers.plain import plain
from iacguard.parsers.policy_document import DocumentProblem, read_statements
from iacguard.parsers.session import session_seconds
from iacguard.parsers.source import (
    DEFAULT_MAX_FILE_BYTES,
    SourceError,
    TooLarge,
    contains,
    decode_text,
    nested_too_deeply,
    read_bytes,
)
from iacguard.parsers.template_strings import SourceText
from iacguard.parsers.terraform_plan import looks_like_plan
from iacguard.resolve.cloudformation import Intrinsics
from iacguard.resolve.hcl import TextMap, join_maps
from iacguard.resolve.marks import Marks
from iacguard.resolve.node import Node, Problem

# Resource types whose policies the checks read, by property: (policy, governed resource);
# None when the policy is written on the resource it governs.
RESOURCE_POLICIES: dict[str, tuple[str, str | None]] = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", "Bucket"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "Queues"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "Topics"),
    "AWS::KMS::Key": ("KeyPolicy", None),
    "AWS::ECR::Repository": ("RepositoryPolicyText", None),
    "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy", "SecretId"),
    "AWS::OpenSearchService::Domain": ("AccessPolicies", None),
    "AWS::Elasticsearch::Domain": ("AccessPolicies", None),
}
_LAMBDA_PERMISSION = "AWS::Lambda::Permission"
_IAM_TYPE_PREFIXES = (
    "AWS::IAM::",
    "AWS::SSO::",
    "AWS::Serverless::",
    *RESOURCE_POLICIES,
    _LAMBDA_PERMISSION,
)
_IAM_MARKERS = tuple(
    prefix.encode(encoding)
    for prefix in _IAM_TYPE_PREFIXES
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_RESOURCE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$")


def may_hold_iam(data: bytes) -> bool:
    """A cheap test: a template without any IAM, SSO or SAM resource type holds nothing
    the checks look at, so it is skipped without decoding (and without importing
    cfn-lint, whose import alone takes most of a second). UTF-16 spellings count, so
    that such a file is reported rather than skipped."""
    return any(marker in data for marker in _IAM_MARKERS)


def is_cloudformation(template: Any) -> bool:
    """Recognise a template by content: the format version, or resources typed AWS::…"""
    if not isinstance(template, dict):
        return False
    if "AWSTemplateFormatVersion" in template:
        return True
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    return any(
        isinstance(r, dict)
        and isinstance(r.get("Type"), str)
        and bool(_RESOURCE_TYPE.match(r["Type"]))
        for r in resources.values()
    )


def parse_file(
    path: Path, file: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, *, named: bool = False
) -> ParseResult:
    """Parse one file; ``file`` is the name findings will carry."""
    text = read_template(path, file, max_bytes, named=named)
    return text if isinstance(text, ParseResult) else parse_text(text, file)


def read_template(
    path: Path, file: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, *, named: bool = False
) -> str | ParseResult:
    """A candidate's text, or its finished result: skipped quietly when it holds no IAM
    resource type (whatever its size or encoding), else an error when it cannot be read.
    A file ``named`` on the command line is always read: one that cannot be is reported,
    as the user asked for it."""
    result = ParseResult()
    try:
        data = read_bytes(path, max_bytes)
    except TooLarge as exc:
        if named or contains(path, _IAM_MARKERS):
            result.errors.append(ParseError(file, exc.message))
        else:
            result.skipped.append(file)
        return result
    except SourceError as exc:
        result.errors.append(ParseError(file, exc.message, exc.line))
        return result
    if not named and not may_hold_iam(data) and not looks_like_plan(data):
        result.skipped.append(file)
        return result
    try:
        return decode_text(data)
    except SourceError as exc:
        result.errors.append(ParseError(file, exc.message, exc.line))
        return result


def parse_text(text: str, file: str, parameters: dict[str, str] | None = None) -> ParseResult:
    """Parse a file's text as ``read_template`` returns it (it has passed
    ``may_hold_iam``); ``file`` is its name; ``parameters`` (``--parameters``) override
    the defaults of the parameters the template declares."""
    from iacguard.parsers.template_reader import DecodeError, read

    result = ParseResult()
    try:
        decoded = read(text)
    except DecodeError as error:
        result.errors.append(ParseError(file, error.message, error.line, error.column))
        return result
    template = decoded.value
    if not is_cloudformation(template):
        result.skipped.append(file)
        return result
    assert isinstance(template, dict)
    from iacguard.resolve.cloudformation_foreach import expand

    if parameters:
        template = _with_parameters(template, parameters)
    template, skipped = expand(template, decoded.marks, file)
    result = parse_template(template, file, text, decoded.marks)
    result.model.unresolved.extend(
        Unresolved(file, loop.location.line, loop.key, loop.expression, loop.why)
        for loop in skipped
    )
    result.model.directives.extend(comment_suppressions(text, file))
    return plain(result)  # the boundary: the result goes to the main process and the cache


def _with_parameters(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The template with the given values as the defaults of the parameters it declares
    (a value given as at deploy: resolution reads it like a Default)."""
    declared = template.get("Parameters")
    if not isinstance(declared, dict):
        return template
    overridden = {
        name: {**param, "Default": values[name]}
        if isinstance(param, dict) and name in values
        else param
        for name, param in declared.items()
    }
    return {**template, "Parameters": overridden}


def comment_suppressions(text: str, file: str) -> list[Directive]:
    """The suppression comments in a template's text (a decoded template has no comments;
    the cfn-lint pack reads them from the file cfn-lint decoded)."""
    return comment_directives(text, file, ("#",))


def parse_template(
    template: dict[str, Any], file: str, text: str | None = None, marks: Marks | None = None
) -> ParseResult:
    """Translate a decoded template into the model: plain values with their ``marks``
    (the CLI's reader), or cfn-lint's nodes (the rule pack). ``text`` is the template's
    text, to locate what is written inside strings (policies given as JSON text)."""
    result = ParseResult()
    result.scanned.append(file)
    reader = _TemplateReader(template, file, result, text, marks)
    reader.read()
    return result


_Handler = Callable[["_TemplateReader", Node, str, str], None]


class _TemplateReader:
    def __init__(
        self,
        template: dict[str, Any],
        file: str,
        result: ParseResult,
        text: str | None,
        marks: Marks | None,
    ) -> None:
        self.file = file
        self.source = SourceText(text, file) if text is not None else None
        self.result = result
        self.model: Model = result.model
        self.cfn = Intrinsics(template, file, marks)
        self.root = Node(template, (), Location(file, 1, 1))
        self.names: dict[tuple[PrincipalKind, str], str] = {}

    def read(self) -> None:
        try:
            self.metadata_directives(self.root, None)
        except DocumentProblem as problem:
            self.problem("Metadata", problem)
        self._drain("Metadata")
        resources = self.cfn.child(self.root, "Resources")
        if resources is None:
            return
        if not isinstance(resources.value, dict):
            message = "Resources must be a mapping of logical ids to resources"
            self.problem(None, DocumentProblem(message, resources.location))
            return
        self.model.resources += len(resources.value)
        entries: list[tuple[str, Node, str]] = []
        for logical_id in resources.value:
            if str(logical_id).startswith("Fn::"):
                continue  # Fn::ForEach: expanded before (the CLI) or by cfn-lint (the pack)
            resource = self.cfn.entry(resources, str(logical_id))
            kind = self._resource_type(str(logical_id), resource)
            if resource is not None and kind in _HANDLERS:
                entries.append((str(logical_id), resource, kind))
                self._remember_name(str(logical_id), resource, kind)
        for logical_id, resource, kind in entries:
            self.model.blocks.append(Block(logical_id, resource.location))
            try:
                self.metadata_directives(resource, resource.location)
                _HANDLERS[kind](self, resource, logical_id, kind)
            except DocumentProblem as problem:
                self.problem(logical_id, problem)
            except RecursionError:
                where = resource.location
                self.problem(logical_id, DocumentProblem(nested_too_deeply(), where))
            except Exception as exc:  # a bug on one resource must not lose the others
                message = f"internal error while reading it: {type(exc).__name__}: {exc}"
                self.problem(logical_id, DocumentProblem(message, resource.location))
            self._drain(logical_id)

    def _resource_type(self, logical_id: str, resource: Node | None) -> str | None:
        """The resource's Type; a resource without a usable one is an error."""
        if resource is None or not isinstance(resource.value, dict):
            where = resource.location if resource is not None else self.root.location
            self.problem(logical_id, DocumentProblem("a resource must be a mapping", where))
            return None
        kind = self.cfn.child(resource, "Type")
        if kind is None:
            self.problem(logical_id, DocumentProblem("the resource has no Type", resource.location))
            return None
        if isinstance(kind.value, dict) and str(next(iter(kind.value), "")).startswith(
            ("Fn::Rain::", "Rain::")
        ):
            # Rain's module source (``Type: !Rain::Module ./bucket.yaml``, in JSON
            # ``{"Rain::Module": …}``): rain expands it before deploy, so it is not a
            # resource CloudFormation ever sees
            self.model.unresolved.append(
                Unresolved(
                    self.file,
                    kind.location.line,
                    logical_id,
                    Intrinsics.source(kind.value),
                    "a Rain module, expanded by rain before deploy; not checked",
                )
            )
            return None
        if not isinstance(kind.value, str):
            self.problem(logical_id, DocumentProblem("Type must be a string", kind.location))
            return None
        return str(kind.value)  # a plain str, not the decoder's node

    def _drain(self, where: str) -> None:
        """Report the malformed values the resolver met, once each."""
        seen: set[tuple[str, int, int]] = set()
        for found in self.cfn.problems:
            key = (found.message, found.location.line, found.location.column)
            if key not in seen:
                seen.add(key)
                self.problem(where, DocumentProblem(found.message, found.location))
        self.cfn.problems.clear()

    def problem(self, where: str | None, problem: DocumentProblem) -> None:
        """An error at the problem's place, naming the resource (``where``) if any."""
        loc = problem.location
        message = f"{where}: {problem.message}" if where else problem.message
        self.result.errors.append(ParseError(self.file, message, loc.line, loc.column))

    # -- helpers ---------------------------------------------------------------------

    def metadata_directives(self, owner: Node, covers: Location | None) -> None:
        """``Metadata: {iacguard: {ignore: [{rule: IG002, reason: ...}]}}`` on the template
        (``covers`` None: the whole file) or on a resource."""
        metadata = self.cfn.child(owner, "Metadata")
        settings = self.cfn.child(metadata, "iacguard") if metadata is not None else None
        if settings is None:
            return
        ignore = self.cfn.child(settings, "ignore")
        if (
            not isinstance(settings.value, dict)
            or ignore is None
            or not isinstance(ignore.value, list)
        ):
            raise DocumentProblem(
                "Metadata iacguard must be {ignore: [{rule: ..., reason: ...}]}", settings.location
            )
        for index in range(len(ignore.value)):
            entry = self.cfn.child(ignore, index)
            assert entry is not None
            rule = entry.value.get("rule") if isinstance(entry.value, dict) else None
            if not isinstance(rule, str):
                raise DocumentProblem(
                    "each Metadata iacguard ignore entry needs a rule", entry.location
                )
            reason = entry.value.get("reason")
            self.model.directives.append(
                Directive(
                    "metadata",
                    (str(rule),),
                    str(reason) if reason else None,
                    entry.location,
                    covers,
                )
            )

    def properties(self, resource: Node) -> Node:
        props = self.cfn.child(resource, "Properties")
        if props is None:
            return Node({}, (*resource.path, "Properties"), resource.location)
        if not isinstance(props.value, dict):
            raise DocumentProblem("Properties must be a mapping", props.location)
        return props

    def _remember_name(self, logical_id: str, resource: Node, kind: str) -> None:
        """Map literal IAM names to logical ids, so ``Users: [alice]`` finds AliceUser."""
        principal_kind, name_key = _NAME_PROPERTY.get(kind, (None, None))
        if principal_kind is None or name_key is None:
            return
        props = resource.value.get("Properties")
        if isinstance(props, dict) and isinstance(props.get(name_key), str):
            self.names[(principal_kind, str(props[name_key]))] = logical_id

    def name(self, props: Node, key: str) -> Value | None:
        node = self.cfn.child(props, key)
        if node is None:
            return None
        values = self.cfn.alternatives(node)
        return values[0] if values else None

    def refs(self, props: Node, key: str, kind: PrincipalKind) -> list[PrincipalRef]:
        """The principals a property names: a list (``Users``) or a single name (``UserName``)."""
        node = self.cfn.child(props, key)
        if node is None:
            return []
        return [self.ref(item, kind) for item in self.cfn.items(node)]

    def governed(self, props: Node, key: str) -> str:
        """How a message names the resource(s) a policy governs: the logical ids that
        ``key`` refers to (``!Ref Bucket``, a list of ``!Ref``), else the values written."""
        node = self.cfn.child(props, key)
        if node is None:
            return "?"
        names = []
        for item in self.cfn.items(node):
            target = _target(item.value, self.cfn.resources)
            if target is None:
                values = self.cfn.alternatives(item, listed=True)
                target = ", ".join(
                    str(v.value) if isinstance(v, Scalar) else v.expression for v in values
                )
            names.append(target)
        return ", ".join(dict.fromkeys(names)) or "?"

    def ref(self, node: Node, kind: PrincipalKind) -> PrincipalRef:
        value = node.value
        target = None
        if isinstance(value, dict) and len(value) == 1:
            if isinstance(value.get("Ref"), str) and value["Ref"] in self.cfn.resources:
                target = str(value["Ref"])  # a plain str: the decoder's node does not pickle
            getatt = value.get("Fn::GetAtt")
            if isinstance(getatt, list) and getatt and getatt[0] in self.cfn.resources:
                target = str(getatt[0])
        if target is not None:
            return PrincipalRef(kind, node.location, target=target, scope=self.file)
        values = self.cfn.alternatives(node, listed=isinstance(node.path[-1], int))
        name = values[0] if values else None
        if isinstance(name, Scalar):
            target = self.names.get((kind, str(name.value)))
        return PrincipalRef(kind, node.location, target=target, name=name, scope=self.file)

    def policy(
        self,
        kind: PolicyKind,
        document: Node | None,
        logical_id: str,
        resource_type: str,
        location: Location,
        *,
        name: Value | None = None,
        embedded_in: tuple[PrincipalRef, ...] = (),
        governs: str | None = None,
    ) -> None:
        """Record a policy; a malformed document is an error that costs this policy
        alone, never the rest of its resource (a user's groups, its other policies)."""
        policy = Policy(
            kind,
            logical_id,
            resource_type,
            location,
            name=name,
            embedded_in=embedded_in,
            governs=governs,
            scope=self.file,
        )
        if document is not None:
            try:
                readable = self._document(document)
                if isinstance(readable, Unknown):
                    policy.document = readable
                elif isinstance(readable, list):
                    policy.statements = readable
                elif readable.value != {}:  # an empty document grants nothing
                    policy.statements = read_statements(self.cfn, readable)
            except DocumentProblem as problem:
                self.problem(logical_id, problem)
                return
        self.model.policies.append(policy)

    def _document(self, node: Node) -> Node | Unknown | list[Statement]:
        """A policy document is a mapping, or (for ``Json`` properties) a JSON string,
        possibly built with ``Fn::Sub``/``Fn::Join``: its statements then, located
        inside the string by the JSON reader Terraform's policy text goes through."""
        if isinstance(node.value, dict) and not _is_intrinsic(node.value):
            return node
        if isinstance(node.value, dict) and next(iter(node.value)) == "Fn::If":
            return node
        values = self.cfn.alternatives(node)
        if len(values) != 1 or not isinstance(values[0], Scalar):
            return self.cfn.unknown(node, "the policy document is built at deploy time")
        text = str(values[0].value)
        if not text.lstrip().startswith("{"):
            return self.cfn.unknown(node, "the policy document is a string that is not JSON")
        from iacguard.parsers.terraform_documents import read_policy
        from iacguard.resolve.terraform_values import Located

        located = Located(text, node.location, node.when, text_map=self._text_map(node, text))
        statements, unknowns = read_policy(located, self.cfn.problems)
        return unknowns[0] if unknowns and not statements else statements

    def _text_map(self, node: Node, text: str) -> TextMap | None:
        """Where the characters of a policy's JSON text are written, if that can be told."""
        if self.source is None:
            return None
        if isinstance(node.value, str):
            return self.source.string_map(text, node.location)
        pieces = self.cfn.sub_pieces(node)
        if pieces is None:
            return None
        template, literal = pieces
        template_map = self.source.string_map(template.value, template.location)
        if template_map is None:
            return None
        parts: list[tuple[int, TextMap]] = []
        offset = 0
        for start, end, value in literal:
            if value is None:
                piece = template_map.sliced(start)
                within = tuple(a for a in piece.anchors if a.offset < end - start)
                parts.append((offset, TextMap(within)))
                offset += end - start
            else:
                parts.append((offset, TextMap.fixed(template_map.location(start, end))))
                offset += len(value)
        return join_maps(parts)

    def inline_policies(
        self, props: Node, logical_id: str, resource_type: str, owner: PrincipalRef
    ) -> None:
        policies = self.cfn.child(props, "Policies")
        if policies is None:
            return
        for entry in self.cfn.items(policies):
            if not isinstance(entry.value, dict):
                message = "each Policies entry must be a mapping"
                self.problem(logical_id, DocumentProblem(message, entry.location))
                continue
            self.policy(
                "inline",
                self.cfn.child(entry, "PolicyDocument"),
                logical_id,
                resource_type,
                entry.location,
                name=self.name(entry, "PolicyName"),
                embedded_in=(owner,),
            )

    def managed_policy_arns(
        self, props: Node, logical_id: str, resource_type: str, owner: PrincipalRef
    ) -> None:
        arns = self.cfn.child(props, "ManagedPolicyArns")
        if arns is None:
            return
        for item in self.cfn.items(arns):
            self.attach(owner, item, logical_id, resource_type)

    def attach(self, owner: PrincipalRef, item: Node, logical_id: str, resource_type: str) -> None:
        self.model.attachments.extend(self.attachments(owner, item, logical_id, resource_type))

    def attachments(
        self, owner: PrincipalRef, item: Node, logical_id: str, resource_type: str
    ) -> list[Attachment]:
        """One attachment per alternative of the policy ARN ``item``."""
        values = self.cfn.alternatives(item, listed=True)
        policy_target = None
        value = item.value
        if (
            isinstance(value, dict)
            and isinstance(value.get("Ref"), str)
            and value["Ref"] in self.cfn.resources
        ):
            policy_target = str(value["Ref"])
        return [
            Attachment(
                owner, arn, logical_id, resource_type, item.location, policy_target=policy_target
            )
            for arn in values
        ]

    def principal(
        self,
        kind: PrincipalKind,
        resource: Node,
        logical_id: str,
        resource_type: str,
        name_key: str,
    ) -> tuple[Node, PrincipalRef]:
        """Record the principal a resource declares; return its properties and a
        reference to it for the policies, attachments and memberships it declares."""
        props = self.properties(resource)
        name = self.name(props, name_key)
        self.model.principals.append(
            Principal(
                kind, logical_id, resource_type, resource.location, name=name, scope=self.file
            )
        )
        me = PrincipalRef(kind, resource.location, target=logical_id, name=name, scope=self.file)
        return props, me


# -- resource handlers ---------------------------------------------------------------------


def _user(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("user", resource, logical_id, kind, "UserName")
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)
    _boundary(reader, props, logical_id, kind, me)
    login_profile(reader, props, logical_id, me)
    groups = reader.cfn.child(props, "Groups")
    if groups is not None:
        for item in reader.cfn.items(groups):
            group = reader.ref(item, "group")
            reader.model.memberships.append(Membership(me, group, logical_id, kind, item.location))


def _group(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("group", resource, logical_id, kind, "GroupName")
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)


def _role(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("role", resource, logical_id, kind, "RoleName")
    _session(reader, props, "MaxSessionDuration")
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)
    _boundary(reader, props, logical_id, kind, me)
    trust = reader.cfn.entry(props, "AssumeRolePolicyDocument")
    if trust is not None:
        reader.policy("trust", trust, logical_id, kind, trust.location, embedded_in=(me,))


def _boundary(
    reader: _TemplateReader, props: Node, logical_id: str, kind: str, me: PrincipalRef
) -> None:
    """``PermissionsBoundary``: recorded on the principal, not as an attachment."""
    node = reader.cfn.child(props, "PermissionsBoundary")
    if node is None:
        return
    boundaries = reader.attachments(me, node, logical_id, kind)
    reader.model.principals[-1].boundary = boundaries[0] if boundaries else None


def _session(reader: _TemplateReader, props: Node, key: str) -> None:
    """``MaxSessionDuration`` (seconds) or ``SessionDuration`` (ISO 8601); a value of
    the wrong form is an error, not a value."""
    node = reader.cfn.child(props, key)
    if node is None:
        return
    principal = reader.model.principals[-1]
    durations = []
    for value in reader.cfn.alternatives(node):
        seconds = session_seconds(key, value, iso=key == "SessionDuration")
        if isinstance(seconds, str):
            reader.cfn.problems.append(Problem(seconds, value.location))
        else:
            durations.append(seconds)
    principal.session_duration = tuple(durations)


def _permission_set(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("permission_set", resource, logical_id, kind, "Name")
    _session(reader, props, "SessionDuration")
    inline = reader.cfn.child(props, "InlinePolicy")
    if inline is not None:
        reader.policy("inline", inline, logical_id, kind, inline.location, embedded_in=(me,))
    managed = reader.cfn.child(props, "ManagedPolicies")
    if managed is not None:
        for item in reader.cfn.items(managed):
            reader.attach(me, item, logical_id, kind)


def _policy(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    owners = tuple(
        ref
        for key, principal_kind in _OWNER_KEYS[kind]
        for ref in reader.refs(props, key, principal_kind)
    )
    reader.policy(
        "inline",
        reader.cfn.child(props, "PolicyDocument"),
        logical_id,
        kind,
        resource.location,
        name=reader.name(props, "PolicyName"),
        embedded_in=owners,
    )


def _managed_policy(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    reader.policy(
        "managed",
        reader.cfn.child(props, "PolicyDocument"),
        logical_id,
        kind,
        resource.location,
        name=reader.name(props, "ManagedPolicyName"),
    )
    arn = Unknown(f"!Ref {logical_id}", "managed policy ARN", resource.location)
    for key, principal_kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
        node = reader.cfn.child(props, key)
        if node is None:
            continue
        for item in reader.cfn.items(node):
            principal = reader.ref(item, principal_kind)  # type: ignore[arg-type]
            reader.model.attachments.append(
                Attachment(
                    principal, arn, logical_id, kind, item.location, policy_target=logical_id
                )
            )


def _user_to_group(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    groups = reader.refs(props, "GroupName", "group")
    group = groups[0] if groups else PrincipalRef("group", resource.location)
    for user in reader.refs(props, "Users", "user"):
        reader.model.memberships.append(Membership(user, group, logical_id, kind, user.location))


def _serverless(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    """SAM ``Policies``: a managed policy name/ARN, a list of them, inline documents
    (``Statement``) and SAM policy templates (``{S3ReadPolicy: {...}}``)."""
    props = reader.properties(resource)
    policies = reader.cfn.child(props, "Policies")
    if policies is None:
        return
    role = PrincipalRef(
        "role", resource.location, name=Scalar(f"{logical_id}Role", resource.location)
    )
    for item in _sam_policy_items(reader, policies):
        if isinstance(item.value, dict) and "Statement" in item.value:
            reader.policy("inline", item, logical_id, kind, item.location, embedded_in=(role,))
        elif (
            isinstance(item.value, dict) and len(item.value) == 1 and not _is_intrinsic(item.value)
        ):
            _sam_template(reader, item, logical_id, kind, role)
        else:
            reader.attach(role, item, logical_id, kind)


def _resource_policy(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    document_key, governed_key = RESOURCE_POLICIES[kind]
    props = reader.properties(resource)
    document = reader.cfn.entry(props, document_key)
    if document is None:
        return
    governs = reader.governed(props, governed_key) if governed_key else logical_id
    reader.policy("resource", document, logical_id, kind, document.location, governs=governs)


def _lambda_permission(reader: _TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    conditions = {
        name: reader.name(props, key)
        for name, key in (
            ("source_arn", "SourceArn"),
            ("source_account", "SourceAccount"),
            ("principal_org_id", "PrincipalOrgID"),
        )
    }
    statement = permission_statement(
        resource.location,
        reader.name(props, "Action"),
        reader.name(props, "Principal"),
        conditions,
    )
    policy = Policy(
        "resource",
        logical_id,
        kind,
        resource.location,
        statements=[statement],
        governs=reader.governed(props, "FunctionName"),
        scope=reader.file,
    )
    reader.model.policies.append(policy)


def _sam_template(
    reader: _TemplateReader, item: Node, logical_id: str, kind: str, role: PrincipalRef
) -> None:
    """A SAM policy template is read as the statements it expands to, located at its
    entry; a template this SAM does not know is recorded by name."""
    from iacguard.parsers.sam_policy_templates import TemplateProblem, expand

    template_name = str(next(iter(item.value)))
    name = Scalar(template_name, item.location, item.when)
    try:
        document = expand(template_name, item.value[template_name])
    except TemplateProblem as problem:
        reader.problem(logical_id, DocumentProblem(str(problem), item.location))
        return
    if document is None:
        reader.model.policies.append(
            Policy("sam_template", logical_id, kind, item.location, name=name, embedded_in=(role,))
        )
        return
    expanded = Node(document, (*item.path, template_name), item.location, item.when)
    reader.policy(
        "inline", expanded, logical_id, kind, item.location, name=name, embedded_in=(role,)
    )


def _sam_policy_items(reader: _TemplateReader, policies: Node) -> Iterator[Node]:
    for shape in reader.cfn.branches(policies):
        if isinstance(shape.value, dict) and "Statement" in shape.value:
            yield shape
        else:
            yield from reader.cfn.items(shape)


def _target(value: Any, resources: dict[str, Any]) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` names, if it is a resource of the template."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ref = value.get("Ref")
    if isinstance(ref, str) and ref in resources:
        return ref
    getatt = value.get("Fn::GetAtt")
    if isinstance(getatt, str):
        getatt = getatt.split(".", 1)
    if isinstance(getatt, list) and getatt and getatt[0] in resources:
        return str(getatt[0])
    return None


def _is_intrinsic(value: dict[str, Any]) -> bool:
    key = next(iter(value), None)
    return len(value) == 1 and isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


_OWNER_KEYS: dict[str, tuple[tuple[str, PrincipalKind], ...]] = {
    "AWS::IAM::Policy": (("Users", "user"), ("Groups", "group"), ("Roles", "role")),
    "AWS::IAM::UserPolicy": (("UserName", "user"),),
    "AWS::IAM::GroupPolicy": (("GroupName", "group"),),
    "AWS::IAM::RolePolicy": (("RoleName", "role"),),
}

_NAME_PROPERTY: dict[str, tuple[PrincipalKind, str]] = {
    "AWS::IAM::User": ("user", "UserName"),
    "AWS::IAM::Group": ("group", "GroupName"),
    "AWS::IAM::Role": ("role", "RoleName"),
}

_HANDLERS: dict[str, _Handler] = {
    "AWS::IAM::User": _user,
    "AWS::IAM::Group": _group,
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::UserPolicy": _policy,
    "AWS::IAM::GroupPolicy": _policy,
    "AWS::IAM::RolePolicy": _policy,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::UserToGroupAddition": _user_to_group,
    "AWS::IAM::AccessKey": user_credential,
    "AWS::IAM::ServiceSpecificCredential": user_credential,
    "AWS::SSO::PermissionSet": _permission_set,
    "AWS::Serverless::Function": _serverless,
    "AWS::Serverless::StateMachine": _serverless,
    _LAMBDA_PERMISSION: _lambda_permission,
    **{kind: _resource_policy for kind in RESOURCE_POLICIES},
}
