"""``.terraform/modules/modules.json``: where ``terraform init`` put each module call.

Terraform records every module call of a root module by its key (the call names from the
root joined by dots, ``iam.policy``; no instance keys), with the source it was installed
from and the directory it was installed in, relative to the root module. Nothing is ever
downloaded: a remote module is read only from the directory recorded here, and only
when that directory is under the root's ``.terraform/modules`` (the file is input like
any other, so a ``Dir`` of ``../../..`` reads nothing).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from iacguard import observed
from iacguard.errors import Error
from iacguard.parsers.source import SourceError, read_text
from iacguard.paths import display_path
from iacguard.records import dataclass

MANIFEST = Path(".terraform") / "modules" / "modules.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
_REGISTRY = "registry.terraform.io/"


@dataclass(frozen=True, slots=True)
class Installed:
    source: str
    directory: Path | None  # None: recorded outside .terraform/modules; not read


@dataclass(frozen=True, slots=True)
class Manifest:
    file: str  # as shown to users
    modules: dict[str, Installed]


def read_manifest(root: Path) -> Manifest | Error | None:
    """The manifest of the root module in ``root``; None when ``terraform init`` has not
    run there, an Error when the file cannot be read."""
    path = root / MANIFEST
    if not observed.is_file(path):
        return None
    file = display_path(path)
    try:
        data = json.loads(read_text(path, MAX_MANIFEST_BYTES))
    except SourceError as exc:
        return Error(exc.kind, exc.message, file, exc.line)
    except (ValueError, RecursionError) as exc:
        return Error("parse", f"not valid JSON: {exc}", file)
    entries = data.get("Modules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return Error("parse", 'not a Terraform modules manifest: no "Modules" list', file)
    base = Path(os.path.realpath(root / MANIFEST.parent))
    modules: dict[str, Installed] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key, source, directory = entry.get("Key"), entry.get("Source"), entry.get("Dir")
        if not (isinstance(key, str) and isinstance(source, str) and isinstance(directory, str)):
            continue
        try:
            resolved: Path | None = Path(os.path.realpath(root / directory))
        except (ValueError, OSError):  # a NUL byte, a name too long
            resolved = None
        inside = resolved is not None and resolved.is_relative_to(base)
        modules[key] = Installed(source, resolved if inside else None)
    return Manifest(file, modules)


def same_source(written: str, installed: str) -> bool:
    """Whether a call's ``source`` is still the one installed. Terraform records registry
    addresses with their host (``registry.terraform.io/ns/name/aws//sub``) and other
    sources as normalised (``git::https://…``), so only registry addresses are compared;
    for the others ``terraform init`` itself refuses a changed source."""
    if not installed.startswith(_REGISTRY):
        return True
    return installed.removeprefix(_REGISTRY) == written.removeprefix(_REGISTRY)
