"""Every format rendered on the report fixtures, compared with the committed snapshot:
what a reviewer sees in a terminal, a pipeline, code scanning and the job summary.

``IACGUARD_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_report_snapshots.py`` rewrites
the snapshots; review the diff before committing it.
"""

from __future__ import annotations

import json as json_module

import pytest
from helpers import ROOT, assert_snapshot, run

from iacguard.findings import ScanResult
from iacguard.report import github, gitlab, json, junit, sarif, summary, text

REPORT_FIXTURES = "fixtures/cloudformation/report"
SNAPSHOTS = ROOT / "tests" / "snapshots"
STOP_TOKEN = "0123456789abcdef0123456789abcdef"


def _sarif(result: ScanResult) -> str:
    """The log with the source root named ROOT (it is wherever this checkout is) and each
    rule's help shortened to where it comes from: the checks' docstrings have their own
    tests, and a docstring edit should not rewrite this snapshot."""
    log = json_module.loads(sarif.render(result, root=ROOT).replace(ROOT.as_uri(), "file:///ROOT"))
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        source = f"<the docstring of {rule['id']}>"
        rule["fullDescription"]["text"] = source
        rule["help"] = {"text": source, "markdown": source}
    return json_module.dumps(log, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {
    "report.txt": text.render,
    "report.json": json.render,
    "report.sarif": _sarif,
    "report.github.txt": lambda result: github.render(result, stop_token=STOP_TOKEN),
    "report.summary.md": summary.render,
    "report.junit.xml": junit.render,
    "report.gitlab.json": gitlab.render,
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_each_format_matches_its_snapshot(name: str) -> None:
    assert_snapshot(SNAPSHOTS / name, RENDERERS[name](run(REPORT_FIXTURES)))
