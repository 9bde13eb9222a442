"""The imports follow the layers of the design: an arrow is "may import", and none
points back.

```
 cli ─► arguments, commands ─► engine ─┬─► discover (the walker) ─► formats, paths
          │  │              ├─► parsing (the scheduler) ─► formats, runner, cache
          │  │              ├─► formats ─► parsers ─► resolve ─► model   (terraform_* ⟂ cloudformation)
          │  │              └─► checks ─► findings ─► model        (checks read Settings, not Config)
          │  └─► report ─► findings, checks (rule docs)
          └─► config ─► checks (registry, options), limits
 cfnlint ─► engine, config, parsers.cloudformation
```

``records`` (the ``dataclass`` decorator) is beneath every layer, the model's too, and
imports nothing of iacguard.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a
deferred import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "iacguard"

# (importer prefix, imported prefix, why not)
FORBIDDEN = [
    ("iacguard.checks", "iacguard.config", "a check reads plain settings, not the config"),
    ("iacguard.checks", "iacguard.parsers", "checks know only the model"),
    ("iacguard.checks", "iacguard.resolve", "checks know only the model"),
    ("iacguard.checks", "iacguard.engine", "the engine calls the checks"),
    ("iacguard.checks", "iacguard.report", "checks report findings, not output"),
    ("iacguard.report", "iacguard.engine", "reporters know only findings"),
    ("iacguard.report", "iacguard.parsers", "reporters know only findings"),
    ("iacguard.report", "iacguard.config", "reporters know only findings"),
    ("iacguard.parsers", "iacguard.discover", "parsers read what they are given"),
    ("iacguard.parsers", "iacguard.formats", "a parser knows its format, not the others"),
    ("iacguard.formats", "iacguard.engine", "the engine calls the formats"),
    ("iacguard.formats", "iacguard.parsing", "the scheduler is handed to the readers"),
    ("iacguard.parsing", "iacguard.engine", "the engine calls the scheduler"),
    ("iacguard.parsing", "iacguard.parsers", "the scheduler parses through the formats"),
    ("iacguard.formats", "iacguard.discover", "the walk asks the formats"),
    ("iacguard.engine", "iacguard.parsers", "the engine reaches parsers through the formats"),
    ("iacguard.discover", "iacguard.parsers", "the walk asks the formats which files to keep"),
    ("iacguard.parsers", "iacguard.engine", "the engine calls the parsers"),
    ("iacguard.parsers", "iacguard.checks", "parsers know nothing after the model"),
    ("iacguard.parsers", "iacguard.report", "parsers know nothing after the model"),
    ("iacguard.parsers", "iacguard.config", "parsers are handed their limits"),
    ("iacguard.resolve", "iacguard.parsers", "resolvers work on nodes the parsers hand over"),
    ("iacguard.resolve.terraform", "iacguard.resolve.cloudformation", "formats apart"),
    ("iacguard.formats.cloudformation", "iacguard.parsers.terraform", "plans are a format"),
    ("iacguard.parsers.cloudformation", "iacguard.parsers.terraform_plan", "plans are a format"),
    ("iacguard.resolve.cloudformation", "iacguard.resolve.terraform", "formats apart"),
    ("iacguard.config", "iacguard.parsers", "the config is settings, not formats"),
    ("iacguard.config", "iacguard.engine", "the config is settings"),
    ("iacguard.config_file", "iacguard.checks", "reading a config file knows no rule"),
    ("iacguard.config_file", "iacguard.config", "the settings are validated after reading"),
    ("iacguard.findings", "iacguard.engine", "findings are what the engine makes"),
    ("iacguard.model", "iacguard.", "the model is the bottom layer"),
    ("iacguard.records", "iacguard.", "records is beneath every layer"),
    ("iacguard.engine", "iacguard.cli", "the command line calls the engine"),
    ("iacguard.engine", "iacguard.commands", "the commands call the engine"),
    ("iacguard.commands", "iacguard.cli", "the command line calls the commands"),
    ("iacguard.engine", "iacguard.arguments", "arguments are the command line's"),
    ("iacguard.commands", "iacguard.arguments", "a command takes a request, not arguments"),
]
# records stands in for the standard library's dataclasses
BENEATH_EVERY_LAYER = {"iacguard.records"} | {
    f"iacguard.records.{name}" for name in ("dataclass", "field", "fields", "replace", "is_record")
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every iacguard module ``path`` imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("iacguard.")}


GRAPH = {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize(("importer", "imported", "why"), FORBIDDEN)
def test_no_import_points_back(importer: str, imported: str, why: str) -> None:
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in GRAPH.items()
        if module.startswith(importer)
        for name in names
        if name.startswith(imported) and name not in BENEATH_EVERY_LAYER
    )
    assert wrong == [], why


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import iacguard.model\n"
        "if TYPE_CHECKING:\n    from iacguard.config import Config\n"
        "def f():\n    from iacguard import engine\n",
        encoding="utf-8",
    )
    assert imports(module) == {
        "iacguard.model",
        "iacguard.config",
        "iacguard.config.Config",
        "iacguard.engine",
    }


@pytest.mark.parametrize("module", ["engine", "parsing", "discover"])
def test_the_engine_and_the_walk_name_no_format(module: str) -> None:
    """They ask the registry (``iacguard.formats``): a new format is its module there."""
    text = (PACKAGE / f"{module}.py").read_text(encoding="utf-8").lower()
    named = [word for word in ("terraform", "cloudformation", "template", "tfvars") if word in text]
    assert named == []


# A Terraform resource type or a CloudFormation one (``AWS::IAM::Role``, not the pseudo
# parameter ``AWS::AccountId``).
RESOURCE_TYPE = re.compile(r"\baws_[a-z]|\bAWS::[A-Za-z0-9]+::")


def code_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module, without its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, documented)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_resolvers_name_no_resource_type() -> None:
    """What IAM resources are and what their computed attributes hold is the readers'
    knowledge; the resolvers evaluate values and take that knowledge as data."""
    named = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted((PACKAGE / "resolve").rglob("*.py"))
        for line, text in code_strings(path)
        if RESOURCE_TYPE.search(text)
    ]
    assert named == []


def test_a_resource_type_in_code_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docs may name aws_iam_user."""\n'
        'KNOWN = ("aws_iam_role.", "AWS::IAM::Role", "AWS::AccountId")\n',
        encoding="utf-8",
    )
    found = [text for _, text in code_strings(module) if RESOURCE_TYPE.search(text)]
    assert found == ["aws_iam_role.", "AWS::IAM::Role"]
