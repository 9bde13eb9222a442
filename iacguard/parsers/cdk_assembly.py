"""CDK cloud assemblies (``cdk.out``): the templates a synthesized app deploys.

``manifest.json`` lists the assembly's artifacts: each stack (``aws:cloudformation:stack``)
names its template, each stage (``cdk:cloud-assembly``) the directory of a nested assembly.
A stack's nested stacks are its ``AWS::CloudFormation::Stack`` resources whose
``aws:asset:path`` metadata names their template; the asset manifests
(``cdk:asset-manifest``) name every template as a file asset too, which finds them when
asset metadata is off (``--no-asset-metadata``, integration test snapshots). Those
templates are what a scan reads, each once; the rest (``tree.json``, the ``asset.*``
directories of Lambda code, Docker contexts) is not IaC and is not read. A manifest is
input like any other: a file it names is read only inside the assembly's directory, never
through ``..``, an absolute path or a link that leaves it. What it asks the file system
goes through the recorded helpers (``iacguard.observed``): a warm replay notices a
changed assembly.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from iacguard import observed
from iacguard.errors import Error, ErrorKind
from iacguard.parsers.source import SourceError, nested_too_deeply, read_head, read_text
from iacguard.paths import display_path
from iacguard.records import dataclass, field

MANIFEST = "manifest.json"
# Beside manifest.json, either tells a cloud assembly: ``cdk.out`` (its schema version,
# in every assembly the CDK writes) or ``tree.json`` (the construct tree).
MARKERS = ("cdk.out", "tree.json")
_STACK = "aws:cloudformation:stack"
_NESTED_ASSEMBLY = "cdk:cloud-assembly"
_ASSETS = "cdk:asset-manifest"
_TEMPLATE_SUFFIX = ".template.json"  # stack.template.json, id.nested.template.json
_NESTED_STACK = "AWS::CloudFormation::Stack"
_ASSET_PATH = "aws:asset:path"
MAX_DEPTH = 16  # stages within stages, nested stacks within nested stacks
# A manifest lists every construct of the app: a large app's passes the 1 MiB that bounds
# a template. JSON this size still reads in a fraction of a second.
MAX_MANIFEST_BYTES = 32 * 1024 * 1024


# What the start of a cloud assembly's manifest holds (a JSON object with either key);
# a web app's manifest.json holds neither.
_MANIFEST_KEYS = (b'"version"', b'"artifacts"')
_HEAD_BYTES = 4096


def holds_assembly(directory: Path) -> bool:
    """Whether ``directory`` is a cloud assembly: a manifest.json that starts as one, and
    one of ``MARKERS`` beside it."""
    manifest = directory / MANIFEST
    if not observed.is_file(manifest):
        return False
    if not any(observed.is_file(directory / marker) for marker in MARKERS):
        return False
    if not Path(os.path.realpath(manifest)).is_relative_to(os.path.realpath(directory)):
        return True  # a link out of it is not read, even to tell: reading it says so
    head = read_head(manifest, _HEAD_BYTES)
    return any(key in head for key in _MANIFEST_KEYS)


@dataclass(slots=True)
class Assembly:
    """The templates of an assembly, in the order its manifests name them, and what is
    wrong with the manifests (and nested stack references)."""

    templates: list[Path] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    # a nested stack's template → the parameter values its parent stack gives it, where
    # they are known (``_passed``), and the parent's template
    passed: dict[Path, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    parents: dict[Path, Path] = field(default_factory=dict)


def read(directory: Path, seen: set[str]) -> Assembly:
    """The templates of the assembly in ``directory`` that are not in ``seen`` (real
    paths of the manifests and templates read before, to which this adds its own): an
    assembly is read once, and a stage named beside the assembly it is in too."""
    reader = _Reader(Path(os.path.realpath(directory)), seen)
    if reader.first(directory / MANIFEST):
        reader.manifest(directory, 0)
        reader.nested_stacks()
    return reader.found


class _Reader:
    def __init__(self, root: Path, seen: set[str]) -> None:
        self.root = root  # the assembly's real directory: nothing outside it is read
        self.found = Assembly()
        self.seen = seen

    def load(self, path: Path, what: str) -> tuple[str, Any] | None:
        """A JSON file's text and value; None (an error) when it cannot be read."""
        if not Path(os.path.realpath(path)).is_relative_to(self.root):
            self.error(display_path(path), "a link out of the cloud assembly; not read")
            return None
        try:
            text = read_text(path, MAX_MANIFEST_BYTES)
            return text, json.loads(text)
        except SourceError as exc:
            self.error(display_path(path), exc.message, exc.line, exc.kind)
        except json.JSONDecodeError as exc:
            self.error(display_path(path), f"not {what}: {exc.msg}", exc.lineno, "parse")
        except RecursionError:
            self.error(display_path(path), nested_too_deeply(), kind="limit")
        return None

    def manifest(self, directory: Path, depth: int) -> None:
        path = directory / MANIFEST
        file = display_path(path)
        loaded = self.load(path, "a cloud assembly manifest")
        if loaded is None:
            return
        text, manifest = loaded
        if not isinstance(manifest, dict):
            self.error(file, "not a cloud assembly manifest: not a JSON object", 1)
            return
        artifacts = manifest.get("artifacts", {})
        if not isinstance(artifacts, dict):
            self.error(file, "artifacts must be a mapping", _line(text, "artifacts"))
            return
        for name, artifact in artifacts.items():
            kind = artifact.get("type") if isinstance(artifact, dict) else None
            if not isinstance(kind, str) or kind not in _ARTIFACT_FILES:
                continue  # the tree, feature flag reports: not IaC
            properties = artifact.get("properties")
            key = _ARTIFACT_FILES[kind]
            value = properties.get(key) if isinstance(properties, dict) else None
            if not isinstance(value, str) or not value:
                why = f"artifact {name} ({kind}) has no {key}"
                self.error(file, why, _line(text, name))
                continue
            where = (file, _line(text, key, value))
            target = self.inside(directory, value, where)
            if target is None:
                continue
            if kind == _STACK:
                self.template(target, value, where)
            elif kind == _ASSETS:
                self.assets(target)
            elif depth >= MAX_DEPTH:
                self.at(where, f"{value}: assemblies nested over {MAX_DEPTH} deep; not read")
            elif not observed.is_dir(target):
                self.at(where, f"{value} is not a directory")
            elif self.first(target / MANIFEST):
                self.manifest(target, depth + 1)

    def assets(self, path: Path) -> None:
        """The templates an asset manifest lists among its file assets."""
        self.seen.add(os.path.realpath(path))  # read here: not a template to read again
        file = display_path(path)
        loaded = self.load(path, "an asset manifest")
        if loaded is None:
            return
        text, manifest = loaded
        files = manifest.get("files") if isinstance(manifest, dict) else None
        for asset in files.values() if isinstance(files, dict) else ():
            source = asset.get("source") if isinstance(asset, dict) else None
            name = source.get("path") if isinstance(source, dict) else None
            if isinstance(name, str) and name.endswith(_TEMPLATE_SUFFIX):
                where = (file, _line(text, "path", name))
                target = self.inside(path.parent, name, where)
                if target is not None:
                    self.template(target, name, where)

    def nested_stacks(self) -> None:
        """Add the templates of the nested stacks of every template found, and of theirs."""
        pending = [(template, 0) for template in self.found.templates]
        while pending:
            parent, depth = pending.pop()
            if depth < MAX_DEPTH:
                pending.extend((child, depth + 1) for child in self.children(parent))

    def children(self, parent: Path) -> list[Path]:
        """The nested stack templates ``parent`` names, as they are added."""
        try:
            text = read_text(parent, MAX_MANIFEST_BYTES)
        except SourceError:
            return []  # the template's own reading says why
        if _NESTED_STACK not in text:
            return []
        try:
            template = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return []  # likewise
        resources = template.get("Resources") if isinstance(template, dict) else None
        if not isinstance(resources, dict):
            return []
        added: list[Path] = []
        for resource in resources.values():
            if not isinstance(resource, dict) or resource.get("Type") != _NESTED_STACK:
                continue
            metadata = resource.get("Metadata")
            asset = metadata.get(_ASSET_PATH) if isinstance(metadata, dict) else None
            if not isinstance(asset, str) or not asset:
                continue  # a stack from a URL of its own: not in the assembly
            where = (display_path(parent), _line(text, _ASSET_PATH, asset))
            target = self.inside(parent.parent, asset, where)
            if target is None:
                continue
            self.found.parents[target] = parent
            passed = _passed(resource.get("Properties"), resources)
            if passed:
                self.found.passed[target] = passed
            if self.template(target, asset, where):
                added.append(target)
        return added

    def inside(self, directory: Path, name: str, where: tuple[str, int | None]) -> Path | None:
        """``directory / name`` when it is inside the assembly, else None (an error)."""
        pure = PurePosixPath(name.replace("\\", "/"))
        if "\0" in name:  # said alike by every Python (3.13 names the call that failed)
            self.at(where, f"{_shown(name)} cannot be read: embedded null byte")
            return None
        try:
            real = Path(os.path.realpath(directory / name))
            exists = real.exists()
        except (OSError, ValueError) as exc:  # a NUL, a name too long
            self.at(where, f"{_shown(name)} cannot be read: {getattr(exc, 'strerror', exc)}")
            return None
        if pure.is_absolute() or ".." in pure.parts or not real.is_relative_to(self.root):
            self.at(where, f"{_shown(name)} is outside the cloud assembly; not read")
            return None
        if not exists:
            self.at(where, f"{_shown(name)} does not exist; run `cdk synth` again")
            return None
        return directory / name

    def template(self, path: Path, name: str, where: tuple[str, int | None]) -> bool:
        if not observed.is_file(path):
            self.at(where, f"{_shown(name)} is not a file")
            return False
        if not self.first(path):
            return False
        self.found.templates.append(path)
        return True

    def first(self, path: Path) -> bool:
        real = os.path.realpath(path)
        if real in self.seen:
            return False
        self.seen.add(real)
        return True

    def error(
        self, file: str, message: str, line: int | None = None, kind: ErrorKind = "value"
    ) -> None:
        self.found.errors.append(Error(kind, message, file, line))

    def at(self, where: tuple[str, int | None], message: str) -> None:
        self.error(where[0], message, where[1])


