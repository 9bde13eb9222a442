"""The Terraform examples in every check's documentation do what they say: the
``## Example`` block fires the check, the ``## Use instead`` block does not."""

import re
from pathlib import Path

import pytest
from helpers import run

from iacguard.checks import CHECKS
from iacguard.checks.base import Check

_HCL = re.compile(r"```hcl\n(.*?)```", re.DOTALL)


def hcl_block(check: type[Check], section: str) -> str:
    blocks = _HCL.findall(check.documentation()[section])
    assert len(blocks) == 1, f"{check.id} ## {section} needs one ```hcl block"
    return str(blocks[0])


def rules_fired(source: str, directory: Path) -> set[str]:
    (directory / "main.tf").write_text(source)
    result = run(directory)
    assert result.errors == []
    return {f.rule_id for f in result.findings}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_the_example_fires_the_check(check: type[Check], tmp_path: Path) -> None:
    assert check.id in rules_fired(hcl_block(check, "Example"), tmp_path)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_the_alternative_does_not(check: type[Check], tmp_path: Path) -> None:
    assert check.id not in rules_fired(hcl_block(check, "Use instead"), tmp_path)
