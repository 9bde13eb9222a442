"""``iacguard rules`` and ``iacguard explain``: the registry and the checks' own docs."""

from __future__ import annotations

import sys

from iacguard.commands import EXIT_ERROR, EXIT_OK


def rules(fmt: str) -> int:
    """Every check, one line each, or a JSON list."""
    from iacguard.checks import CHECKS

    if fmt == "json":
        import json

        rows = [
            {"id": c.id, "slug": c.slug, "severity": c.severity.value, "summary": c.summary}
            for c in CHECKS
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(c.slug) for c in CHECKS)
    for c in CHECKS:
        print(f"{c.id}  {c.slug:<{width}}  {c.severity.value:<8}  {c.summary}")
    return EXIT_OK


def explain(key: str) -> int:
    """One check's documentation, from its docstring."""
    from iacguard.checks import CHECKS, find_check

    check = find_check(key)
    if check is None:
        known = ", ".join(f"{c.id} ({c.slug})" for c in CHECKS)
        print(f"iacguard: error: no rule {key!r}; the rules are {known}", file=sys.stderr)
        return EXIT_ERROR
    doc = check.documentation()
    print(f"{check.id} {check.slug} ({check.severity.value})")
    print()
    print(doc[""])
    for heading, body in doc.items():
        if heading:
            print()
            print(f"## {heading}")
            print(body)
    return EXIT_OK
