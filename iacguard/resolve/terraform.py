"""Terraform expressions, evaluated statically inside a module instance.

What resolves: variables (caller inputs, ``-var-file``, ``*.auto.tfvars``,
``terraform.tfvars``, defaults, in Terraform's order), locals, module outputs,
attributes written on other resources (``aws_iam_user.alice.name``), string
interpolation, operators and conditionals, ``for`` expressions, ``count``/``for_each``
instances and the common built-in functions (``iacguard.resolve.terraform_functions``).

What does not is an ``Unknown`` carrying the source text and the reason. A conditional
whose condition is unknown gives both branches (a ``Choice``), each tagged with the
condition, like CloudFormation's ``Fn::If``. Values of variables are located where the
variable is used (as CloudFormation locates a ``Ref`` to a parameter); a value a module
caller passes in also says so (``when``: "called from module.x (main.tf:3)").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from iacguard.model import Location, Scalar, Unknown, Value
from iacguard.resolve.hcl import (
    Attribute,
    Binary,
    Block,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Module,
    Name,
    ObjectExpr,
    Opaque,
    Splat,
    Template,
    TextMap,
    TupleExpr,
    Unary,
)
from iacguard.resolve.terraform_text import concatenate
from iacguard.resolve.terraform_values import (
    Choice,
    DocumentRef,
    Located,
    TfValue,
    choice,
    is_plain,
    options,
    plain,
    relocate,
    scalars,
    text_of,
    with_when,
)

MAX_INSTANCES = 32
MAX_COMBINATIONS = 64
MAX_DEPTH = 48
DOCUMENT_TYPE = "aws_iam_policy_document"
_NAMESPACES = frozenset({"var", "local", "module", "data", "path", "terraform", "self"})
# Attributes whose value is the resource's name (the IAM name is its id).
_NAME_ATTRIBUTES = {"id": "name", "name": "name"}


class Sources(Protocol):
    """What evaluation needs from the parsers: files, templates and JSON."""

    def read(self, path: Path) -> tuple[str, TextMap]: ...
    def template(self, text: str, text_map: TextMap, location: Location) -> Expr: ...
    def json(self, text: str, text_map: TextMap, holes: tuple[Unknown, ...]) -> TfValue: ...


@dataclass(eq=False)
class Instance:
    """A module as instantiated: the root module of a directory, or a module call."""

    module: Module
    root: Path
    prefix: str = ""
    values: dict[str, Attribute] = field(default_factory=dict)
    caller: tuple[Block, Scope] | None = None
    children: dict[str, Instance | Unknown] = field(default_factory=dict)
    memo: dict[str, TfValue] = field(default_factory=dict)

    @property
    def call_name(self) -> str:
        return self.prefix.rstrip(".")


@dataclass(frozen=True)
class Repetition:
    """The instances of a block with ``count``/``for_each``: bindings and a label each;
    ``instances`` is None when they cannot be known (``unknown`` says why)."""

    instances: tuple[tuple[dict[str, TfValue], str], ...] | None
    unknown: Unknown | None = None


@dataclass(frozen=True)
class Scope:
    instance: Instance
    bindings: dict[str, TfValue] = field(default_factory=dict)
    repetition: Repetition | None = None
    isolated: bool = False  # a templatefile: only its variables are visible

    def bind(self, **names: TfValue) -> Scope:
        return replace(self, bindings={**self.bindings, **names})


@dataclass(frozen=True)
class _Namespace:
    kind: str
    name: str = ""


@dataclass(frozen=True)
class _ResourceRef:
    instance: Instance
    address: str
    key: TfValue | None = None


@dataclass(frozen=True)
class _ModuleRef:
    instance: Instance | Unknown


Evaluated = TfValue | _Namespace | _ResourceRef | _ModuleRef


class Evaluator:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.depth = 0
        self._busy: set[tuple[int, str]] = set()

    # -- entry points -----------------------------------------------------------------

    def value(self, expr: Expr, scope: Scope) -> TfValue:
        """The value of ``expr``; per instance when it uses ``each``/``count`` of a block
        with ``for_each``/``count`` (one option per instance, tagged with its key)."""
        repetition = scope.repetition
        if repetition is None or not _uses_instance(expr):
            return self.known(expr, scope)
        if repetition.instances is None:
            unknown = repetition.unknown or Unknown(expr.text, "unknown instances", expr.location)
            inner = replace(unknown, location=expr.location)
            return self.known(expr, scope.bind(each=inner, count=inner))
        results = [
            with_when(self.known(expr, scope.bind(**bindings)), label)
            for bindings, label in repetition.instances
        ]
        return choice(results, expr.location)

    def attribute(self, block: Block, name: str, scope: Scope) -> TfValue | None:
        attribute = block.attributes.get(name)
        return None if attribute is None else self.value(attribute.expr, scope)

    def repetition(self, block: Block, scope: Scope) -> Repetition | None:
        """The instances of ``block``; ``Repetition(())`` when it has none (count = 0)."""
        if "count" in block.attributes:
            return self._count(block.attributes["count"].expr, scope)
        if "for_each" in block.attributes:
            return self._for_each(block.attributes["for_each"].expr, scope)
        return None

    def _count(self, expr: Expr, scope: Scope) -> Repetition:
        values = scalars(self.value(expr, scope))
        counts = [v.value for v in values if isinstance(v, Scalar)]
        if len(values) == 1 and len(counts) == 1 and _is_number(counts[0]):
            number = int(float(counts[0]))
            if number <= MAX_INSTANCES:
                return Repetition(
                    tuple(
                        (
                            {"count": Located({"index": Located(i, expr.location)}, expr.location)},
                            f"count.index is {i}",
                        )
                        for i in range(number)
                    )
                )
            why = f"count is {number}; instances are not evaluated one by one"
            return Repetition(None, Unknown(expr.text, why, expr.location))
        if counts and all(_is_number(c) and int(float(c)) == 0 for c in counts):
            return Repetition(())
        unknown = next((v for v in values if isinstance(v, Unknown)), None)
        if unknown is not None:
            why = unknown.why
        elif len(counts) > 1:
            why = "count is " + ", ".join(
                f"{v.value} if {v.when}" if v.when else str(v.value)
                for v in values
                if isinstance(v, Scalar)
            )
        else:
            why = "count is not a number"
        return Repetition(
            None, Unknown(expr.text, f"count cannot be resolved: {why}", expr.location)
        )

    def _for_each(self, expr: Expr, scope: Scope) -> Repetition:
        value = self.value(expr, scope)
        if isinstance(value, Located) and isinstance(value.value, (dict, list)):
            entries = (
                list(value.value.items())
                if isinstance(value.value, dict)
                else [(text_of(v), v) for v in value.value]
            )
            if len(entries) > MAX_INSTANCES:
                why = f"for_each has {len(entries)} elements; they are not evaluated one by one"
                return Repetition(None, Unknown(expr.text, why, expr.location))
            instances: list[tuple[dict[str, TfValue], str]] = []
            for key, item in entries:
                each = Located({"key": Located(key, item.location), "value": item}, expr.location)
                instances.append(({"each": each}, f'each.key is "{key}"'))
            return Repetition(tuple(instances))
        why = value.why if isinstance(value, Unknown) else "for_each is not a map or set"
        return Repetition(
            None, Unknown(expr.text, f"for_each cannot be resolved: {why}", expr.location)
        )

    def nested(
        self, block: Block, kind: str, scope: Scope
    ) -> tuple[list[tuple[Block, Scope]], list[Unknown]]:
        """Nested blocks of ``kind`` with their scopes, ``dynamic "kind"`` blocks expanded;
        and the ``dynamic`` blocks whose ``for_each`` cannot be resolved."""
        found: list[tuple[Block, Scope]] = []
        unknowns: list[Unknown] = []
        for child in block.blocks:
            if child.type == kind:
                found.append((child, scope))
            elif child.type == "dynamic" and child.labels == (kind,):
                expanded = self._expand(child, kind, scope)
                if isinstance(expanded, Unknown):
                    unknowns.append(expanded)
                else:
                    found.extend(expanded)
        return found, unknowns

    def _expand(
        self, dynamic: Block, kind: str, scope: Scope
    ) -> list[tuple[Block, Scope]] | Unknown:
        content = next(iter(dynamic.children("content")), None)
        each = dynamic.attributes.get("for_each")
        if content is None or each is None:
            return []
        iterator = dynamic.attributes.get("iterator")
        name = iterator.expr.text if iterator is not None else kind
        collection = self.value(each.expr, scope)
        if not (isinstance(collection, Located) and isinstance(collection.value, (list, dict))):
            why = collection.why if isinstance(collection, Unknown) else "not a collection"
            return Unknown(each.expr.text, f"dynamic block for_each: {why}", each.location)
        entries = (
            list(collection.value.items())
            if isinstance(collection.value, dict)
            else list(enumerate(collection.value))
        )
        expanded = []
        for key, item in entries:
            bound = Located({"key": Located(key, item.location), "value": item}, content.location)
            expanded.append((content, scope.bind(**{name: bound})))
        return expanded

    # -- references that point at resources -------------------------------------------

    def target_of(self, expr: Expr, scope: Scope) -> str | None:
        """The address of the resource ``expr`` refers to, following locals, module
        inputs and outputs: ``aws_iam_user.alice.name`` → ``aws_iam_user.alice``."""
        for _ in range(MAX_DEPTH):
            parts = _traversal(expr)
            if parts is None or scope.isolated:
                return None
            root, names = parts
            instance = scope.instance
            if root == "local" and names and names[0] in instance.module.locals:
                expr, scope = instance.module.locals[names[0]].expr, Scope(instance)
            elif root == "var" and names and instance.caller is not None:
                call, caller_scope = instance.caller
                if names[0] not in call.attributes:
                    return None
                expr, scope = call.attributes[names[0]].expr, caller_scope
            elif root == "module" and len(names) >= 2:
                child = instance.children.get(names[0])
                if not isinstance(child, Instance) or names[1] not in child.module.outputs:
                    return None
                output = child.module.outputs[names[1]].attributes.get("value")
                if output is None:
                    return None
                expr, scope = output.expr, Scope(child)
            elif root == "data" and len(names) >= 2:
                address = f"data.{names[0]}.{names[1]}"
                return instance.prefix + address if address in instance.module.resources else None
            elif names and f"{root}.{names[0]}" in instance.module.resources:
                return f"{instance.prefix}{root}.{names[0]}"
            else:
                return None
        return None

    # -- evaluation ---------------------------------------------------------------------

    @staticmethod
    def _final(value: Evaluated, expr: Expr) -> TfValue:
        if isinstance(value, (_Namespace, _ResourceRef, _ModuleRef)):
            return Unknown(expr.text, "a reference to a whole object", expr.location)
        return value

    def eval(self, expr: Expr, scope: Scope) -> Evaluated:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH * 8:
                return Unknown(expr.text, "nested too deeply", expr.location)
            return _HANDLERS[type(expr)](self, expr, scope)
        finally:
            self.depth -= 1

    def known(self, expr: Expr, scope: Scope) -> TfValue:
        return self._final(self.eval(expr, scope), expr)

    def _literal(self, expr: Literal, scope: Scope) -> Evaluated:
        return Located(expr.value, expr.location, text_map=expr.text_map)

    def _template(self, expr: Template, scope: Scope) -> Evaluated:
        parts = [self.known(p, scope) for p in expr.parts]
        if len(parts) == 1:
            return parts[0]
        return concatenate(parts, expr, MAX_COMBINATIONS)

    def _tuple(self, expr: TupleExpr, scope: Scope) -> Evaluated:
        return Located([self.known(i, scope) for i in expr.items], expr.location)

    def _object(self, expr: ObjectExpr, scope: Scope) -> Evaluated:
        entries: dict[str, TfValue] = {}
        for key_expr, value_expr in expr.items:
            if isinstance(key_expr, Name):  # {Action = …}: a bare name is the key itself
                key: TfValue = Located(key_expr.name, key_expr.location)
            else:
                key = self.known(key_expr, scope)
            if not (isinstance(key, Located) and isinstance(key.value, (str, int, float, bool))):
                why = key.why if isinstance(key, Unknown) else "an object key must be a string"
                return Unknown(expr.text, why, expr.location)
            entries[_string(key.value)] = self.known(value_expr, scope)
        return Located(entries, expr.location)

    def _name(self, expr: Name, scope: Scope) -> Evaluated:
        if expr.name in scope.bindings:
            return scope.bindings[expr.name]
        if scope.isolated:
            return Unknown(expr.text, f"{expr.name} is not a template variable", expr.location)
        if expr.name in _NAMESPACES:
            return _Namespace(expr.name)
        if expr.name in ("each", "count"):
            return Unknown(
                expr.text, f"{expr.name} is used outside a repeated block", expr.location
            )
        return _Namespace("resource", expr.name)

    def _get_attr(self, expr: GetAttr, scope: Scope) -> Evaluated:
        base = self.eval(expr.base, scope)
        return self._attr(base, expr.name, expr, scope)

    def _attr(self, base: Evaluated, name: str, expr: Expr, scope: Scope) -> Evaluated:
        if isinstance(base, _Namespace):
            return self._namespace_attr(base, name, expr, scope)
        if isinstance(base, _ResourceRef):
            return self._resource_attr(base, name, expr)
        if isinstance(base, _ModuleRef):
            return self._output(base.instance, name, expr)
        if isinstance(base, Choice):
            found = [
                with_when(self._final(self._attr(o, name, expr, scope), expr), o.when)
                for o in options(base)
            ]
            return choice(found, expr.location)
        if isinstance(base, Located) and isinstance(base.value, dict):
            if name in base.value:
                return base.value[name]
            return Unknown(expr.text, f"no attribute {name}", expr.location)
        return _unknown_from(base, expr)

    def _namespace_attr(self, ns: _Namespace, name: str, expr: Expr, scope: Scope) -> Evaluated:
        instance = scope.instance
        if ns.kind == "var":
            return self.variable(instance, name, expr)
        if ns.kind == "local":
            return self._local(instance, name, expr)
        if ns.kind == "module":
            child = instance.children.get(name)
            if child is None:
                return Unknown(expr.text, f"module {name} is not declared", expr.location)
            return _ModuleRef(child)
        if ns.kind == "data" and not ns.name:
            return _Namespace("data", name)
        if ns.kind in ("data", "resource") and ns.name:
            address = f"data.{ns.name}.{name}" if ns.kind == "data" else f"{ns.name}.{name}"
            if address not in instance.module.resources:
                return Unknown(expr.text, f"{address} is not declared", expr.location)
            return _ResourceRef(instance, address)
        if ns.kind == "path" and name in ("module", "root", "cwd"):
            path = instance.module.directory if name == "module" else instance.root
            return Located(_relative(path, instance.root), expr.location)
        if ns.kind == "terraform" and name == "workspace":
            return Located("default", expr.location)
        return Unknown(expr.text, f"{ns.kind}.{name} is not known before apply", expr.location)

    def variable(self, instance: Instance, name: str, expr: Expr) -> TfValue:
        """``var.name`` as used at ``expr``: the caller's input, a .tfvars value or the
        default, located at the use."""
        declared = instance.module.variables.get(name)
        if declared is None:
            return Unknown(expr.text, f"variable {name} is not declared", expr.location)
        if instance.caller is not None:
            call, caller_scope = instance.caller
            if name in call.attributes:
                given = call.attributes[name]
                value = self._remember(
                    instance, f"var.{name}", expr, lambda: self.value(given.expr, caller_scope)
                )
                loc = given.location
                when = f"called from {instance.call_name} ({loc.file}:{loc.line})"
                return relocate(value, expr.location, when)
        elif name in instance.values:
            given = instance.values[name]
            value = self._remember(
                instance,
                f"var.{name}",
                expr,
                lambda: self.value(given.expr, Scope(instance, isolated=True)),
            )
            return relocate(value, expr.location)
        default = declared.attributes.get("default")
        if default is None:
            where = (
                f"{instance.call_name} does not set it" if instance.caller else "no .tfvars sets it"
            )
            return Unknown(expr.text, f"variable {name} has no default and {where}", expr.location)
        value = self._remember(
            instance,
            f"default.{name}",
            expr,
            lambda: self.value(default.expr, Scope(instance, isolated=True)),
        )
        return relocate(value, expr.location)

    def _local(self, instance: Instance, name: str, expr: Expr) -> TfValue:
        attribute = instance.module.locals.get(name)
        if attribute is None:
            return Unknown(expr.text, f"local {name} is not declared", expr.location)
        return self._remember(
            instance, f"local.{name}", expr, lambda: self.value(attribute.expr, Scope(instance))
        )

    def _output(self, child: Instance | Unknown, name: str, expr: Expr) -> TfValue:
        if isinstance(child, Unknown):
            return replace(child, expression=expr.text, location=expr.location)
        block = child.module.outputs.get(name)
        attribute = block.attributes.get("value") if block else None
        if attribute is None:
            return Unknown(expr.text, f"{child.call_name} has no output {name}", expr.location)
        return self._remember(
            child, f"output.{name}", expr, lambda: self.value(attribute.expr, Scope(child))
        )

    def _resource_attr(self, ref: _ResourceRef, name: str, expr: Expr) -> Evaluated:
        instance, address = ref.instance, ref.address
        block = instance.module.resources[address]
        if address.startswith(f"data.{DOCUMENT_TYPE}.") and name in ("json", "minified_json"):
            return DocumentRef(instance.prefix + address, expr.location)
        written = _NAME_ATTRIBUTES.get(name, name) if address.startswith("aws_iam_") else name
        attribute = block.attributes.get(written)
        if attribute is None or written in ("count", "for_each"):
            return Unknown(
                expr.text,
                f"{name} of {instance.prefix}{address} is known only after apply",
                expr.location,
            )
        scope = Scope(instance, repetition=self.repetition(block, Scope(instance)))
        if ref.key is not None and scope.repetition and scope.repetition.instances:
            wanted = plain(ref.key)
            for bindings, _label in scope.repetition.instances:
                each = bindings.get("each") or bindings.get("count")
                if isinstance(each, Located) and any(
                    plain(each.value.get(k, Located(None, expr.location))) == wanted
                    for k in ("key", "index")
                ):
                    return self.value(attribute.expr, scope.bind(**bindings))
        return self._remember(
            instance, f"{address}.{written}", expr, lambda: self.value(attribute.expr, scope)
        )

    def _remember(
        self, instance: Instance, key: str, where: Expr, compute: Callable[[], TfValue]
    ) -> TfValue:
        if key in instance.memo:
            return instance.memo[key]
        busy = (id(instance), key)
        if busy in self._busy:
            return Unknown(where.text, f"{key} refers to itself", where.location)
        self._busy.add(busy)
        try:
            value = compute()
        finally:
            self._busy.discard(busy)
        instance.memo[key] = value
        return value

    def _index(self, expr: Index, scope: Scope) -> Evaluated:
        base = self.eval(expr.base, scope)
        key = self.known(expr.key, scope)
        if isinstance(base, _ResourceRef):
            return replace(base, key=key)
        if isinstance(base, (_Namespace, _ModuleRef)):
            return Unknown(expr.text, "cannot index this", expr.location)
        return _lookup(base, key, expr)

    def _splat(self, expr: Splat, scope: Scope) -> Evaluated:
        base = self.eval(expr.base, scope)
        if isinstance(base, _ResourceRef):
            elements: list[Evaluated] = [base]
        elif isinstance(base, Located) and isinstance(base.value, list):
            elements = list(base.value)
        elif isinstance(base, Located) and base.value is None:
            elements = []
        else:
            elements = [base]
        results = []
        for element in elements:
            current = element
            for step in expr.steps:
                if isinstance(step, str):
                    current = self._attr(current, step, expr, scope)
                else:
                    current = _lookup(self._final(current, expr), self.known(step, scope), expr)
            results.append(self._final(current, expr))
        return Located(results, expr.location)

    def _call(self, expr: Call, scope: Scope) -> Evaluated:
        from iacguard.resolve.terraform_functions import call

        return call(self, expr, scope)

    def _conditional(self, expr: Conditional, scope: Scope) -> Evaluated:
        results: list[TfValue] = []
        for condition in scalars(self.known(expr.condition, scope)):
            truth = _truth(condition)
            if truth is None:
                text = expr.condition.text
                results.append(with_when(self.known(expr.then, scope), f"{text} is true"))
                results.append(with_when(self.known(expr.other, scope), f"{text} is false"))
            else:
                branch = self.known(expr.then if truth else expr.other, scope)
                results.append(with_when(branch, condition.when))
        return choice(results, expr.location)

    def _binary(self, expr: Binary, scope: Scope) -> Evaluated:
        from iacguard.resolve.terraform_functions import binary

        left = self.known(expr.left, scope)
        if expr.operator in ("&&", "||") and is_plain(left):
            truth = _truth_of(plain(left))
            if truth is (expr.operator == "||"):
                return Located(truth, expr.location)
        return binary(expr, left, self.known(expr.right, scope))

    def _unary(self, expr: Unary, scope: Scope) -> Evaluated:
        from iacguard.resolve.terraform_functions import unary

        return unary(expr, self.known(expr.operand, scope))

    def _for(self, expr: ForExpr, scope: Scope) -> Evaluated:
        collection = self.known(expr.collection, scope)
        if not (isinstance(collection, Located) and isinstance(collection.value, (list, dict))):
            return _unknown_from(collection, expr)
        entries = (
            list(collection.value.items())
            if isinstance(collection.value, dict)
            else list(enumerate(collection.value))
        )
        listed: list[TfValue] = []
        mapped: dict[str, TfValue] = {}
        for key, item in entries:
            names: dict[str, TfValue] = {expr.value_var: item}
            if expr.key_var:
                names[expr.key_var] = Located(key, item.location)
            inner = scope.bind(**names)
            if expr.condition is not None:
                truth = [_truth(v) for v in scalars(self.known(expr.condition, inner))]
                if truth and all(t is False for t in truth):
                    continue
                if not truth or any(t is None for t in truth):
                    return Unknown(expr.text, "the for condition cannot be resolved", expr.location)
            value = self.known(expr.value, inner)
            if expr.key is None:
                listed.append(value)
                continue
            key_value = self.known(expr.key, inner)
            if not (
                isinstance(key_value, Located) and isinstance(key_value.value, (str, int, float))
            ):
                return Unknown(
                    expr.text, "a key of the for expression cannot be resolved", expr.location
                )
            name = _string(key_value.value)
            if expr.grouping:
                group = mapped.setdefault(name, Located([], expr.location))
                assert isinstance(group, Located)
                group.value.append(value)
            else:
                mapped[name] = value
        return Located(listed if expr.key is None else mapped, expr.location)

    def _opaque(self, expr: Opaque, scope: Scope) -> Evaluated:
        return Unknown(expr.text, expr.why, expr.location)


_HANDLERS: dict[type, Callable[[Evaluator, Any, Scope], Evaluated]] = {
    Literal: Evaluator._literal,
    Template: Evaluator._template,
    TupleExpr: Evaluator._tuple,
    ObjectExpr: Evaluator._object,
    Name: Evaluator._name,
    GetAttr: Evaluator._get_attr,
    Index: Evaluator._index,
    Splat: Evaluator._splat,
    Call: Evaluator._call,
    Conditional: Evaluator._conditional,
    Binary: Evaluator._binary,
    Unary: Evaluator._unary,
    ForExpr: Evaluator._for,
    Opaque: Evaluator._opaque,
}


def _lookup(base: TfValue, key: TfValue, expr: Expr) -> TfValue:
    if isinstance(base, Choice):
        found = [with_when(_lookup(o, key, expr), o.when) for o in options(base)]
        return choice(found, expr.location)
    if not isinstance(base, Located):
        return _unknown_from(base, expr)
    if not (isinstance(key, Located) and isinstance(key.value, (str, int, float))):
        return Unknown(expr.text, "the index cannot be resolved", expr.location)
    container, wanted = base.value, key.value
    if (
        isinstance(container, list)
        and _is_number(wanted)
        and 0 <= int(float(wanted)) < len(container)
    ):
        return container[int(float(wanted))]
    if isinstance(container, dict) and _string(wanted) in container:
        return container[_string(wanted)]
    return Unknown(expr.text, f"no element {_string(wanted)}", expr.location)


def _unknown_from(value: Evaluated, expr: Expr) -> Unknown:
    why = value.why if isinstance(value, Unknown) else "cannot be resolved"
    when = value.when if isinstance(value, Unknown) else None
    return Unknown(expr.text, why, expr.location, when)


def _traversal(expr: Expr) -> tuple[str, list[str]] | None:
    """``aws_iam_user.alice["k"].name`` → ``("aws_iam_user", ["alice", "name"])``."""
    names: list[str] = []
    while True:
        if isinstance(expr, GetAttr):
            names.append(expr.name)
            expr = expr.base
        elif isinstance(expr, (Index, Splat)):
            expr = expr.base
        elif isinstance(expr, Name):
            return expr.name, names[::-1]
        else:
            return None


def _uses_instance(expr: Expr) -> bool:
    text = expr.text
    return "each." in text or "count." in text


def _truth(value: Value) -> bool | None:
    return _truth_of(value.value) if isinstance(value, Scalar) else None


def _truth_of(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _relative(path: Path, root: Path) -> str:
    """``path.module``: the module directory relative to the root module's."""
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
