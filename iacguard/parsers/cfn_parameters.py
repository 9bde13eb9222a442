"""``--parameters``: CloudFormation parameter values that override the templates' defaults,
as ``--var-file`` does for Terraform.

Each argument is ``Key=Value`` or a file in the AWS CLI's form
(``[{"ParameterKey": "Env", "ParameterValue": "prod"}, …]``, what ``aws cloudformation
create-stack --parameters file://…`` takes). Later arguments win. A value applies to every
scanned template that declares the parameter; templates that do not declare it ignore it.
"""

from __future__ import annotations

import json
from pathlib import Path

from iacguard.parsers.source import SourceError, read_text
from iacguard.paths import display_path

MAX_PARAMETERS_BYTES = 1024 * 1024


class ParametersError(Exception):
    """A parameters argument that cannot be read; the message is one line, with file:line."""


def read_parameters(arguments: list[str]) -> tuple[tuple[str, str], ...]:
    """The parameter values the arguments give, in order (a later one wins)."""
    found: dict[str, str] = {}
    for argument in arguments:
        path = Path(argument)
        if _is_pair(argument):
            key, value = argument.split("=", 1)
            if not key:
                raise ParametersError(f"--parameters {argument}: expected Key=Value or a file")
            found[key] = value
        else:
            found.update(_file(path))
    return tuple(found.items())


def parameter_files(arguments: list[str]) -> list[str]:
    """The files among the arguments, as findings name files: a template's values depend
    on them, so PR mode keeps its findings when one of them changes."""
    return [display_path(Path(a)) for a in arguments if not _is_pair(a)]


def _is_pair(argument: str) -> bool:
    return "=" in argument and not Path(argument).is_file()


def _file(path: Path) -> dict[str, str]:
    file = display_path(path)
    if not path.is_file():
        raise ParametersError(f"{file}: no such parameters file")
    try:
        data = json.loads(read_text(path, MAX_PARAMETERS_BYTES))
    except SourceError as exc:
        raise ParametersError(f"{file}:{exc.line or 1}: {exc.message}") from None
    except json.JSONDecodeError as exc:
        raise ParametersError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise ParametersError(f"{file}: not valid JSON: {exc}") from None
    expected = 'a list of {"ParameterKey": …, "ParameterValue": …}'
    if not isinstance(data, list):
        raise ParametersError(f"{file}: expected {expected}")
    values: dict[str, str] = {}
    for index, entry in enumerate(data):
        key = entry.get("ParameterKey") if isinstance(entry, dict) else None
        value = entry.get("ParameterValue") if isinstance(entry, dict) else None
        if isinstance(entry, dict) and entry.get("UsePreviousValue") is True:
            continue  # the deployed stack's value: not known here
        if not (isinstance(key, str) and key and isinstance(value, (str, int, float))) or (
            isinstance(value, bool)
        ):
            raise ParametersError(f"{file}: entry {index + 1}: expected {expected}")
        values[key] = str(value)
    return values
