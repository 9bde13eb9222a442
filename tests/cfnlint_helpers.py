"""Run cfn-lint with the iacguard pack, in-process (``cfnlint.api``) or as the cfn-lint
command, and describe the pack's matches the way a user reads them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cfnlint.api import ManualArgs, lint_file
from cfnlint.match import Match
from cfnlint.rules import CloudFormationLintRule, Rules
from helpers import ROOT

PACK = "iacguard.cfnlint"
CFN = "fixtures/cloudformation/cfnlint"
CFN_LINT_SCRIPT = "import sys; from cfnlint.runner import main; sys.exit(main())"


def _build_built_in_rules_once() -> None:
    """Each in-process cfn-lint run builds its 574 built-in rules from their directory,
    most of a second each time; build them once per test session. Sharing the rule
    objects is safe: every run configures and initializes each rule before using it."""
    built: dict[str, list[CloudFormationLintRule]] = {}
    create = Rules.create_from_directory

    def create_from_directory(rulesdir: str) -> Rules:
        if rulesdir not in built:
            built[rulesdir] = list(create(rulesdir).values())
        return Rules._from_list(built[rulesdir])

    Rules.create_from_directory = staticmethod(create_from_directory)


_build_built_in_rules_once()


def lint(path: str, **config: Any) -> list[Match]:
    """cfn-lint on one template with the pack appended, as ``-a iacguard.cfnlint`` does."""
    return lint_file(Path(path), config=ManualArgs(append_rules=[PACK], **config))


def is_pack_rule(rule_id: str) -> bool:
    return rule_id[1:3] == "91"


def described(matches: Iterable[Match]) -> list[str]:
    """``E9102 29:21 message``, one per match of the pack's rules, in file order."""
    ordered = sorted(matches, key=lambda m: (m.linenumber, m.columnnumber, m.rule.id))
    return [
        f"{m.rule.id} {m.linenumber}:{m.columnnumber} {m.message}"
        for m in ordered
        if is_pack_rule(m.rule.id)
    ]


def cfn_lint_command(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The cfn-lint command (its console script calls ``cfnlint.runner.main``), run with
    the interpreter of the tests and this checkout's iacguard importable."""
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return subprocess.run(
        [sys.executable, "-c", CFN_LINT_SCRIPT, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
        capture_output=True,
        text=True,
        check=False,
    )
