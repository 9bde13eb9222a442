"""Baselines: the findings accepted when iacguard was adopted, by fingerprint.

Fingerprints use the rule, file, resource and offending element but no line numbers, so
a baseline survives edits above its findings.
"""

from __future__ import annotations

import json
from pathlib import Path

from iacguard import __version__
from iacguard.atomic import write_text
from iacguard.config import ConfigError
from iacguard.findings import Finding

VERSION = 1


def read_baseline(path: str) -> frozenset[str]:
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
    return frozenset(
        e["fingerprint"] for e in entries if isinstance(e, dict) and "fingerprint" in e
    )


def write_baseline(path: str, findings: list[Finding]) -> int:
    """Record every finding not already suppressed some other way; return how many."""
    entries = [
        {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "file": f.location.file,
            "resource": f.resource,
            "message": f.message,
        }
        for f in findings
        if f.suppression is None or f.suppression.kind == "baseline"
    ]
    document = {
        "version": VERSION,
        "tool": {"name": "iacguard", "version": __version__},
        "findings": entries,
    }
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(entries)
