"""SAM policy templates (``S3CrudPolicy: {BucketName: !Ref Bucket}``) expanded to the policy
document SAM deploys, so every identity-policy rule reads them like written statements.

The definitions come from the installed aws-sam-translator (a dependency of cfn-lint, and
the code SAM itself deploys with), read as data: the file is 73 KB and reading it costs
under a millisecond, so a generated copy would only add a refresh step that can go stale.
Nothing of samtranslator is imported.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path("policy_templates_data", "policy_templates.json")


class TemplateProblem(Exception):
    """A policy template used with arguments SAM would refuse."""


@cache
def definitions() -> dict[str, dict[str, Any]]:
    """Every template by name; empty when aws-sam-translator is not installed."""
    spec = importlib.util.find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations)), _DATA)
    try:
        templates = json.loads(path.read_text(encoding="utf-8"))["Templates"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return templates if isinstance(templates, dict) else {}


def version() -> str | None:
    """The aws-sam-translator version the definitions come from."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("aws-sam-translator")
    except PackageNotFoundError:
        return None


def expand(name: str, arguments: Any) -> dict[str, Any] | None:
    """The policy document of template ``name`` with ``arguments`` substituted for its
    parameters; None when no template has that name. The arguments are kept as written
    (intrinsics included), so the template's ``Fn::Sub`` resolves them like any other."""
    template = definitions().get(name)
    if template is None:
        return None
    parameters = template.get("Parameters") or {}
    given = arguments if isinstance(arguments, dict) else {}
    if arguments not in (None, "") and not isinstance(arguments, dict):
        raise TemplateProblem(f"{name} takes a mapping of its parameters")
    missing = [p for p in parameters if p not in given]
    if missing:
        raise TemplateProblem(f"{name} needs the parameter {', '.join(missing)}")
    document: dict[str, Any] = _substitute(template["Definition"], parameters, given)
    return document


def _substitute(value: Any, parameters: dict[str, Any], given: dict[Any, Any]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "Ref" in value and value["Ref"] in parameters:
            return given[value["Ref"]]
        return {k: _substitute(v, parameters, given) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, parameters, given) for v in value]
    return value
