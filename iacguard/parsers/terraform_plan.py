"""Terraform plan JSON (``terraform show -json PLANFILE``) → the IAM model.

A plan is recognised by its content (``format_version``, ``terraform_version``,
``planned_values``), whatever its name. Its resource instances (every module, every
``count``/``for_each`` instance, data sources read while planning from
``prior_state``) become blocks of their planned values, read by the same IAM reader as
``.tf`` files (``terraform_iam``), so every rule applies with the same semantics and
addresses. ``configuration`` says which resource an argument refers to, and
``resource_changes[].change.after_unknown`` which values are known only after apply
(unknown, never a pass). When the configuration's ``.tf`` files are present (the root
module in the plan's directory, local module sources relative to it, downloaded ones
through ``.terraform/modules/modules.json``) findings point at them; otherwise at the
plan file, with the resource address. Nothing is executed or fetched.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.model import ParseError
from iacguard.parsers import ParseResult

if TYPE_CHECKING:
    from iacguard.parsers.terraform import Loader
    from iacguard.parsers.terraform_manifest import Manifest
    from iacguard.parsers.terraform_plan_values import Targets
    from iacguard.resolve.terraform_scope import Resource
    from iacguard.resolve.terraform_values import Located, TfValue

_KEYS = ("format_version", "terraform_version", "planned_values")
_KEY_PATTERNS = tuple(re.compile(rf'"{key}"\s*:') for key in _KEYS)
_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?(?:\.|$)')
_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")
MAX_MODULE_DEPTH = 16
# Besides what the IAM reader reads, the resources read with all their values: the OIDC
# providers a trust policy's ARN is read from. The others are only named by references
# (which bucket a bucket policy governs).
_ALSO_READ = frozenset({"aws_iam_openid_connect_provider"})


def looks_like_plan(data: bytes) -> bool:
    """A cheap test on a file's bytes, before it is decoded."""
    return all(f'"{key}"'.encode() in data for key in _KEYS)


def is_plan(text: str) -> bool:
    """Whether a JSON file's text is a Terraform plan: an object with the plan's keys."""
    return text.lstrip()[:1] == "{" and all(p.search(text) for p in _KEY_PATTERNS)


def parse_plan(path: Path, file: str, text: str) -> ParseResult:
    """Read a plan's text (``file`` is its name as shown) into the model."""
    from iacguard.parsers.located_json import JsonProblem
    from iacguard.parsers.source import nested_too_deeply
    from iacguard.parsers.terraform_iam import IAM_TYPES
    from iacguard.parsers.terraform_plan_json import decode_plan

    result = ParseResult()
    try:
        tree = decode_plan(text, file, IAM_TYPES | _ALSO_READ)
    except JsonProblem as problem:
        loc = problem.location
        message = f"not valid JSON: {problem.message}"
        result.errors.append(ParseError(file, message, loc.line, loc.column))
        return result
    except RecursionError:
        result.errors.append(ParseError(file, nested_too_deeply()))
        return result
    result.scanned.append(file)
    try:
        _PlanReader(path, file, result, IAM_TYPES | _ALSO_READ).read(tree)
    except RecursionError:
        result.errors.append(ParseError(file, nested_too_deeply()))
    except Exception as exc:  # a bug on one plan must not lose the other files
        message = f"internal error while reading the plan: {type(exc).__name__}: {exc}"
        result.errors.append(ParseError(file, message))
    return result


# A resource instance: its address, key, type, node in the plan and values.
_Described = tuple[str, str, str, "Located", "Located | None"]


@dataclass(slots=True)
class _ModuleInstance:
    address: str  # "" for the root module, else module.x["k"]
    calls: list[str]  # the call names from the root: ["x"]
    resources: list[Located] = field(default_factory=list)


