"""The module tree of a Terraform plan: its module instances (``planned_values``, and the
data sources of ``prior_state``), each module's configuration, and where its ``.tf`` files
are: the root module in the plan's directory, a local module relative to its caller, a
downloaded one where ``.terraform/modules/modules.json`` says ``terraform init`` put it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.errors import Error
from iacguard.model import Location, Model
from iacguard.paths import display_path
from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from iacguard.parsers.terraform import Loader
    from iacguard.parsers.terraform_manifest import Manifest
    from iacguard.resolve.terraform_values import Located, TfValue

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?(?:\.|$)')
_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")
MAX_MODULE_DEPTH = 16


@dataclass(slots=True)
class ModuleInstance:
    address: str  # "" for the root module, else module.x["k"]
    calls: list[str]  # the call names from the root: ["x"]
    resources: list[Located] = field(default_factory=list)


class Shape:
    """Reads the plan's structure: a value of the wrong type is an error at its line,
    and costs that value only."""

    def __init__(self, file: str, errors: list[Error]) -> None:
        self.file = file
        self.errors = errors

    def problem(self, node: TfValue, message: str) -> None:
        error = Error("value", message, self.file, node.location.line)
        if error not in self.errors:
            self.errors.append(error)

    def object(self, node: TfValue | None, key: str, path: str) -> Located | None:
        """``node[key]`` when it is an object; a wrong type is an error, a missing key not."""
        from iacguard.resolve.terraform_values import Located

        if not isinstance(node, Located) or not isinstance(node.value, dict):
            return None
        found = node.value.get(key)
        if found is None or (isinstance(found, Located) and found.value is None):
            return None
        if isinstance(found, Located) and isinstance(found.value, dict):
            return found
        self.problem(found, f"{path}{key}: expected an object, not {kind_of(found)}")
        return None

    def array(self, node: TfValue | None, key: str, path: str) -> list[Located]:
        """The objects of ``node[key]``; each element of a wrong type is an error."""
        from iacguard.resolve.terraform_values import Located

        if not isinstance(node, Located) or not isinstance(node.value, dict):
            return []
        found = node.value.get(key)
        if found is None or (isinstance(found, Located) and found.value is None):
            return []
        if not isinstance(found, Located) or not isinstance(found.value, list):
            self.problem(found, f"{path}{key}: expected a list, not {kind_of(found)}")
            return []
        items = []
        for index, item in enumerate(found.value):
            if isinstance(item, Located) and isinstance(item.value, dict):
                items.append(item)
            else:
                self.problem(item, f"{path}{key}[{index}]: expected an object, not {kind_of(item)}")
        return items


class PlanModules:
    """The module instances of a plan, their configuration and their directories."""

    def __init__(self, shape: Shape, root: Path, loader: Loader, model: Model) -> None:
        self.shape = shape
        self.root = root
        self.scope = display_path(root)  # the model's scope of the plan's addresses
        self.loader = loader
        self.configuration: Located | None = None  # configuration.root_module
        self.model = model
        self.manifest: Manifest | None = None

    def instances(
        self, planned: Located | None, prior: Located | None
    ) -> dict[str, ModuleInstance]:
        """Every module instance by address, with its resources; data sources read
        while planning are in ``prior_state``, not ``planned_values``."""
        found = self._instances(planned, "planned_values.root_module.")
        for address, instance in self._instances(prior, "prior_state.values.root_module.").items():
            data = [r for r in instance.resources if text_of(r, "mode") == "data"]
            if not data:
                continue
            target = found.setdefault(address, ModuleInstance(address, instance.calls))
            planned_addresses = {text_of(r, "address") for r in target.resources}
            target.resources.extend(
                r for r in data if text_of(r, "address") not in planned_addresses
            )
        return found

    def outputs(self, calls: list[str]) -> dict[str, tuple[list[str], Location]]:
        """The references of each output of the module ``calls`` lead to, and where the
        plan writes it."""
        from iacguard.parsers.terraform_plan_values import references_of

        outputs = self.shape.object(self.config(calls), "outputs", "module.")
        found: dict[str, tuple[list[str], Location]] = {}
        for name, output in outputs.value.items() if outputs is not None else ():
            expression = self.shape.object(output, "expression", f"outputs.{name}.")
            found[name] = (references_of(expression), output.location)
        return found

    def config(self, calls: list[str]) -> Located | None:
        """The configuration of the module that the call names ``calls`` lead to."""
        return self._config(self.configuration, calls)

    def _instances(self, root: Located | None, path: str) -> dict[str, ModuleInstance]:
        """Every module instance of ``planned_values``, by address."""
        from iacguard.resolve.terraform_values import Located

        found: dict[str, ModuleInstance] = {}
        pending: list[tuple[Located, str, str, int]] = [(root, "", path, 0)] if root else []
        while pending:
            module, address, where, depth = pending.pop(0)  # in the plan's order
            calls = call_path(address)
            if calls is None:
                self.shape.problem(module, f"{where}address: not a module address: {address}")
                continue
            instance = found.setdefault(address, ModuleInstance(address, calls))
            instance.resources.extend(self.shape.array(module, "resources", where))
            if depth >= MAX_MODULE_DEPTH:
                if module.value.get("child_modules"):  # as the .tf view stops there
                    message = f"{where}child_modules: modules nested too deeply; not read"
                    self.shape.problem(module, message)
                continue
            for index, child in enumerate(self.shape.array(module, "child_modules", where)):
                named = child.value.get("address")
                if not isinstance(named, Located) or not isinstance(named.value, str):
                    self.shape.problem(child, f"{where}child_modules[{index}]: no address")
                    continue
                pending.append((child, named.value, f"{where}child_modules[{index}].", depth + 1))
        return found

    def _config(self, configuration: Located | None, calls: list[str]) -> Located | None:
        """The configuration of the module that the call names ``calls`` lead to."""
        config = configuration
        for name in calls:
            call = self.shape.object(
                self.shape.object(config, "module_calls", ""), name, "module_calls."
            )
            config = self.shape.object(call, "module", f"module_calls.{name}.")
        return config

    def written(self, config: Located | None) -> dict[str, Located]:
        """The expressions of each resource of a module's configuration, by its key."""
        from iacguard.resolve.terraform_values import Located

        found: dict[str, Located] = {}
        for resource in self.shape.array(config, "resources", "configuration."):
            mode, kind, name = (text_of(resource, k) for k in ("mode", "type", "name"))
            expressions = resource.value.get("expressions")
            if kind and name and isinstance(expressions, Located):
                found[f"data.{kind}.{name}" if mode == "data" else f"{kind}.{name}"] = expressions
        return found

    def directory(self, calls: list[str]) -> Path | None:
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
        config = self.config(calls[:-1])
        calls_node = self.shape.object(config, "module_calls", "")
        call = self.shape.object(calls_node, calls[-1], "module_calls.")
        return text_of(call, "source") if call is not None else None

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

    def record_call(self, instance: ModuleInstance) -> None:
        """Where the calling ``module`` block is written, for findings in the module."""
        caller = self.directory(instance.calls[:-1])
        if caller is None:
            return
        call = self.loader.module(caller).calls.get(instance.calls[-1])
        if call is not None:
            self.model.module_calls[self.scope, instance.address] = call.location


def caller_of(address: str) -> tuple[str, str] | None:
    """``module.a.module.b`` → ``("module.a", "b")``: the calling instance's address and
    the call's name, for a call without count/for_each; None for the root or an instance
    of a repeated call (``module.a["k"]``)."""
    steps = list(_MODULE_STEP.finditer(address))
    if not steps or steps[-1].group(0).rstrip(".") != f"module.{steps[-1].group(1)}":
        return None
    return address[: steps[-1].start()].rstrip("."), steps[-1].group(1)


def call_path(address: str) -> list[str] | None:
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


def text_of(node: Located, key: str) -> str | None:
    found = node.value.get(key) if isinstance(node.value, dict) else None
    value = getattr(found, "value", None)
    return value if isinstance(value, str) else None


def kind_of(value: Any) -> str:
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
