"""What the names of a Terraform module instance refer to: variables (a caller's input,
a .tfvars value or the default, typed), locals, module outputs and resource attributes
(written, or computed as the reader declares), evaluated by the ``Evaluator``; and which
resource an expression refers to (``target_of``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iacguard.model import Unknown
from iacguard.records import dataclass, replace
from iacguard.resolve.hcl import Block, Expr, ForExpr, GetAttr, Index, Name, Splat
from iacguard.resolve.terraform_computed import Computation, Derived, Fixed, Itself, SameAs
from iacguard.resolve.terraform_scope import Instance, Scope
from iacguard.resolve.terraform_values import (
    DocumentRef,
    Located,
    TfValue,
    is_null,
    plain,
    relocate,
    with_when,
)

if TYPE_CHECKING:
    from iacguard.resolve.terraform import Evaluator

MAX_DEPTH = 48  # references followed to find a resource


@dataclass(frozen=True)
class ResourceRef:
    """A resource or data block named in an expression, before one of its attributes."""

    instance: Instance
    address: str
    key: TfValue | None = None


def variable(evaluator: Evaluator, instance: Instance, name: str, expr: Expr) -> TfValue:
    """``var.name`` as used at ``expr``: the caller's input, a .tfvars value or the
    default, converted to the variable's type and located at the use."""
    declared = instance.module.variables.get(name)
    if declared is None:
        return Unknown(expr.text, f"variable {name} is not declared", expr.location)
    value = evaluator.remember(
        instance, f"typed.{name}", expr, lambda: _typed(evaluator, instance, name, declared)
    )
    if instance.caller is not None and name in instance.caller[0].attributes:
        # Written in the caller: found there (a module called twice has two places to
        # fix), the finding's resource in the module being its related location.
        loc = instance.caller[0].attributes[name].location
        return with_when(value, f"called from {instance.call_name} ({loc.file}:{loc.line})")
    return relocate(value, expr.location)


def _typed(evaluator: Evaluator, instance: Instance, name: str, declared: Block) -> TfValue:
    """The value of a variable as Terraform sees it: given (by the caller or a
    .tfvars file) or the default, null given to ``nullable = false`` taking the
    default, and converted to the declared type (``optional()`` attributes)."""
    isolated = Scope(instance, isolated=True)
    given: Expr | None = None
    scope = isolated
    if instance.caller is not None:
        call, caller_scope = instance.caller
        if name in call.attributes:
            given, scope = call.attributes[name].expr, caller_scope
    elif name in instance.values:
        given = instance.values[name].expr
    default = declared.attributes.get("default")
    value = evaluator.value(given, scope) if given is not None else None
    nullable = declared.attributes.get("nullable")
    not_nullable = nullable is not None and plain(evaluator.value(nullable.expr, isolated)) is False
    if value is not None and not_nullable and is_null(value) and default is not None:
        value = None
    if value is None:
        if default is None:
            where = (
                f"{instance.call_name} does not set it" if instance.caller else "no .tfvars sets it"
            )
            why = f"variable {name} has no default and {where}"
            return Unknown(f"var.{name}", why, declared.location)
        value = evaluator.value(default.expr, isolated)
    type_expr = declared.attributes.get("type")
    if type_expr is None:
        return value
    from iacguard.resolve.terraform_types import convert, parse_type

    return convert(value, parse_type(type_expr.expr), lambda e: evaluator.value(e, isolated))


def local(evaluator: Evaluator, instance: Instance, name: str, expr: Expr) -> TfValue:
    attribute = instance.module.locals.get(name)
    if attribute is None:
        return Unknown(expr.text, f"local {name} is not declared", expr.location)
    return evaluator.remember(
        instance, f"local.{name}", expr, lambda: evaluator.value(attribute.expr, Scope(instance))
    )


def output(evaluator: Evaluator, child: Instance | Unknown, name: str, expr: Expr) -> TfValue:
    if isinstance(child, Unknown):
        return replace(child, expression=expr.text, location=expr.location)
    block = child.module.outputs.get(name)
    attribute = block.attributes.get("value") if block else None
    if attribute is None:
        return Unknown(expr.text, f"{child.call_name} has no output {name}", expr.location)
    return evaluator.remember(
        child, f"output.{name}", expr, lambda: evaluator.value(attribute.expr, Scope(child))
    )


def resource_attribute(evaluator: Evaluator, ref: ResourceRef, name: str, expr: Expr) -> TfValue:
    instance, address = ref.instance, ref.address
    block = instance.module.resources[address]
    computation = evaluator.computed.get((address.rsplit(".", 1)[0], name))
    if isinstance(computation, Itself):
        return DocumentRef(instance.prefix + address, expr.location)
    known = _computed(evaluator, instance, block, computation)
    if known is not None:
        return Located(known, expr.location)
    written = computation.attribute if isinstance(computation, SameAs) else name
    attribute = block.attributes.get(written)
    if attribute is None or written in ("count", "for_each"):
        return Unknown(
            expr.text,
            f"{name} of {instance.prefix}{address} is known only after apply",
            expr.location,
        )
    scope = Scope(instance, repetition=evaluator.repetition(block, Scope(instance)))
    if ref.key is not None and scope.repetition and scope.repetition.instances:
        wanted = plain(ref.key)
        for bindings, _label in scope.repetition.instances:
            each = bindings.get("each") or bindings.get("count")
            if isinstance(each, Located) and any(
                plain(each.value.get(k, Located(None, expr.location))) == wanted
                for k in ("key", "index")
            ):
                return evaluator.value(attribute.expr, scope.bind(**bindings))
    return evaluator.remember(
        instance, f"{address}.{written}", expr, lambda: evaluator.value(attribute.expr, scope)
    )


def _computed(
    evaluator: Evaluator, instance: Instance, block: Block, computation: Computation | None
) -> str | None:
    """The value of a computed attribute, when its declaration tells it statically."""
    if isinstance(computation, Fixed):
        return computation.value
    if not isinstance(computation, Derived):
        return None
    source = block.attributes.get(computation.attribute)
    if source is None:
        return None
    found = evaluator.value(source.expr, Scope(instance))
    if isinstance(found, Located) and isinstance(found.value, str) and not found.holes:
        return computation.derive(found.value)
    return None


def target_of(expr: Expr, scope: Scope) -> str | None:
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


def _traversal(expr: Expr) -> tuple[str, list[str]] | None:
    """``aws_iam_user.alice["k"].name`` → ``("aws_iam_user", ["alice", "name"])``."""
    names: list[str] = []
    while True:
        if isinstance(expr, GetAttr):
            names.append(expr.name)
            expr = expr.base
        elif isinstance(expr, (Index, Splat)):
            expr = expr.base
        elif isinstance(expr, ForExpr):  # [for u in aws_iam_user.x : u.name]
            expr = expr.collection
        elif isinstance(expr, Name):
            return expr.name, names[::-1]
        else:
            return None
