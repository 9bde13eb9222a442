"""Terraform plan JSON (``terraform show -json PLANFILE``) → the IAM model.

A plan is recognised by its first keys (``iacguard.formats.terraform_plan``). Its
resource instances (every module, every ``count``/``for_each`` instance, data sources
read while planning from ``prior_state``) become blocks of their planned values, read by
the same IAM reader as ``.tf`` files (``terraform_iam``), so every rule applies with the
same semantics and addresses. ``configuration`` says which resource an argument refers
to, and ``resource_changes[].change.after_unknown`` which values are known only after
apply (unknown, never a pass). When the configuration's ``.tf`` files are present (the
root module in the plan's directory, local module sources relative to it, downloaded
ones through ``.terraform/modules/modules.json``) findings point at them; otherwise at
the plan file, with the resource address. Nothing is executed or fetched.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.errors import Error, internal
from iacguard.parsers import ParseResult
from iacguard.parsers.terraform_plan_modules import (
    ModuleInstance,
    PlanModules,
    Shape,
    caller_of,
    kind_of,
    text_of,
)

if TYPE_CHECKING:
    from iacguard.parsers.terraform import Loader
    from iacguard.parsers.terraform_plan_values import Targets
    from iacguard.resolve.hcl import Module
    from iacguard.resolve.terraform_scope import Instance, Resource
    from iacguard.resolve.terraform_values import Located, TfValue

# Besides what the IAM reader reads, the resources read with all their values: the OIDC
# providers a trust policy's ARN is read from. The others are only named by references
# (which bucket a bucket policy governs).
_ALSO_READ = frozenset({"aws_iam_openid_connect_provider"})


def parse_plan(path: Path, file: str, text: str) -> ParseResult:
    """Read a plan's text (``file`` is its name as shown) into the model."""
    from iacguard.parsers.located_json import JsonProblem
    from iacguard.parsers.source import nested_too_deeply
    from iacguard.parsers.terraform_iam_resources import IAM_TYPES
    from iacguard.parsers.terraform_plan_json import decode_plan

    result = ParseResult()
    try:
        tree = decode_plan(text, file, IAM_TYPES | _ALSO_READ)
    except JsonProblem as problem:
        loc = problem.location
        result.errors.append(Error(problem.kind, problem.shown(), file, loc.line, loc.column))
        return result
    except RecursionError:
        result.errors.append(Error("limit", nested_too_deeply(), file))
        return result
    result.scanned.append(file)
    try:
        _PlanReader(path, file, result, IAM_TYPES | _ALSO_READ).read(tree)
    except RecursionError:
        result.errors.append(Error("limit", nested_too_deeply(), file))
    except Exception as exc:  # a bug on one plan must not lose the other files
        result.errors.append(internal(file, "while reading the plan", exc))
    return result


# A resource instance: its address, key, type, node in the plan and values.
_Described = tuple[str, str, str, "Located", "Located | None"]


