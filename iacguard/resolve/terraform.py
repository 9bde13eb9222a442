"""Terraform expressions, evaluated statically inside a module instance.

What resolves: variables (caller inputs, ``-var-file``, ``*.auto.tfvars``,
``terraform.tfvars``, defaults, in Terraform's order), locals, module outputs,
attributes written on other resources (``aws_iam_user.alice.name``) and those the
reader declares computed (``iacguard.resolve.terraform_computed``), string
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
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from iacguard.model import Location, ParseError, Unknown
from iacguard.resolve import terraform_expressions as expressions
from iacguard.resolve.hcl import (
    Binary,
    Block,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Name,
    ObjectExpr,
    Opaque,
    Splat,
    Template,
    TupleExpr,
    Unary,
)
from iacguard.resolve.limits import (
    MAX_BUILT_PER_VALUE,
    MAX_CPU_SECONDS,
    MAX_VALUE_SIZE,
    TooLarge,
)
from iacguard.resolve.terraform_computed import (
    Computation,
    Computed,
    Derived,
    Fixed,
    Itself,
    SameAs,
)
from iacguard.resolve.terraform_expressions import lookup, unknown_from
from iacguard.resolve.terraform_repetition import Repetition, nested, repetition
from iacguard.resolve.terraform_scope import Instance, Scope, Sources
from iacguard.resolve.terraform_values import (
    Choice,
    DocumentRef,
    Located,
    TfValue,
    choice,
    options,
    plain,
    relocate,
    size_of,
    with_when,
)

MAX_DEPTH = 48  # references followed to find a resource
# Nested evaluation, kept well inside Python's recursion limit (about ten frames each).
MAX_EVALUATION_DEPTH = 64
# Expressions evaluated for one root module (a few seconds): past that, every value is
# unknown, so that no configuration (nested for over large lists…) can stall a scan.
MAX_STEPS = 1_000_000
_NAMESPACES = frozenset({"var", "local", "module", "data", "path", "terraform", "self"})


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
    """Evaluates the expressions of one root module; ``computed`` declares the
    attributes its reader needs that the provider computes."""

    def __init__(self, sources: Sources, computed: Computed | None = None) -> None:
        self.sources = sources
        self.computed: Computed = computed or {}
        self.depth = 0
        self.steps = 0
        self.built = 0  # characters built for the value being evaluated (``charge``)
        self.started = time.process_time()
        # Where evaluation ran out of budget (steps or CPU time): values past it are unknown.
        self.stopped: tuple[Instance, str] | None = None
        self._busy: set[tuple[int, str]] = set()
        self._repetitions: dict[tuple[int, int], Repetition | None] = {}
        # Internal errors met while evaluating: each costs its value only, and is reported.
        self.errors: list[ParseError] = []

    def failed(self, text: str, loc: Location, exc: Exception) -> Unknown:
        """A bug met while evaluating ``text``: an error at it, and the value unknown."""
        message = f"internal error while evaluating a value: {type(exc).__name__}: {exc}"
        error = ParseError(loc.file, message, loc.line, loc.column)
        if error not in self.errors:
            self.errors.append(error)
        return Unknown(text, "internal error while evaluating it", loc)

    # -- entry points -----------------------------------------------------------------

    def value(self, expr: Expr, scope: Scope) -> TfValue:
        """The value of ``expr``; per instance when it uses ``each``/``count`` of a block
        with ``for_each``/``count`` (one option per instance, tagged with its key)."""
        if self.depth == 0:
            self.built = 0
        try:
            return self._value(expr, scope)
        except RecursionError:
            return Unknown(expr.text, "nested too deeply to evaluate", expr.location)

    def _value(self, expr: Expr, scope: Scope) -> TfValue:
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
        """An argument of a block; None when it is not set, or set to null (which in
        Terraform means the same)."""
        attribute = block.attributes.get(name)
        if attribute is None:
            return None
        value = self.value(attribute.expr, scope)
        return None if _is_null(value) else value

    def repetition(self, block: Block, scope: Scope) -> Repetition | None:
        """The instances of a block (``count``/``for_each``), once per module instance."""
        if scope.bindings:
            return self._guarded_repetition(block, scope)
        key = (id(scope.instance), id(block))
        if key not in self._repetitions:
            self._repetitions[key] = self._guarded_repetition(block, scope)
        return self._repetitions[key]

    def _guarded_repetition(self, block: Block, scope: Scope) -> Repetition | None:
        try:
            return repetition(self, block, scope)
        except RecursionError:
            raise
        except Exception as exc:  # the block is kept, its instances unknown
            expr = (block.attributes.get("count") or block.attributes["for_each"]).expr
            return Repetition(None, self.failed(expr.text, expr.location, exc))

    def nested(
        self, block: Block, kind: str, scope: Scope
    ) -> tuple[list[tuple[Block, Scope]], list[Unknown]]:
        try:
            return nested(self, block, kind, scope)
        except RecursionError:
            raise
        except Exception as exc:  # the blocks of this kind are unknown, the rest is read
            return [], [self.failed(f"{kind} blocks", block.location, exc)]

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

    def charge(self, size: int) -> None:
        """Count ``size`` characters built into strings against this value's budget."""
        self.built += size
        if self.built > MAX_BUILT_PER_VALUE:
            why = f"its strings would pass {MAX_BUILT_PER_VALUE:,} characters in all; not evaluated"
            raise TooLarge(why)

    @property
    def exhausted(self) -> bool:
        return self.stopped is not None

    def _out_of_budget(self, scope: Scope) -> str | None:
        if self.stopped is not None:
            return self.stopped[1]
        if self.steps > MAX_STEPS:
            why = f"evaluation stopped after {MAX_STEPS:,} steps"
        elif self.steps % 256 == 1 and time.process_time() - self.started > MAX_CPU_SECONDS:
            why = f"evaluation stopped after {MAX_CPU_SECONDS:g} s of CPU time"
        else:
            return None
        self.stopped = (scope.instance, why)
        return why

    def eval(self, expr: Expr, scope: Scope) -> Evaluated:
        self.depth += 1
        self.steps += 1
        try:
            if self.depth > MAX_EVALUATION_DEPTH:
                return Unknown(expr.text, "references are nested too deeply", expr.location)
            why = self._out_of_budget(scope)
            if why is not None:
                return Unknown(expr.text, why, expr.location)
            return _HANDLERS[type(expr)](self, expr, scope)
        except TooLarge as exc:
            return Unknown(expr.text, exc.why, expr.location)
        except RecursionError:
            raise
        except Exception as exc:  # a bug costs this value, not its resource or module
            return self.failed(expr.text, expr.location, exc)
        finally:
            self.depth -= 1

    def known(self, expr: Expr, scope: Scope) -> TfValue:
        value = self._final(self.eval(expr, scope), expr)
        if size_of(value) > MAX_VALUE_SIZE:
            why = f"the value has over {MAX_VALUE_SIZE:,} elements; not evaluated"
            return Unknown(expr.text, why, expr.location)
        return value

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
        return unknown_from(base, expr)

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
        default, converted to the variable's type and located at the use."""
        declared = instance.module.variables.get(name)
        if declared is None:
            return Unknown(expr.text, f"variable {name} is not declared", expr.location)
        value = self._remember(
            instance, f"typed.{name}", expr, lambda: self._typed(instance, name, declared)
        )
        if instance.caller is not None and name in instance.caller[0].attributes:
            # Written in the caller: found there (a module called twice has two places to
            # fix), the finding's resource in the module being its related location.
            loc = instance.caller[0].attributes[name].location
            return with_when(value, f"called from {instance.call_name} ({loc.file}:{loc.line})")
        return relocate(value, expr.location)

    def _typed(self, instance: Instance, name: str, declared: Block) -> TfValue:
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
        value = self.value(given, scope) if given is not None else None
        nullable = declared.attributes.get("nullable")
        not_nullable = nullable is not None and plain(self.value(nullable.expr, isolated)) is False
        if value is not None and not_nullable and _is_null(value) and default is not None:
            value = None
        if value is None:
            if default is None:
                where = (
                    f"{instance.call_name} does not set it"
                    if instance.caller
                    else "no .tfvars sets it"
                )
                why = f"variable {name} has no default and {where}"
                return Unknown(f"var.{name}", why, declared.location)
            value = self.value(default.expr, isolated)
        type_expr = declared.attributes.get("type")
        if type_expr is None:
            return value
        from iacguard.resolve.terraform_types import convert, parse_type

        return convert(value, parse_type(type_expr.expr), lambda e: self.value(e, isolated))

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
        computation = self.computed.get((address.rsplit(".", 1)[0], name))
        if isinstance(computation, Itself):
            return DocumentRef(instance.prefix + address, expr.location)
        known = self._computed(instance, block, computation)
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

    def _computed(
        self, instance: Instance, block: Block, computation: Computation | None
    ) -> str | None:
        """The value of a computed attribute, when its declaration tells it statically."""
        if isinstance(computation, Fixed):
            return computation.value
        if not isinstance(computation, Derived):
            return None
        source = block.attributes.get(computation.attribute)
        if source is None:
            return None
        found = self.value(source.expr, Scope(instance))
        if isinstance(found, Located) and isinstance(found.value, str) and not found.holes:
            return computation.derive(found.value)
        return None

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
        return lookup(base, key, expr)

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
                    current = lookup(self._final(current, expr), self.known(step, scope), expr)
            results.append(self._final(current, expr))
        return Located(results, expr.location)

    def _call(self, expr: Call, scope: Scope) -> Evaluated:
        from iacguard.resolve.terraform_functions import call

        return call(self, expr, scope)


_HANDLERS: dict[type, Callable[[Evaluator, Any, Scope], Evaluated]] = {
    Literal: expressions.literal,
    Template: expressions.template,
    TupleExpr: expressions.tuple_,
    ObjectExpr: expressions.object_,
    Name: Evaluator._name,
    GetAttr: Evaluator._get_attr,
    Index: Evaluator._index,
    Splat: Evaluator._splat,
    Call: Evaluator._call,
    Conditional: expressions.conditional,
    Binary: expressions.binary,
    Unary: expressions.unary,
    ForExpr: expressions.for_,
    Opaque: expressions.opaque,
}


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


def _is_null(value: TfValue) -> bool:
    return isinstance(value, Located) and value.value is None


def _uses_instance(expr: Expr) -> bool:
    text = expr.text
    return "each." in text or "count." in text


def _relative(path: Path, root: Path) -> str:
    """``path.module``: the module directory relative to the root module's."""
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