def _passed(properties: Any, resources: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The values a nested stack resource gives its template's parameters, where they are
    known: a literal, or a ``Ref``/``Fn::GetAtt`` of a resource of the parent's template
    (``PASSED_RESOURCE``)."""
    from iacguard.resolve.cloudformation import PASSED_RESOURCE

    parameters = properties.get("Parameters") if isinstance(properties, dict) else None
    passed = []
    for name, value in parameters.items() if isinstance(parameters, dict) else ():
        if isinstance(value, bool):
            passed.append((str(name), "true" if value else "false"))
        elif isinstance(value, (str, int, float)):
            passed.append((str(name), str(value)))
        elif isinstance(value, dict) and len(value) == 1:
            function = value.get("Ref", value.get("Fn::GetAtt"))
            target = function[0] if isinstance(function, list) and function else function
            if isinstance(target, str) and target in resources:
                passed.append((str(name), PASSED_RESOURCE))
    return tuple(passed)


def _shown(name: str) -> str:
    """A name from a manifest, short enough for a message."""
    return name if len(name) <= 120 else name[:117] + "..."


# What each artifact type names, relative to its assembly.
_ARTIFACT_FILES = {
    _STACK: "templateFile",
    _NESTED_ASSEMBLY: "directoryName",
    _ASSETS: "file",
}


def _line(text: str, key: str, value: Any = None) -> int | None:
    """The line of the first ``"key": value`` (or of the key) in a JSON text."""
    pattern = re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:"
    if value is not None:
        pattern += r"\s*" + re.escape(json.dumps(value, ensure_ascii=False))
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None