class _PlanReader:
    def __init__(
        self, path: Path, file: str, result: ParseResult, read_types: frozenset[str]
    ) -> None:
        from iacguard.parsers.terraform import Loader

        self.read_types = read_types
        self.result = result
        self.shape = Shape(file, result.errors)
        self.root = Path(os.path.normpath(path.parent))
        self.path = path  # where its addresses are unique: apart from the .tf files' own
        self.loader: Loader = Loader(allowed=[self.root, Path.cwd()])
        self.addresses: list[str] = []  # of the module instances
        self.built: dict[str, Instance] = {}

    def read(self, tree: TfValue) -> None:
        from iacguard.parsers.terraform_iam import IamReader
        from iacguard.parsers.terraform_iam_resources import COMPUTED
        from iacguard.resolve.terraform import Evaluator
        from iacguard.resolve.terraform_values import Located

        shape = self.shape
        if not isinstance(tree, Located) or not isinstance(tree.value, dict):
            shape.problem(tree, "a Terraform plan must be a JSON object")
            return
        if "planned_values" not in tree.value:  # Terraform writes it in every plan
            shape.problem(tree, "not a Terraform plan: no planned_values (a state is not read)")
            return
        planned = shape.object(shape.object(tree, "planned_values", ""), "root_module", "")
        prior = shape.object(shape.object(tree, "prior_state", ""), "values", "prior_state.")
        prior = shape.object(prior, "root_module", "prior_state.values.")
        modules = PlanModules(shape, self.root, self.loader, self.result.model)
        instances = modules.instances(planned, prior)  # its errors in the plan's order
        unknowns = self._unknowns(tree)
        configuration = shape.object(shape.object(tree, "configuration", ""), "root_module", "")
        modules.configuration = configuration
        resources: list[Resource] = []
        self.addresses = list(instances)
        for instance in instances.values():  # callers first
            resources.extend(self._resources(instance, modules, unknowns))
        self.result.model.resources += len(resources)
        evaluator = Evaluator(self.loader, COMPUTED)
        IamReader(evaluator, self.result, modules.scope).read(resources)
        self.result.errors.extend(e for e in evaluator.errors if e not in self.result.errors)
        # suppression comments in the .tf files the findings point at
        self.result.model.directives.extend(self.loader.result.model.directives)

    def _unknowns(self, tree: Located) -> dict[str, Any]:
        """``after_unknown`` of each resource change, by address (decoded without
        positions: a value of the wrong type is an error at ``resource_changes``)."""
        node = tree.value.get("resource_changes")
        changes = getattr(node, "value", None)
        if node is None or changes is None:
            return {}
        if not isinstance(changes, list):
            self.shape.problem(node, f"resource_changes: expected a list, not {kind_of(changes)}")
            return {}
        marks: dict[str, Any] = {}
        for index, change in enumerate(changes):
            planned = change.get("change") if isinstance(change, dict) else None
            after = planned.get("after_unknown") if isinstance(planned, dict) else None
            if not isinstance(change, dict) or not isinstance(change.get("address"), str):
                self.shape.problem(
                    node, f"resource_changes[{index}]: expected an object with an address"
                )
            elif after is not None and not isinstance(after, dict):
                where = f"resource_changes[{index}].change.after_unknown"
                self.shape.problem(node, f"{where}: expected an object, not {kind_of(after)}")
            elif after is not None:
                marks[change["address"]] = after
        return marks

    def _resources(
        self, instance: ModuleInstance, modules: PlanModules, unknowns: dict[str, Any]
    ) -> list[Resource]:
        from iacguard.parsers.terraform_plan_values import BlockBuilder, Origin
        from iacguard.resolve.hcl import Attribute, Block
        from iacguard.resolve.terraform_scope import Resource, Scope
        from iacguard.resolve.terraform_values import plain

        written = modules.written(modules.config(instance.calls))
        directory = modules.directory(instance.calls)
        tf = self.loader.module(directory) if directory is not None else None
        if tf is not None and not tf.files:
            tf = None
        if tf is not None and instance.calls:
            modules.record_call(instance)
        from iacguard.resolve.hcl import Module

        module = Module(directory or self.root)
        prefix = f"{instance.address}." if instance.address else ""
        scope = Scope(self._instance(module, instance.address))
        described = self._described(instance)
        builder = BlockBuilder(self._targets(described))
        for address in self.addresses:  # what a reference to a module output can name
            caller = caller_of(address)
            if caller is not None and caller[0] == instance.address:
                outputs = modules.outputs([*instance.calls, caller[1]])
                builder.targets.outputs[caller[1]] = set(outputs)
        resources = []
        for address, key, kind, node, values in described:
            block_type = "data" if key.startswith("data.") else "resource"
            written_block = tf.resources.get(key) if tf is not None else None
            location = written_block.location if written_block else node.value["address"].location
            labels = (kind, key.rsplit(".", 1)[1])
            block = Block(block_type, labels, location)  # only named by references
            if key.rsplit(".", 1)[0] in self.read_types:
                shown = plain(values) if values is not None else None
                hidden = _hidden(shown, plain(node.value.get("sensitive_values")))
                marks = _merged(unknowns.get(address), hidden)
                origin = Origin(location, values, written_block)
                block = builder.block(block_type, labels, origin, marks, written.get(key))
            if key in builder.targets.values:
                module.resources[key] = block
            # without the instance key of count/for_each, as the .tf files' view names it
            named = f"{prefix}{key}"
            resources.append(Resource(named, kind, block, scope, data=block_type == "data"))
        for name, (references, location) in modules.outputs(instance.calls).items():
            expr = builder.targets.reference(references, None, location)
            if instance.calls and expr is not None:
                value = {"value": Attribute("value", expr, location)}
                module.outputs[name] = Block("output", (name,), location, value)
        return resources

    def _instance(self, module: Module, address: str) -> Instance:
        """The module instance at ``address``, known to the instance that calls it (a
        call without count/for_each), for references to its outputs."""
        from iacguard.resolve.terraform_scope import Instance

        instance = Instance(module, self.path, prefix=f"{address}." if address else "")
        self.built[address] = instance
        caller = caller_of(address)
        if caller is not None and caller[0] in self.built:
            self.built[caller[0]].children[caller[1]] = instance
        return instance

    def _described(self, instance: ModuleInstance) -> list[_Described]:
        """Each resource instance: its address, key (``data.TYPE.NAME``), type, node and
        values; one of the wrong shape is an error, and left out."""
        from iacguard.resolve.terraform_values import Located

        described = []
        for node in instance.resources:
            address, mode, kind, name = (
                text_of(node, k) for k in ("address", "mode", "type", "name")
            )
            if address is None or kind is None or name is None or mode not in ("managed", "data"):
                where = instance.address or "the root module"
                self.shape.problem(
                    node, f"a resource in {where} needs a string address, mode, type and name"
                )
                continue
            values = node.value.get("values")
            if values is not None and not (
                isinstance(values, Located) and isinstance(values.value, dict)
            ):
                self.shape.problem(
                    values, f"{address}: values: expected an object, not {kind_of(values)}"
                )
                values = None
            key = f"data.{kind}.{name}" if mode == "data" else f"{kind}.{name}"
            described.append((address, key, kind, node, values))
        return described

    def _targets(self, described: list[_Described]) -> Targets:
        """The resources a reference can name, with their values: those with one instance
        (a reference names one of several by its key)."""
        from iacguard.parsers.terraform_plan_values import Targets
        from iacguard.resolve.terraform_values import plain

        targets = Targets({})
        instances = Counter(key for _, key, _, _, _ in described)
        for _, key, _, _, values in described:
            if instances[key] == 1:
                read = key.rsplit(".", 1)[0] in self.read_types
                shown = values.value if values is not None else None
                targets.values[key] = plain(values) if read and values is not None else shown
        return targets


