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
from pathlib import Path
from typing import Any

from iacguard.errors import Error, internal
from iacguard.model import Location, Unknown
from iacguard.records import dataclass, replace
from iacguard.resolve import terraform_expressions as expressions
from iacguard.resolve import terraform_references as references
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
from iacguard.resolve.terraform_computed import Computed
from iacguard.resolve.terraform_expressions import lookup, unknown_from
from iacguard.resolve.terraform_references import ResourceRef
from iacguard.resolve.terraform_repetition import Repetition, nested, repetition
from iacguard.resolve.terraform_scope import Instance, Scope, Sources
from iacguard.resolve.terraform_values import (
    Choice,
    Located,
    TfValue,
    choice,
    is_null,
    options,
    size_of,
    with_when,
)

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
class _ModuleRef:
    instance: Instance | Unknown


Evaluated = TfValue | _Namespace | ResourceRef | _ModuleRef


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
        self.errors: list[Error] = []

    def failed(self, text: str, loc: Location, exc: Exception) -> Unknown:
        """A bug met while evaluating ``text``: an error at it, and the value unknown."""
        error = internal(loc, "while evaluating a value", exc)
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
        return None if is_null(value) else value

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

    # -- evaluation ---------------------------------------------------------------------

    @staticmethod
    def _final(value: Evaluated, expr: Expr) -> TfValue:
        if isinstance(value, (_Namespace, ResourceRef, _ModuleRef)):
            return Unknown(expr.text, "a reference to a whole object", expr.location)
        return value

    def charge(self, size: int) -> None:
        """Count ``size`` characters built into strings against this value's budget."""
        self.built += size
        if self.built > MAX_BUILT_PER_VALUE:
            why = f"its strings would pass {MAX_BUILT_PER_VALUE:,} characters in all; not evaluated"
            raise TooLarge(why)

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
        if isinstance(base, ResourceRef):
            return references.resource_attribute(self, base, name, expr)
        if isinstance(base, _ModuleRef):
            return references.output(self, base.instance, name, expr)
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
            return references.variable(self, instance, name, expr)
        if ns.kind == "local":
            return references.local(self, instance, name, expr)
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
            return ResourceRef(instance, address)
        if ns.kind == "path" and name in ("module", "root", "cwd"):
            path = instance.module.directory if name == "module" else instance.root
            return Located(_relative(path, instance.root), expr.location)
        if ns.kind == "terraform" and name == "workspace":
            return Located("default", expr.location)
        return Unknown(expr.text, f"{ns.kind}.{name} is not known before apply", expr.location)

    def remember(
        self, instance: Instance, key: str, where: Expr, compute: Callable[[], TfValue]
    ) -> TfValue:
        """The value named ``key`` in ``instance``, computed once; one that needs itself
        to be computed is unknown."""
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
        if isinstance(base, ResourceRef):
            return replace(base, key=key)
        if isinstance(base, (_Namespace, _ModuleRef)):
            return Unknown(expr.text, "cannot index this", expr.location)
        return lookup(base, key, expr)

    def _splat(self, expr: Splat, scope: Scope) -> Evaluated:
        base = self.eval(expr.base, scope)
        if isinstance(base, ResourceRef):
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


def _uses_instance(expr: Expr) -> bool:
    text = expr.text
    return "each." in text or "count." in text


def _relative(path: Path, root: Path) -> str:
    """``path.module``: the module directory relative to the root module's."""
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
