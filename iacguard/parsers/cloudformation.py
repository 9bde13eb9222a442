"""CloudFormation and SAM templates (YAML or JSON) → the IAM model.

Decoding is ``template_reader``'s (plain values and their places, read as cfn-lint reads
them; the cfn-lint pack hands over cfn-lint's own tree); ``cloudformation_reader`` reads a
decoded template's resources into the model, each resource type as
``cloudformation_resources`` says; intrinsic functions are resolved by
``iacguard.resolve.cloudformation``; the policy grammar is ``policy_document``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from iacguard.errors import Error
from iacguard.model import Directive, Unresolved
from iacguard.parsers import ParseResult
from iacguard.parsers.cloudformation_reader import TemplateReader
from iacguard.parsers.cloudformation_resources import (
    HANDLERS,
    LAMBDA_PERMISSION,
    RESOURCE_POLICIES,
)
from iacguard.parsers.comments import comment_directives
from iacguard.parsers.source import (
    DEFAULT_MAX_FILE_BYTES,
    SourceError,
    TooLarge,
    contains,
    decode_text,
    read_bytes,
)
from iacguard.resolve.marks import Marks

_IAM_TYPE_PREFIXES = (
    "AWS::IAM::",
    "AWS::SSO::",
    "AWS::Serverless::",
    *RESOURCE_POLICIES,
    LAMBDA_PERMISSION,
)
_IAM_MARKERS = tuple(
    prefix.encode(encoding)
    for prefix in _IAM_TYPE_PREFIXES
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_RESOURCE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$")


def may_hold_iam(data: bytes) -> bool:
    """A cheap test: a template without any IAM, SSO or SAM resource type holds nothing
    the checks look at, so it is skipped without decoding (and without importing
    cfn-lint, whose import alone takes most of a second). UTF-16 spellings count, so
    that such a file is reported rather than skipped."""
    return any(marker in data for marker in _IAM_MARKERS)


def is_cloudformation(template: Any) -> bool:
    """Recognise a template by content: the format version, or resources typed AWS::…"""
    if not isinstance(template, dict):
        return False
    if "AWSTemplateFormatVersion" in template:
        return True
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    return any(
        isinstance(r, dict)
        and isinstance(r.get("Type"), str)
        and bool(_RESOURCE_TYPE.match(r["Type"]))
        for r in resources.values()
    )


def parse_file(
    path: Path, file: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, *, named: bool = False
) -> ParseResult:
    """Parse one file; ``file`` is the name findings will carry."""
    text = read_template(path, file, max_bytes, named=named)
    return text if isinstance(text, ParseResult) else parse_text(text, file)


def read_template(
    path: Path, file: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, *, named: bool = False
) -> str | ParseResult:
    """A candidate's text, or its finished result: skipped quietly when it holds no IAM
    resource type (whatever its size or encoding), else an error when it cannot be read.
    A file ``named`` on the command line is always read: one that cannot be is reported,
    as the user asked for it."""
    result = ParseResult()
    try:
        data = read_bytes(path, max_bytes)
    except TooLarge as exc:
        if named or contains(path, _IAM_MARKERS):
            result.errors.append(Error(exc.kind, exc.message, file))
        else:
            result.skipped.append(file)
        return result
    except SourceError as exc:
        result.errors.append(Error(exc.kind, exc.message, file, exc.line))
        return result
    if not named and not may_hold_iam(data):
        result.skipped.append(file)
        return result
    try:
        return decode_text(data)
    except SourceError as exc:
        result.errors.append(Error(exc.kind, exc.message, file, exc.line))
        return result


def parse_text(text: str, file: str, parameters: dict[str, str] | None = None) -> ParseResult:
    """Parse a file's text as ``read_template`` returns it (it has passed
    ``may_hold_iam``); ``file`` is its name; ``parameters`` (``--parameters``) override
    the defaults of the parameters the template declares."""
    from iacguard.parsers.template_reader import DecodeError, read

    result = ParseResult()
    try:
        decoded = read(text, HANDLERS)  # the properties of other resources are not read
    except DecodeError as error:
        result.errors.append(Error(error.kind, error.message, file, error.line, error.column))
        return result
    template = decoded.value
    if not is_cloudformation(template):
        result.skipped.append(file)
        return result
    assert isinstance(template, dict)
    from iacguard.resolve.cloudformation_foreach import expand

    if parameters:
        template = _with_parameters(template, parameters)
    template, skipped = expand(template, decoded.marks, file)
    result = parse_template(template, file, text, decoded.marks, paths=False)
    result.model.unresolved.extend(
        Unresolved(file, loop.location.line, loop.key, loop.expression, loop.why)
        for loop in skipped
    )
    result.model.directives.extend(comment_suppressions(text, file))
    # The result leaves this process (a worker's, into the cache): the reader builds
    # built-in values only (tests/test_cloudformation_real_shapes.py checks every shape).
    return result


def _with_parameters(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The template with the given values as the defaults of the parameters it declares
    (a value given as at deploy: resolution reads it like a Default)."""
    declared = template.get("Parameters")
    if not isinstance(declared, dict):
        return template
    overridden = {
        name: {**param, "Default": values[name]}
        if isinstance(param, dict) and name in values
        else param
        for name, param in declared.items()
    }
    return {**template, "Parameters": overridden}


def comment_suppressions(text: str, file: str) -> list[Directive]:
    """The suppression comments in a template's text (a decoded template has no comments;
    the cfn-lint pack reads them from the file cfn-lint decoded)."""
    return comment_directives(text, file, ("#",))


def parse_template(
    template: dict[str, Any],
    file: str,
    text: str | None = None,
    marks: Marks | None = None,
    *,
    paths: bool = True,
) -> ParseResult:
    """Translate a decoded template into the model: plain values with their ``marks``
    (the CLI's reader), or cfn-lint's nodes (the rule pack). ``text`` is the template's
    text, to locate what is written inside strings (policies given as JSON text).
    ``paths``: whether locations carry their path in the template, which only the
    cfn-lint pack shows."""
    result = ParseResult()
    result.scanned.append(file)
    reader = TemplateReader(template, file, result, text, marks, paths=paths)
    reader.read()
    return result
