"""``data "aws_iam_policy_document"`` and policy text of every form → statements.

A document is a policy of kind ``document``, reported once where it is written: a
policy that uses its ``.json`` refers to it and does not copy its statements, so a
statement is never reported once per consumer. ``source_policy_documents`` and
``override_policy_documents`` merge as in Terraform: statements written in the
document itself are read there; those of other documents stay with their document,
but an override still removes the statement it replaces.
"""

from __future__ import annotations

from iacguard.model import Policy, Scalar, Statement, Unknown
from iacguard.parsers.located_json import JsonProblem, decode
from iacguard.parsers.model_builder import ModelBuilder
from iacguard.parsers.policy_document import DocumentProblem, read_statement, read_statements
from iacguard.records import replace
from iacguard.resolve.hcl import Block
from iacguard.resolve.node import Problem
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_scope import Resource, Scope
from iacguard.resolve.terraform_values import (
    Choice,
    DocumentRef,
    Located,
    StatementNode,
    TfValue,
    ValueResolver,
    options,
    scalars,
)
from iacguard.text_map import TextMap


def read_policy(
    document: TfValue, problems: list[Problem]
) -> tuple[list[Statement], list[Unknown]]:
    """The statements written in ``document`` (JSON text or a ``jsonencode`` tree), and
    the parts that cannot be known; documents it refers to report their own. Malformed
    parts go to ``problems``."""
    resolver = ValueResolver()
    statements: list[Statement] = []
    unknowns: list[Unknown] = []
    for option in options(document):
        if isinstance(option, DocumentRef):
            continue
        tree = option if isinstance(option, Unknown) else _tree(option)
        if isinstance(tree, Unknown):
            unknowns.append(tree)
            continue
        statements.extend(read_statements(resolver, resolver.node(tree)))
    problems.extend(resolver.problems)
    return statements, unknowns + resolver.unknowns


def document_refs(*documents: TfValue) -> tuple[str, ...]:
    """The addresses of the policy documents ``documents`` use by reference."""
    return tuple(
        option.address
        for document in documents
        for option in options(document)
        if isinstance(option, DocumentRef)
    )


