"""A policy document as a tree of located nodes → model statements.

Both formats end up here: CloudFormation hands its decoded (``Fn::If``-aware) nodes
through an ``Intrinsics`` resolver; Terraform and bare JSON policy files hand plain
located JSON through the same interface. The IAM policy grammar lives in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from iacguard.model import Condition, Location, Scalar, Statement, Unknown, Value
from iacguard.resolve.node import Node

if TYPE_CHECKING:
    from iacguard.errors import ErrorKind


class Resolver(Protocol):
    """What reading a policy document needs from its format."""

    def child(self, parent: Node, key: str | int) -> Node | None: ...
    def branches(self, node: Node) -> Any: ...
    def items(self, node: Node) -> Any: ...
    def elements(self, node: Node) -> list[Value]: ...
    def alternatives(self, node: Node) -> list[Value]: ...
    def unknown(self, node: Node, why: str) -> Unknown: ...
    def problem(self, node: Node, message: str) -> list[Value]: ...


class DocumentProblem(Exception):
    """A policy document whose shape is wrong (or past a limit: ``kind``); carries where."""

    def __init__(self, message: str, location: Location, kind: ErrorKind = "value") -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.kind = kind


def read_statements(resolver: Resolver, document: Node) -> list[Statement]:
    """The statements of a policy document node (a mapping with ``Statement``)."""
    statements: list[Statement] = []
    for shape in resolver.branches(document):
        if not isinstance(shape.value, dict):
            raise DocumentProblem(
                "a policy document must be a mapping with a Statement", shape.location
            )
        body = resolver.child(shape, "Statement")
        if body is None:
            raise DocumentProblem("the policy document has no Statement", shape.location)
        for index, item in enumerate(resolver.items(body)):
            statements.append(read_statement(resolver, item, index))
    return statements


def read_statement(resolver: Resolver, node: Node, index: int) -> Statement:
    if not isinstance(node.value, dict):
        raise DocumentProblem(
            f"a Statement must be a mapping, not {_kind(node.value)}", node.location
        )
    sid_node = resolver.child(node, "Sid")
    sid = str(sid_node.value) if sid_node is not None and isinstance(sid_node.value, str) else None
    effect_node = resolver.child(node, "Effect")
    effect = resolver.alternatives(effect_node) if effect_node is not None else []
    statement = Statement(
        location=node.location, effect=tuple(effect), sid=sid, index=index, when=node.when
    )
    for key in ("Action", "NotAction"):
        child = resolver.child(node, key)
        if child is not None:
            values = tuple(resolver.elements(child))
            if key == "Action":
                statement.actions = values
            else:
                statement.not_actions = values
            statement.action_location = child.location
    resource = resolver.child(node, "Resource")
    if resource is not None:
        statement.resources = tuple(resolver.elements(resource))
    not_resource = resolver.child(node, "NotResource")
    if not_resource is not None:
        statement.not_resources = tuple(resolver.elements(not_resource))
    principal = resolver.child(node, "Principal")
    if principal is not None:
        statement.principals = _principals(resolver, principal)
        statement.principal_location = principal.location
    not_principal = resolver.child(node, "NotPrincipal")
    if not_principal is not None:
        statement.not_principals = _principals(resolver, not_principal)
        statement.principal_location = not_principal.location
    condition = resolver.child(node, "Condition")
    if condition is not None:
        statement.conditions = tuple(_conditions(resolver, condition))
    return statement


def _principals(resolver: Resolver, node: Node) -> dict[str, tuple[Value, ...]]:
    """``{AWS: [...], Service: ...}`` or ``"*"``, through ``Fn::If`` (whose branches may
    be mappings of different kinds: each value keeps the condition it depends on)."""
    principals: dict[str, list[Value]] = {}
    for shape in resolver.branches(node):
        if not isinstance(shape.value, dict) or _is_function(shape.value):
            principals.setdefault("*", []).extend(resolver.alternatives(shape))
            continue
        for kind in shape.value:
            child = resolver.child(shape, str(kind))
            if child is not None:
                principals.setdefault(str(kind), []).extend(resolver.elements(child))
    return {kind: tuple(values) for kind, values in principals.items()}


def _conditions(resolver: Resolver, node: Node) -> list[Condition]:
    conditions: list[Condition] = []
    for shape in resolver.branches(node):
        if _malformed(shape.value):
            resolver.problem(shape, "Condition must be a mapping of operators to conditions")
        if not isinstance(shape.value, dict) or _is_function(shape.value):
            continue  # a value known only at deploy
        for operator in shape.value:
            block = resolver.child(shape, str(operator))
            if block is None:
                continue
            if _malformed(block.value):
                message = f"Condition {operator} must be a mapping of keys to values"
                resolver.problem(block, message)
            if not isinstance(block.value, dict) or _is_function(block.value):
                continue
            for key in block.value:
                child = resolver.child(block, str(key))
                if child is not None:
                    values = tuple(resolver.elements(child))
                    conditions.append(Condition(str(operator), str(key), values, child.location))
    return conditions


def _malformed(value: Any) -> bool:
    """A scalar or a list where a mapping belongs (not an unresolved value)."""
    return isinstance(value, (str, int, float, bool, list))


def _is_function(value: dict[str, Any]) -> bool:
    return len(value) == 1 and any(k == "Ref" or str(k).startswith("Fn::") for k in value)


def _kind(value: Any) -> str:
    if isinstance(value, Scalar):
        value = value.value
    for kind, name in ((bool, "a boolean"), (str, "a string"), ((int, float), "a number")):
        if isinstance(value, kind):
            return name
    return "a list" if isinstance(value, list) else type(value).__name__
