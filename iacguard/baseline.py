"""Baselines: the findings accepted when iacguard was adopted, by fingerprint.

Fingerprints use the rule, file, resource and offending element but no line numbers, so
a baseline survives edits above its findings. A finding made of several parts (each
wildcard of a statement) is recorded with a fingerprint per part as well: it stays
accepted when a part is removed or the parts are reordered, and is new when a part is
added. An entry that matches no finding of a scanned file is reported, as unused
suppressions are, so a baseline does not keep accepting what was fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

from iacguard import __version__
from iacguard.atomic import write_text
from iacguard.config import ConfigError
from iacguard.findings import Finding
from iacguard.records import dataclass, field

VERSION = 1


@dataclass(frozen=True, slots=True)
class Entry:
    fingerprint: str
    rule_id: str = ""
    file: str = ""
    resource: str = ""
    parts: frozenset[str] = frozenset()


@dataclass(slots=True)
class Baseline:
    entries: tuple[Entry, ...] = ()
    _fingerprints: dict[str, Entry] = field(default_factory=dict)
    _parts: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._fingerprints[entry.fingerprint] = entry
            for part in entry.parts:
                self._parts[part] = entry

    def match(self, finding: Finding) -> list[Entry]:
        """The entries that accept ``finding`` (none when it is new)."""
        entry = self._fingerprints.get(finding.fingerprint)
        if entry is not None:
            return [entry]
        parts = finding.part_fingerprints
        if parts and all(p in self._parts for p in parts):
            return [self._parts[p] for p in parts]
        return []


def read_baseline(path: str) -> Baseline:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a baseline file: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("version") != VERSION
        or not isinstance(entries, list)
    ):
        raise ConfigError(
            f"{path}: not a version {VERSION} baseline (write one with --write-baseline)"
        )
    return Baseline(
        tuple(
            Entry(
                e["fingerprint"],
                str(e.get("rule_id", "")),
                str(e.get("file", "")),
                str(e.get("resource", "")),
                frozenset(p for p in e.get("parts", ()) if isinstance(p, str)),
            )
            for e in entries
            if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
        )
    )


def write_baseline(path: str, findings: list[Finding]) -> int:
    """Record every finding not already suppressed some other way; return how many."""
    entries = []
    for f in findings:
        if f.suppression is not None and f.suppression.kind != "baseline":
            continue
        entry: dict[str, str | list[str]] = {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "file": f.location.file,
            "resource": f.resource,
            "message": f.message,
        }
        if f.parts:
            entry["parts"] = sorted(f.part_fingerprints)
        entries.append(entry)
    document = {
        "version": VERSION,
        "tool": {"name": "iacguard", "version": __version__},
        "findings": entries,
    }
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(entries)
