"""The generated documentation, all from the check registry: the README's tables of
rules, check options and cfn-lint ids, and ``docs/rules.md``, one section per rule from
its docstring; and the last lines of the README's quick start (the summary), from a scan
of the fixtures (a new rule or fixture changes them).

``python -m iacguard.docs`` rewrites them in the repository it runs in;
``python -m iacguard.docs --check`` only says which are stale (exit 1), as the tests do.
In the README, a generated part sits between ``<!-- generated: NAME -->`` and
``<!-- end generated: NAME -->``; the rest of the file is written by hand.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from iacguard.checks import CHECKS, OPTIONS
from iacguard.checks.base import DOC_SECTIONS, Check
from iacguard.checks.options import Option

README = "README.md"
REFERENCE = "docs/rules.md"


def rules_table() -> str:
    rows = [
        f"| [{c.id}]({REFERENCE}#{c.slug}) | `{c.slug}` | {severities(c)} | {c.summary} |"
        for c in CHECKS
    ]
    return _table(("id", "slug", "severity", "what it finds"), rows)


def options_table() -> str:
    rows = [
        f"| `{_flag(o)}` | `{o.name}` | `{o.shown(o.default)}` | {_users(o)} | {o.help} |"
        for o in OPTIONS
    ]
    return _table(("flag", "config key", "default", "rule", "meaning"), rows)


def cfnlint_table() -> str:
    from iacguard.cfnlint.pack import ERROR_RULE_ID, rule_id

    levels = {"E": "error", "W": "warning", "I": "informational"}
    rows = [f"| {c.id} `{c.slug}` | {rule_id(c)} | {levels[rule_id(c)[0]]} |" for c in CHECKS]
    rows.append(
        f"| — | {ERROR_RULE_ID} | error: iacguard could not check the template or part of it, "
        "or a rule option is wrong |"
    )
    return _table(("iacguard", "cfn-lint", "level"), rows)


def cfnlint_options_table() -> str:
    from iacguard.cfnlint.pack import rule_id

    rows = [
        f"| {rule_id(c)} | `{o.name}` | `{o.shown(o.default)}` | {o.help} |"
        for c in CHECKS
        for o in c.options
    ]
    return _table(("rule", "option", "default", "meaning"), rows)


def reference() -> str:
    """``docs/rules.md``: every rule with its anchor (its slug, which SARIF's ``helpUri``
    points at), its severity, options and docstring."""
    parts = [
        "# iacguard rules\n",
        "Generated from the checks' docstrings by `python -m iacguard.docs`; do not edit.\n",
        "\n".join(f"- [{c.id} `{c.slug}`](#{c.slug}): {c.summary}" for c in CHECKS) + "\n",
    ]
    for check in CHECKS:
        doc = check.documentation()
        section = [
            f'<a id="{check.slug}"></a>\n\n## {check.id} `{check.slug}`\n',
            f"{doc['']}\n",
            f"Severity: {severities(check)}. Suppress a finding with a comment "
            f"`# iacguard: ignore[{check.slug}] reason` (or `ignore[{check.id}]`).\n",
        ]
        if check.options:
            rows = [
                f"| `{o.name}` | `{_flag(o)}` | `{o.shown(o.default)}` | {o.help} |"
                for o in check.options
            ]
            section.append(
                "Options:\n\n" + _table(("config key", "flag", "default", "meaning"), rows)
            )
        section += [f"### {heading}\n\n{doc[heading]}\n" for heading in DOC_SECTIONS]
        parts.append("\n".join(section))
    return "\n".join(parts)


def severities(check: type[Check]) -> str:
    return " / ".join(s.value for s in check.severities or (check.severity,))


# the README's generated parts, by marker name
SECTIONS: dict[str, Callable[[], str]] = {
    "rules": rules_table,
    "options": options_table,
    "cfn-lint-rules": cfnlint_table,
    "cfn-lint-options": cfnlint_options_table,
}


def generated(root: Path) -> dict[Path, str]:
    """Every generated file with what it should hold."""
    readme = root / README
    text = readme.read_text(encoding="utf-8")
    for name, make in SECTIONS.items():
        text = _replace(text, name, make())
    text = _replace_quick_start_summary(text, root)
    return {readme: text, root / REFERENCE: reference()}


def stale(root: Path) -> list[str]:
    """The generated files that differ from what the registry gives."""
    return [
        str(path.relative_to(root))
        for path, text in generated(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def _replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- generated: {re.escape(name)} -->\n).*?(<!-- end generated: {re.escape(name)} -->)",
        re.DOTALL,
    )
    if not pattern.search(text):
        raise ValueError(f"{README} has no <!-- generated: {name} --> section")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text, count=1)


def _replace_quick_start_summary(text: str, root: Path) -> str:
    """The last lines of the output the quick start shows, from the summary on (what was
    found, what could not be checked), as its command prints them now."""
    start = text.index("## Quick start")
    command = re.compile(r"```sh\n(iacguard check \S+)\n```").search(text, start)
    if command is None:
        raise ValueError(f"{README}'s quick start has no iacguard check command")
    block = r"\n```\n((?:(?!```).*\n)*?)((?:\d+ findings? |No findings).*\n(?:(?!```).*\n)*)```"
    shown = re.compile(block).search(text, command.end())
    if shown is None:
        raise ValueError(f"{README}'s quick start shows no summary line")
    printed = _printed(command[1].split()[1:], root).splitlines()
    summary = re.compile(r"^(?:\d+ findings? |No findings)")
    first = max((i for i, line in enumerate(printed) if summary.match(line)), default=0)
    tail = "".join(line + "\n" for line in printed[first:])
    return text[: shown.start(2)] + tail + text[shown.end(2) :]


def _printed(args: list[str], root: Path) -> str:
    """What ``iacguard ARGS`` prints in ``root``."""
    import contextlib
    import io
    import os

    from iacguard.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(args)
    finally:
        os.chdir(previous)
    return out.getvalue()


def _table(header: Sequence[str], rows: Sequence[str]) -> str:
    head = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
    return head + "".join(row + "\n" for row in rows)


def _flag(option: Option[Any]) -> str:
    if option.kind == "boolean":
        return option.cli_flag
    return f"{option.cli_flag} {option.metavar}"


def _users(option: Option[Any]) -> str:
    return ", ".join(f"`{c.slug}`" for c in CHECKS if option in c.options)


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    root = Path.cwd()
    if args == ["--check"]:
        outdated = stale(root)
        for name in outdated:
            print(f"{name} is stale: run python -m iacguard.docs", file=sys.stderr)
        return 1 if outdated else 0
    if args:
        print("usage: python -m iacguard.docs [--check]", file=sys.stderr)
        return 2
    for path, text in generated(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