class PolicyDocuments:
    """The policy documents of one root module and its module calls, built on demand
    (a document that overrides another needs the other first)."""

    def __init__(self, evaluator: Evaluator, builder: ModelBuilder) -> None:
        self.evaluator = evaluator
        self.builder = builder
        self.problems: list[Problem] = []  # the caller reports them, for the document
        self.resources: dict[str, Resource] = {}
        self.built: dict[str, Policy | None] = {}

    def add(self, resource: Resource) -> None:
        self.resources[resource.address] = resource

    def build(self, address: str) -> Policy | None:
        """The document at ``address``, built once (documents that override it first)."""
        if address in self.built:
            return self.built[address]
        self.built[address] = None  # a document that names itself reads as empty
        resource = self.resources.get(address)
        if resource is None:
            return None
        statements, unknowns = self._merged_statements(resource)
        uses = document_refs(
            *self._listed(resource, "source_policy_documents"),
            *self._listed(resource, "override_policy_documents"),
        )
        for unknown in unknowns:
            self.builder.unresolved(unknown, address)
        policy = self.builder.policy(
            "document",
            address,
            resource.type,
            resource.block.location,
            statements=statements,
            uses=uses,
        )
        self.built[address] = policy
        return policy

    def _merged_statements(self, resource: Resource) -> tuple[list[Statement], list[Unknown]]:
        """Terraform's merge: source documents, then the statement blocks (replacing
        source statements with the same Sid), then override documents (replacing any
        statement with the same Sid). Statements of other data documents stay there."""
        unknowns: list[Unknown] = []
        merged: list[Statement] = []
        for source in self._listed(resource, "source_policy_documents"):
            found, missing = self._listed_statements(source)
            merged.extend(found)
            unknowns.extend(missing)
        blocks, dynamic_unknowns = self.evaluator.nested(
            resource.block, "statement", resource.scope
        )
        unknowns.extend(dynamic_unknowns)
        resolver = ValueResolver(_BLOCK_NAMES)
        for index, (block, scope) in enumerate(blocks):
            tree = self._statement_tree(block, scope)
            node = StatementNode(tree.value, ("statement", index), block.location, tree.when)
            statement = read_statement(resolver, node, index)
            merged = [s for s in merged if not (s.sid and s.sid == statement.sid)]
            merged.append(statement)
        unknowns.extend(resolver.unknowns)
        self.problems.extend(resolver.problems)
        for override in self._listed(resource, "override_policy_documents"):
            found, missing = self._listed_statements(override)
            unknowns.extend(missing)
            sids = {s.sid for s in found if s.sid}
            if isinstance(override, DocumentRef):
                referred = self.build(override.address)
                sids |= {s.sid for s in (referred.statements if referred else []) if s.sid}
            merged = [s for s in merged if s.sid not in sids] + found
        for index, statement in enumerate(merged):
            statement.index = index
        return merged, unknowns

    def _listed(self, resource: Resource, name: str) -> list[TfValue]:
        value = self.evaluator.attribute(resource.block, name, resource.scope)
        if value is None:
            return []
        listed: list[TfValue] = []
        for option in options(value):
            if isinstance(option, Located) and isinstance(option.value, list):
                listed.extend(option.value)
            else:
                listed.append(option)
        return listed

    def _listed_statements(self, document: TfValue) -> tuple[list[Statement], list[Unknown]]:
        if isinstance(document, DocumentRef):
            return [], []
        return read_policy(document, self.problems)

    def _statement_tree(self, block: Block, scope: Scope) -> Located:
        """A ``statement`` block as the JSON statement it stands for."""
        entries: dict[str, TfValue] = {"Effect": Located("Allow", block.location)}
        keys = {
            "sid": "Sid",
            "effect": "Effect",
            "actions": "Action",
            "not_actions": "NotAction",
            "resources": "Resource",
            "not_resources": "NotResource",
        }
        for attribute, key in keys.items():
            value = self.evaluator.attribute(block, attribute, scope)
            if value is not None:
                entries[key] = _allow_if_null(value) if key == "Effect" else value
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = self._principals(block, kind, scope)
            if principals is not None:
                entries[key] = principals
        conditions = self._conditions(block, scope)
        if conditions is not None:
            entries["Condition"] = conditions
        return Located(entries, block.location)

    def _principals(self, block: Block, kind: str, scope: Scope) -> Located | None:
        blocks, _ = self.evaluator.nested(block, kind, scope)
        if not blocks:
            return None
        grouped: dict[str, list[TfValue]] = {}
        for child, child_scope in blocks:
            principal_type = self.evaluator.attribute(child, "type", child_scope)
            identifiers = self.evaluator.attribute(child, "identifiers", child_scope)
            types = scalars(principal_type) if principal_type is not None else []
            key = str(types[0].value) if len(types) == 1 and isinstance(types[0], Scalar) else "*"
            if identifiers is not None:
                grouped.setdefault(key, []).append(identifiers)
        merged = {key: _concatenated(values) for key, values in grouped.items()}
        return Located(merged, blocks[0][0].location)

    def _conditions(self, block: Block, scope: Scope) -> Located | None:
        blocks, _ = self.evaluator.nested(block, "condition", scope)
        if not blocks:
            return None
        operators: dict[str, TfValue] = {}
        for child, child_scope in blocks:
            test = self.evaluator.attribute(child, "test", child_scope)
            variable = self.evaluator.attribute(child, "variable", child_scope)
            values = self.evaluator.attribute(child, "values", child_scope)
            if test is None or variable is None or values is None:
                continue
            operator = next(iter(scalars(test)), None)
            key = next(iter(scalars(variable)), None)
            if isinstance(operator, Scalar) and isinstance(key, Scalar):
                entry = operators.setdefault(str(operator.value), Located({}, child.location))
                assert isinstance(entry, Located)
                written = entry.value.get(str(key.value))
                entry.value[str(key.value)] = (
                    values if written is None else _concatenated([written, values])
                )
        return Located(operators, blocks[0][0].location)


# A statement block's attributes, by the JSON key they stand for (for messages).
_BLOCK_NAMES = {
    "Sid": "sid",
    "Effect": "effect",
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
}


def _concatenated(values: list[TfValue]) -> TfValue:
    """The values of several blocks that write the same principal type or condition key,
    as Terraform merges them: one list of every element."""
    if len(values) == 1:
        return values[0]
    items: list[TfValue] = []
    for value in values:
        if isinstance(value, Located) and isinstance(value.value, list):
            items.extend(value.value)
        else:
            items.append(value)
    return Located(items, values[0].location)


def _allow_if_null(effect: TfValue) -> TfValue:
    """An effect that is null under some condition is Allow then, as when it is unset."""
    if not isinstance(effect, Choice):
        return effect
    return Choice(
        tuple(
            replace(o, value="Allow") if isinstance(o, Located) and o.value is None else o
            for o in options(effect)
        ),
        effect.location,
    )


def _tree(value: Located) -> TfValue:
    """A policy given as JSON text becomes a tree located inside that text."""
    if not isinstance(value.value, str):
        return value
    text_map = value.text_map or TextMap.fixed(value.location)
    try:
        return decode(value.value, text_map, value.holes, unique_keys=True)
    except JsonProblem as problem:
        if value.holes:
            first = value.holes[0]
            return Unknown(
                first.expression,
                f"the policy is JSON with unknown parts: {first.why}",
                value.location,
            )
        raise DocumentProblem(
            f"the policy text: {problem.message}"
            if problem.kind == "limit"
            else f"the policy is not valid JSON: {problem.message}",
            problem.location,
            problem.kind,
        ) from None