def _hidden(values: Any, sensitive: Any) -> Any:
    """The values ``sensitive_values`` marks sensitive that the plan does not show (a
    redacted plan): unknown, where a null would read as not set. ``terraform show
    -json`` itself shows them, and they are read as shown."""
    from iacguard.parsers.terraform_plan_values import NOT_SHOWN

    if sensitive is True:
        return NOT_SHOWN if values is None else None
    if isinstance(sensitive, dict):
        entries = values if isinstance(values, dict) else {}
        found = {k: _hidden(entries.get(k), mark) for k, mark in sensitive.items()}
        return {k: mark for k, mark in found.items() if mark is not None} or None
    if isinstance(sensitive, list):
        items = values if isinstance(values, list) else []
        marks = [_hidden(items[i] if i < len(items) else None, m) for i, m in enumerate(sensitive)]
        return marks if any(mark is not None for mark in marks) else None
    return None


def _merged(unknown: Any, hidden: Any) -> Any:
    """``after_unknown`` marks with the sensitive values not shown added."""
    if hidden is None or unknown is True:
        return unknown
    if isinstance(unknown, dict) and isinstance(hidden, dict):
        keys = dict.fromkeys([*unknown, *hidden])
        return {k: _merged(unknown.get(k), hidden.get(k)) for k in keys}
    if isinstance(unknown, list) and isinstance(hidden, list):
        longest = max(len(unknown), len(hidden))
        return [
            _merged(
                unknown[i] if i < len(unknown) else None, hidden[i] if i < len(hidden) else None
            )
            for i in range(longest)
        ]
    return unknown or hidden