class _PlanReader:
    def __init__(
        self, path: Path, file: str, result: ParseResult, read_types: frozenset[str]
    ) -> None:
        from iacguard.parsers.terraform import Loader

        self.read_types = read_types
        self.file = file
        self.result = result
        self.root = Path(os.path.normpath(path.parent))
        self.path = path  # where its addresses are unique: apart from the .tf files' own
        self.loader: Loader = Loader(allowed=[self.root, Path.cwd()])
        self.manifest: Manifest | None = None
        self.configuration: Located | None = None

    def problem(self, node: TfValue, message: str) -> None:
        error = ParseError(self.file, message, node.location.line)
        if error not in self.result.errors:
            self.result.errors.append(error)

    def _object(self, node: TfValue | None, key: str, path: str) -> Located | None:
        """``node[key]`` when it is an object; a wrong type is an error, a missing key not."""
        from iacguard.resolve.terraform_values import Located

        if not isinstance(node, Located) or not isinstance(node.value, dict):
            return None
        found = node.value.get(key)
        if found is None or (isinstance(found, Located) and found.value is None):
            return None
        if isinstance(found, Located) and isinstance(found.value, dict):
            return found
        self.problem(found, f"{path}{key}: expected an object, not {_kind(found)}")
        return None

    def _array(self, node: TfValue | None, key: str, path: str) -> list[Located]:
        """The objects of ``node[key]``; each element of a wrong type is an error."""
        from iacguard.resolve.terraform_values import Located

        if not isinstance(node, Located) or not isinstance(node.value, dict):
            return []
        found = node.value.get(key)
        if found is None or (isinstance(found, Located) and found.value is None):
            return []
        if not isinstance(found, Located) or not isinstance(found.value, list):
            self.problem(found, f"{path}{key}: expected a list, not {_kind(found)}")
            return []
        items = []
        for index, item in enumerate(found.value):
            if isinstance(item, Located) and isinstance(item.value, dict):
                items.append(item)
            else:
                self.problem(item, f"{path}{key}[{index}]: expected an object, not {_kind(item)}")
        return items

    def read(self, tree: TfValue) -> None:
        from iacguard.parsers.terraform_iam import IamReader
        from iacguard.resolve.terraform import Evaluator
        from iacguard.resolve.terraform_values import Located

        if not isinstance(tree, Located) or not isinstance(tree.value, dict):
            self.problem(tree, "a Terraform plan must be a JSON object")
            return
        planned = self._object(self._object(tree, "planned_values", ""), "root_module", "")
        instances = self._instances(planned, "planned_values.root_module.")
        prior = self._object(self._object(tree, "prior_state", ""), "values", "prior_state.")
        self._data_sources(instances, self._object(prior, "root_module", "prior_state.values."))
        unknowns = self._unknowns(tree)
        configuration = self._object(self._object(tree, "configuration", ""), "root_module", "")
        self.configuration = configuration
        resources: list[Resource] = []
        for instance in instances.values():
            resources.extend(self._resources(instance, configuration, unknowns))
        self.result.model.resources += len(resources)
        evaluator = Evaluator(self.loader)
        IamReader(evaluator, self.result).read(resources)
        self.result.errors.extend(e for e in evaluator.errors if e not in self.result.errors)
        # suppression comments in the .tf files the findings point at
        self.result.model.directives.extend(self.loader.result.model.directives)

    def _instances(self, root: Located | None, path: str) -> dict[str, _ModuleInstance]:
        """Every module instance of ``planned_values``, by address."""
        from iacguard.resolve.terraform_values import Located

        found: dict[str, _ModuleInstance] = {}
        pending: list[tuple[Located, str, str, int]] = [(root, "", path, 0)] if root else []
        while pending:
            module, address, where, depth = pending.pop(0)  # in the plan's order
            calls = _call_path(address)
            if calls is None:
                self.problem(module, f"{where}address: not a module address: {address}")
                continue
            instance = found.setdefault(address, _ModuleInstance(address, calls))
            instance.resources.extend(self._array(module, "resources", where))
            if depth >= MAX_MODULE_DEPTH:
                continue
            for index, child in enumerate(self._array(module, "child_modules", where)):
                named = child.value.get("address")
                if not isinstance(named, Located) or not isinstance(named.value, str):
                    self.problem(child, f"{where}child_modules[{index}]: no address")
                    continue
                pending.append((child, named.value, f"{where}child_modules[{index}].", depth + 1))
        return found

    def _data_sources(self, instances: dict[str, _ModuleInstance], prior: Located | None) -> None:
        """Data sources read while planning are in ``prior_state``, not ``planned_values``."""
        for address, instance in self._instances(prior, "prior_state.values.root_module.").items():
            data = [r for r in instance.resources if _text(r, "mode") == "data"]
            if not data:
                continue
            target = instances.setdefault(address, _ModuleInstance(address, instance.calls))
            planned = {_text(r, "address") for r in target.resources}
            target.resources.extend(r for r in data if _text(r, "address") not in planned)

    def _unknowns(self, tree: Located) -> dict[str, Any]:
        """``after_unknown`` of each resource change, by address (decoded without
        positions: a value of the wrong type is an error at ``resource_changes``)."""
        node = tree.value.get("resource_changes")
        changes = getattr(node, "value", None)
        if node is None or changes is None:
            return {}
        if not isinstance(changes, list):
            self.problem(node, f"resource_changes: expected a list, not {_kind(changes)}")
            return {}
        marks: dict[str, Any] = {}
        for index, change in enumerate(changes):
            planned = change.get("change") if isinstance(change, dict) else None
            after = planned.get("after_unknown") if isinstance(planned, dict) else None
            if not isinstance(change, dict) or not isinstance(change.get("address"), str):
                self.problem(node, f"resource_changes[{index}]: expected an object with an address")
            elif after is not None and not isinstance(after, dict):
                where = f"resource_changes[{index}].change.after_unknown"
                self.problem(node, f"{where}: expected an object, not {_kind(after)}")
            elif after is not None:
                marks[change["address"]] = after
        return marks

    def _resources(
        self, instance: _ModuleInstance, configuration: Located | None, unknowns: dict[str, Any]
    ) -> list[Resource]:
        from iacguard.parsers.terraform_plan_values import BlockBuilder, Origin
        from iacguard.resolve.hcl import Block, Module
        from iacguard.resolve.terraform_scope import Instance, Resource, Scope
        from iacguard.resolve.terraform_values import plain

        written = self._written(self._module_config(configuration, instance.calls))
        directory = self._directory(instance.calls)
        tf = self.loader.module(directory) if directory is not None else None
        if tf is not None and not tf.files:
            tf = None
        if tf is not None and instance.calls:
            self._record_call(instance)
        module = Module(directory or self.root)
        prefix = f"{instance.address}." if instance.address else ""
        scope = Scope(Instance(module, self.path, prefix=prefix))
        described = self._described(instance)
        builder = BlockBuilder(self._targets(described))
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
        return resources

    def _described(self, instance: _ModuleInstance) -> list[_Described]:
        """Each resource instance: its address, key (``data.TYPE.NAME``), type, node and
        values; one of the wrong shape is an error, and left out."""
        from iacguard.resolve.terraform_values import Located

        described = []
        for node in instance.resources:
            address, mode, kind, name = (
                _text(node, k) for k in ("address", "mode", "type", "name")
            )
            if address is None or kind is None or name is None or mode not in ("managed", "data"):
                where = instance.address or "the root module"
                self.problem(
                    node, f"a resource in {where} needs a string address, mode, type and name"
                )
                continue
            values = node.value.get("values")
            if values is not None and not (
                isinstance(values, Located) and isinstance(values.value, dict)
            ):
                self.problem(values, f"{address}: values: expected an object, not {_kind(values)}")
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

    def _module_config(self, configuration: Located | None, calls: list[str]) -> Located | None:
        """The configuration of the module that the call names ``calls`` lead to."""
        config = configuration
        for name in calls:
            call = self._object(self._object(config, "module_calls", ""), name, "module_calls.")
            config = self._object(call, "module", f"module_calls.{name}.")
        return config

    def _written(self, config: Located | None) -> dict[str, Located]:
        """The expressions of each resource of a module's configuration, by its key."""
        from iacguard.resolve.terraform_values import Located

        found: dict[str, Located] = {}
        for resource in self._array(config, "resources", "configuration."):
            mode, kind, name = (_text(resource, k) for k in ("mode", "type", "name"))
            expressions = resource.value.get("expressions")
            if kind and name and isinstance(expressions, Located):
                found[f"data.{kind}.{name}" if mode == "data" else f"{kind}.{name}"] = expressions
        return found

    def _directory(self, calls: list[str]) -> Path | None:
        """Where the module that ``calls`` lead to is written: the root module is the
        plan's directory; a local source is relative to its caller's directory; a remote
        one is where ``terraform init`` installed it. None when it is not there."""
        directory = self.root
        for depth in range(len(calls)):
            source = self._source(calls[: depth + 1])
            if source is not None and source.startswith(_LOCAL_SOURCE):
                directory = Path(os.path.normpath(directory / source))
                continue
            installed = self._installed(".".join(calls[: depth + 1]))
            if installed is None:
                return None
            directory = installed
        return directory if directory.is_dir() and self.loader.inside(directory) else None

    def _source(self, calls: list[str]) -> str | None:
        """The ``source`` of the last of ``calls``, as the configuration records it."""
        config = self._module_config(self.configuration, calls[:-1])
        calls_node = self._object(config, "module_calls", "")
        call = self._object(calls_node, calls[-1], "module_calls.")
        return _text(call, "source") if call is not None else None

    def _installed(self, key: str) -> Path | None:
        from iacguard.parsers.terraform_manifest import read_manifest

        if self.manifest is None:
            manifest = read_manifest(self.root)
            if not hasattr(manifest, "modules"):
                return None
            self.manifest = manifest  # type: ignore[assignment]
        assert self.manifest is not None
        installed = self.manifest.modules.get(key)
        if installed is not None and installed.directory is not None:
            self.loader.installed.add(installed.directory)
            return installed.directory
        return None

    def _record_call(self, instance: _ModuleInstance) -> None:
        """Where the calling ``module`` block is written, for findings in the module."""
        caller = self._directory(instance.calls[:-1])
        if caller is None:
            return
        call = self.loader.module(caller).calls.get(instance.calls[-1])
        if call is not None:
            self.result.model.module_calls[instance.address] = call.location


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


def _call_path(address: str) -> list[str] | None:
    """``module.a["k"].module.b`` → ``["a", "b"]``; None when it is not a module address."""
    names: list[str] = []
    position = 0
    while position < len(address):
        step = _MODULE_STEP.match(address, position)
        if step is None:
            return None
        names.append(step.group(1))
        position = step.end()
    return names


def _text(node: Located, key: str) -> str | None:
    found = node.value.get(key) if isinstance(node.value, dict) else None
    value = getattr(found, "value", None)
    return value if isinstance(value, str) else None


def _kind(value: Any) -> str:
    """What a value of the wrong type is, for messages."""
    value = getattr(value, "value", value)  # a Located node: its value
    for kind, name in (
        (dict, "an object"),
        (list, "a list"),
        (str, "a string"),
        (bool, "a boolean"),
    ):
        if isinstance(value, kind):
            return name
    return "null" if value is None else "a number"
