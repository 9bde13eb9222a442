"""Every format rendered on the report fixtures, compared with the committed snapshot:
what a reviewer sees in a terminal, a pipeline, code scanning and the job summary.

``IACGUARD_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_report_snapshots.py`` rewrites
the snapshots; review the diff before committing it.
"""

from __future__ import annotations

import json as json_module
import os

import pytest
from helpers import ROOT, run

from iacguard.engine import ScanResult
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


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("IACGUARD_UPDATE_SNAPSHOTS"):
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}; run with IACGUARD_UPDATE_SNAPSHOTS=1 to create it")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} differs from its snapshot; if the change is intended, "
        "rerun with IACGUARD_UPDATE_SNAPSHOTS=1 and review the diff"
    )


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_each_format_matches_its_snapshot(name: str) -> None:
    assert_snapshot(name, RENDERERS[name](run(REPORT_FIXTURES)))
