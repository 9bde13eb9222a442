"""JUnit XML, the test report every CI reads (GitLab ``artifacts:reports:junit``,
Jenkins, Azure DevOps): one test suite per rule that found something, one failing test
case per finding; a suppressed finding is a skipped case with its reason; files that
could not be checked are error cases. A clean scan is one passing case, so the report
shows a green result rather than nothing."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree

from iacguard.findings import Finding, ScanResult

# Characters XML 1.0 forbids even escaped (controls but tab, LF and CR; lone surrogates;
# U+FFFE, U+FFFF): names and messages come from the scanned files. ElementTree escapes
# the rest (& < > ").
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _FORBIDDEN.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _case(suite: ElementTree.Element, finding: Finding) -> None:
    loc = finding.location
    case = ElementTree.SubElement(
        suite,
        "testcase",
        name=clean(f"{finding.resource_label} ({loc.file}:{loc.line}:{loc.column})"),
        classname=clean(loc.file),
        time="0",
    )
    if finding.suppression is not None:
        reason = finding.suppression.reason or "no reason given"
        ElementTree.SubElement(
            case, "skipped", message=clean(f"suppressed by {finding.suppression.kind}: {reason}")
        )
        return
    failure = ElementTree.SubElement(
        case,
        "failure",
        message=clean(finding.message),
        type=f"{finding.severity.value.upper()} {finding.rule_id}",
    )
    failure.text = clean(
        f"{loc.file}:{loc.line}:{loc.column}  {finding.severity.value.upper()}  "
        f"{finding.rule_id} {finding.rule}  {finding.resource_label}  {finding.message}\n"
        f"See `iacguard explain {finding.rule_id}`."
    )


def _suite(
    root: ElementTree.Element, name: str, *, tests: int, failures: int = 0, errors: int = 0,
    skipped: int = 0,
) -> ElementTree.Element:  # fmt: skip
    return ElementTree.SubElement(
        root, "testsuite", name=name, tests=str(tests), failures=str(failures),
        errors=str(errors), skipped=str(skipped), time="0",
    )  # fmt: skip


def render(result: ScanResult) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[f"{finding.rule_id} {finding.rule}"].append(finding)
    failures = len(result.unsuppressed)
    root = ElementTree.Element(
        "testsuites",
        name="iacguard",
        tests=str(len(result.findings) + len(result.errors) or 1),
        failures=str(failures),
        errors=str(len(result.errors)),
        time="0",
    )
    for name in sorted(by_rule):
        findings = by_rule[name]
        shown = sum(1 for f in findings if f.suppression is None)
        suite = _suite(
            root, name, tests=len(findings), failures=shown, skipped=len(findings) - shown
        )
        for finding in findings:
            _case(suite, finding)
    if result.errors:
        count = len(result.errors)
        suite = _suite(root, "iacguard errors", tests=count, errors=count)
        for error in result.errors:
            where = error.file or "iacguard"  # no file: about the scan
            where += f":{error.line}" if error.file and error.line else ""
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=clean(where),
                classname=clean(error.file or "iacguard"),
                time="0",
            )
            ElementTree.SubElement(case, "error", message=clean(error.message)).text = clean(
                f"{where}: error: {error.message}"
            )
    if not result.findings and not result.errors:
        suite = _suite(root, "iacguard", tests=1)
        files = len(result.scanned)
        ElementTree.SubElement(
            suite, "testcase", name=f"no findings in {files} file{'s' if files != 1 else ''}",
            classname="iacguard", time="0",
        )  # fmt: skip
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
