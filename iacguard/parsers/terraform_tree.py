"""Module calls instantiated under a Terraform root module, and the resources that exist
in each instance: local modules from their directory, remote ones from where
``terraform init`` installed them (``.terraform/modules/modules.json``), never fetched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard import observed
from iacguard.errors import Error
from iacguard.model import OUTSIDE_MODULE, REMOTE_MODULE, Location, Unknown, Unresolved
from iacguard.parsers import ParseResult
from iacguard.parsers.terraform_iam_resources import IAM_TYPES
from iacguard.parsers.terraform_manifest import Manifest, read_manifest, same_source
from iacguard.resolve.hcl import Block, Literal
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_scope import Instance, Resource, Scope
from iacguard.resolve.terraform_values import Located, TfValue, plain

if TYPE_CHECKING:
    from iacguard.parsers.terraform import Loader

MAX_MODULE_DEPTH = 16
_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")


def local_source(call: Block, directory: Path) -> Path | None:
    """The directory of a module call with a local ``source``, else None."""
    source = call.attributes.get("source")
    if source is None or not isinstance(source.expr, Literal):
        return None
    text = str(source.expr.value)
    if not text.startswith(_LOCAL_SOURCE):
        return None
    return Path(os.path.normpath(directory / text))


class TreeBuilder:
    """Instantiates module calls under a root and lists the resources that exist."""

    def __init__(
        self, loader: Loader, evaluator: Evaluator, result: ParseResult, scope: str
    ) -> None:
        self.loader = loader
        self.scope = scope  # the root module's, as in the model
        self.evaluator = evaluator
        self.model = result.model
        self.manifests: dict[Path, Manifest | None] = {}

    def unresolved(self, location: Location, resource: str, expression: str, why: str) -> None:
        self.model.unresolved.append(
            Unresolved(location.file, location.line, resource, expression, why)
        )

    def children(self, instance: Instance, depth: int) -> None:
        for name, call in instance.module.calls.items():
            address = f"{instance.prefix}module.{name}"
            source = call.attributes.get("source")
            where = source.location if source else call.location
            shown = "(no source)"
            if source is not None:
                expr = source.expr
                shown = str(expr.value) if isinstance(expr, Literal) else expr.text
            directory, why = local_source(call, instance.module.directory), ""
            if directory is None:
                directory, why = self._installed(instance, name, shown)
            if directory is not None:
                why = _not_read(directory, instance, depth, self.loader)
            if why:
                self.unresolved(where, address, shown, why)
                instance.children[name] = Unknown(address, why, where)
                continue
            assert directory is not None
            repetition = self.evaluator.repetition(call, Scope(instance))
            if repetition is not None and repetition.instances == ():
                instance.children[name] = Unknown(address, "the module has no instances", where)
                continue
            if repetition is not None and repetition.unknown is not None:
                self._assumed(repetition.unknown, address)
            module = self.loader.module(directory)
            keyed = [
                Instance(
                    module,
                    instance.root,
                    prefix=f"{address}{_instance_key(bindings)}.",
                    caller=(call, Scope(instance).bind(**bindings)),
                )
                for bindings, _ in (repetition.instances if repetition else None) or ()
            ]
            if len(keyed) == 1:  # count = 1 (a module that may be switched off)
                child = keyed[0]
            else:  # references see every instance at once, each value tagged with its key
                child = Instance(
                    module,
                    instance.root,
                    prefix=f"{address}.",
                    caller=(call, Scope(instance, repetition=repetition)),
                )
            instance.children[name] = child
            instance.instances[name] = keyed or [child]
            for each in instance.instances[name]:
                self.children(each, depth + 1)
            if child not in instance.instances[name]:
                self.children(child, depth + 1)

    def _installed(self, instance: Instance, name: str, source: str) -> tuple[Path | None, str]:
        """Where ``terraform init`` installed a remote module call, or why it is not read."""
        manifest = self._manifest(instance.root)
        installed = manifest.modules.get(_module_key(instance, name)) if manifest else None
        if manifest is None or installed is None:
            return None, REMOTE_MODULE
        if installed.directory is None:
            return None, f"{manifest.file} records it outside .terraform/modules; not read"
        if not same_source(source, installed.source):
            return None, "its source changed since `terraform init`; run it again to check it"
        self.loader.installed.add(installed.directory)
        return installed.directory, ""

    def _manifest(self, root: Path) -> Manifest | None:
        """The root's modules.json, read when a remote module call first needs it."""
        if root not in self.manifests:
            manifest = read_manifest(root)
            if isinstance(manifest, Error):
                self.loader.result.errors.append(manifest)
                manifest = None
            self.manifests[root] = manifest
        return self.manifests[root]

    def _assumed(self, unknown: Unknown, address: str) -> None:
        self.unresolved(
            unknown.location, address, unknown.expression, f"{unknown.why}; assumed to exist"
        )

    def resources(self, instance: Instance) -> list[Resource]:
        found: list[Resource] = []
        for address, block in instance.module.resources.items():
            self.model.resources += 1
            repetition = self.evaluator.repetition(block, Scope(instance))
            if repetition is not None and repetition.instances == ():
                continue  # count = 0 or an empty for_each: never created
            data = address.startswith("data.")
            iam = (f"data.{block.labels[0]}" if data else block.labels[0]) in IAM_TYPES
            if repetition is not None and repetition.unknown is not None and iam:
                self._assumed(repetition.unknown, instance.prefix + address)
            found.append(
                Resource(
                    instance.prefix + address,
                    block.labels[0],
                    block,
                    Scope(instance, repetition=repetition),
                    data=data,
                )
            )
        for instances in instance.instances.values():
            for child in instances:
                assert child.caller is not None
                call = (self.scope, child.call_name)
                self.model.module_calls[call] = child.caller[0].location
                found.extend(self.resources(child))
        return found


def _instance_key(bindings: dict[str, TfValue]) -> str:
    """``["k"]`` for a ``for_each`` instance, ``[0]`` for a ``count`` one."""
    if "count" in bindings:
        index = bindings["count"]
        assert isinstance(index, Located) and isinstance(index.value, dict)
        return f"[{plain(index.value['index'])}]"
    each = bindings["each"]
    assert isinstance(each, Located) and isinstance(each.value, dict)
    return "[" + json.dumps(plain(each.value["key"])) + "]"  # control characters escaped


def _not_read(directory: Path, instance: Instance, depth: int, loader: Loader) -> str:
    """Why a called module directory is not read; empty when it is."""
    if not observed.is_dir(directory):
        return "the module directory does not exist"
    if not loader.inside(directory):
        return OUTSIDE_MODULE
    if depth >= MAX_MODULE_DEPTH:
        return "modules nested too deeply"
    if directory.resolve() in _ancestors(instance):
        return "the module calls itself"
    return ""


def _module_key(instance: Instance, name: str) -> str:
    """A call's key in modules.json: the call names from the root, without instance keys."""
    names = [name]
    while instance.caller is not None:
        names.append(instance.caller[0].labels[0])
        instance = instance.caller[1].instance
    return ".".join(reversed(names))


def _ancestors(instance: Instance) -> set[Path]:
    """The module directories of ``instance`` and of every instance that calls it."""
    found = {instance.module.directory.resolve()}
    while instance.caller is not None:
        instance = instance.caller[1].instance
        found.add(instance.module.directory.resolve())
    return found
