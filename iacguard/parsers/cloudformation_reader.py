"""A decoded CloudFormation template's resources → the model.

``TemplateReader`` walks the resources and reads each through its handler
(``cloudformation_resources``); it holds what handlers share: properties, names,
references to principals, policies and their attachments, all added through the
``ModelBuilder``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from iacguard.model import (
    Attachment,
    Directive,
    Location,
    Model,
    PolicyKind,
    PrincipalKind,
    PrincipalRef,
    Scalar,
    Statement,
    Unknown,
    Value,
)
from iacguard.parsers import ParseResult
from iacguard.parsers.cloudformation_policy_text import document_of
from iacguard.parsers.cloudformation_resources import HANDLERS, NAME_PROPERTY
from iacguard.parsers.model_builder import ModelBuilder
from iacguard.parsers.policy_document import DocumentProblem, read_statements
from iacguard.parsers.template_strings import SourceText
from iacguard.resolve.cloudformation import Intrinsics
from iacguard.resolve.marks import Marks
from iacguard.resolve.node import Node


class TemplateReader:
    """Reads one decoded template's resources into the model, through the builder."""

    def __init__(
        self,
        template: dict[str, Any],
        file: str,
        result: ParseResult,
        text: str | None,
        marks: Marks | None,
        *,
        paths: bool = True,
    ) -> None:
        self.file = file
        self.source = SourceText(text, file) if text is not None else None
        self.builder = ModelBuilder(result, file)
        self.model: Model = result.model
        self.cfn = Intrinsics(template, file, marks, paths=paths)
        self.root = Node(template, (), Location(file, 1, 1))

    def read(self) -> None:
        try:
            self.metadata_directives(self.root, None)
        except DocumentProblem as problem:
            self.problem("Metadata", problem)
        self.builder.drain("Metadata", self.cfn.problems)
        resources = self.cfn.child(self.root, "Resources")
        if resources is None:
            return
        if not isinstance(resources.value, dict):
            message = "Resources must be a mapping of logical ids to resources"
            self.problem(None, DocumentProblem(message, resources.location))
            return
        self.model.resources += len(resources.value)
        entries: list[tuple[str, Node, str]] = []
        for logical_id, body in resources.value.items():
            if str(logical_id).startswith("Fn::"):
                continue  # Fn::ForEach: expanded before (the CLI) or by cfn-lint (the pack)
            kind = body.get("Type") if isinstance(body, dict) else None
            if isinstance(kind, str) and kind not in HANDLERS:
                continue  # most: a type no handler reads, so nothing to locate
            resource = self.cfn.entry(resources, str(logical_id))
            kind = self._resource_type(str(logical_id), resource)
            if resource is not None and kind in HANDLERS:
                entries.append((str(logical_id), resource, kind))
                self._remember_name(str(logical_id), resource, kind)
        for logical_id, resource, kind in entries:
            read = partial(self._read_resource, resource, logical_id, kind)
            path = _construct_path(resource.value)
            self.builder.read(logical_id, resource.location, read, self.cfn.problems, path)

    def _read_resource(self, resource: Node, logical_id: str, kind: str) -> None:
        self.metadata_directives(resource, resource.location)
        HANDLERS[kind](self, resource, logical_id, kind)

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
            why = "a Rain module, expanded by rain before deploy; not checked"
            self.builder.unresolved(
                Unknown(Intrinsics.source(kind.value), why, kind.location), logical_id
            )
            return None
        if not isinstance(kind.value, str):
            self.problem(logical_id, DocumentProblem("Type must be a string", kind.location))
            return None
        return str(kind.value)  # a plain str, not the decoder's node

    def problem(self, where: str | None, problem: DocumentProblem) -> None:
        """An error at the problem's place, naming the resource (``where``) if any."""
        self.builder.problem(where, problem.message, problem.location, problem.kind)

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
        """Literal IAM names, known before any resource is read, so ``Users: [alice]``
        finds AliceUser wherever it is written."""
        principal_kind, name_key = NAME_PROPERTY.get(kind, (None, None))
        if principal_kind is None or name_key is None:
            return
        props = resource.value.get("Properties")
        if isinstance(props, dict) and isinstance(props.get(name_key), str):
            self.builder.known_as(principal_kind, str(props[name_key]), logical_id)

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
            return self.builder.ref(kind, node.location, target=target)
        values = self.cfn.alternatives(node, listed=isinstance(node.path[-1], int))
        return self.builder.named(kind, values[0] if values else None, node.location)

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
        unknown: Unknown | None = None
        statements: list[Statement] = []
        if document is not None:
            try:
                readable = document_of(self.cfn, self.source, document)
                if isinstance(readable, Unknown):
                    unknown = readable
                elif isinstance(readable, list):
                    statements = readable
                elif readable.value != {}:  # an empty document grants nothing
                    statements = read_statements(self.cfn, readable)
            except DocumentProblem as problem:
                self.problem(logical_id, problem)
                return
        self.builder.policy(
            kind,
            logical_id,
            resource_type,
            location,
            name=name,
            statements=statements,
            document=unknown,
            embedded_in=embedded_in,
            governs=governs,
        )

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
        self.builder.attach(self.attachments(owner, item, logical_id, resource_type))

    def attachments(
        self, owner: PrincipalRef, item: Node, logical_id: str, resource_type: str
    ) -> list[Attachment]:
        """One attachment per alternative of the policy ARN ``item``."""
        values = self.cfn.alternatives(item, listed=True)
        return self.builder.attachments(
            owner,
            values,
            logical_id,
            resource_type,
            item.location,
            policy_target=self._policy_target(item),
        )

    def _policy_target(self, item: Node) -> str | None:
        """The managed policy of the template an ARN refers to (``!Ref Policy``)."""
        value = item.value
        if (
            isinstance(value, dict)
            and isinstance(value.get("Ref"), str)
            and value["Ref"] in self.cfn.resources
        ):
            return str(value["Ref"])
        return None

    def principal(
        self,
        kind: PrincipalKind,
        resource: Node,
        logical_id: str,
        resource_type: str,
        name_key: str,
        *,
        session_key: str | None = None,
    ) -> tuple[Node, PrincipalRef]:
        """Record the principal a resource declares; return its properties and a
        reference to it for the policies, attachments and memberships it declares.
        ``session_key``: ``MaxSessionDuration`` (seconds) or ``SessionDuration`` (ISO 8601)."""
        props = self.properties(resource)
        name = self.name(props, name_key)
        session = self.cfn.child(props, session_key) if session_key else None
        durations = (
            self.builder.sessions(
                logical_id,
                str(session_key),
                self.cfn.alternatives(session),
                iso=session_key == "SessionDuration",
            )
            if session is not None
            else ()
        )
        me = self.builder.principal(
            kind,
            logical_id,
            resource_type,
            resource.location,
            name=name,
            session_duration=durations,
        )
        return props, me


def _construct_path(resource: dict[str, Any]) -> str | None:
    """Where a CDK app defined the resource: its ``aws:cdk:path`` metadata."""
    metadata = resource.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return path if isinstance(path, str) and path else None


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
