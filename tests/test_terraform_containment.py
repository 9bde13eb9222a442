"""A bad value costs that value: never its resource, its module or the scan's findings."""

from __future__ import annotations

import pytest
from helpers import described, iacguard, run

FIXTURE = "fixtures/terraform/split_for_each"
ADMIN = [
    f"IG002 {FIXTURE}/main.tf:24:18 critical aws_iam_policy.admin: "
    "Statement #1 allows * on every resource (full administrator access)",
    f"IG008 {FIXTURE}/main.tf:24:18 high aws_iam_policy.admin: Statement #1 allows "
    'iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
    f"IG009 {FIXTURE}/main.tf:24:18 high aws_iam_policy.admin: Statement #1 allows "
    "sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource "
    '(Resource "*"): each returns credentials or secrets',
]


def test_split_and_format_idioms_read_as_terraform_evaluates_them() -> None:
    result = run(FIXTURE)
    assert result.errors == []
    assert described(result) == [
        *ADMIN,
        f"IG002 {FIXTURE}/main.tf:36:18 high aws_iam_policy.buckets: "
        "Statement #1 allows s3:* (every s3 action)",
    ]


def test_format_with_too_few_arguments_is_an_unknown_value_not_an_error() -> None:
    from iacguard.model import Location
    from iacguard.resolve.hcl import Call
    from iacguard.resolve.terraform_functions import _format
    from iacguard.resolve.terraform_values import Located

    at = Location("main.tf", 1)
    expr = Call(at, 'format("%s:%s", "s3")', "format", ())
    with pytest.raises(ValueError, match="not enough arguments"):
        _format(expr, [Located("%s:%s", at), Located("s3", at)])


def test_an_internal_error_in_a_value_costs_that_value_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from iacguard.resolve import terraform_functions

    def fail(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(terraform_functions._FUNCTIONS, "split", fail)
    result = run(FIXTURE)
    file = f"{FIXTURE}/main.tf"
    message = "internal error while evaluating a value: RuntimeError: boom"
    assert [(e.file, e.line, e.column, e.message) for e in result.errors] == [
        (file, 14, 20, message),
        (file, 36, 18, message),
        (file, 37, 37, message),
    ]
    assert described(result) == ADMIN  # the bucket's for_each did not take the module
    done = iacguard("check", FIXTURE)
    assert done.returncode == 2
    assert f"{file}:14:20: error: {message}" in done.stderr


# -- optional() attributes, nullable and null -----------------------------------------------

OPTIONAL = "fixtures/terraform/optional_attributes"


def test_optional_attributes_take_null_or_their_default_as_terraform_converts_them() -> None:
    result = run(OPTIONAL)
    module = f"{OPTIONAL}/modules/iam-role/main.tf"
    assert result.errors == []
    assert described(result) == [
        f'IG002 {OPTIONAL}/main.tf:15:20 critical module.ci.data.aws_iam_policy_document.inline: Statement "Everything" allows * on every resource (full administrator access)',
        f'IG008 {OPTIONAL}/main.tf:15:20 high module.ci.data.aws_iam_policy_document.inline: Statement "Everything" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {OPTIONAL}/main.tf:15:20 high module.ci.data.aws_iam_policy_document.inline: Statement "Everything" allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets',
        f'IG005 {module}:3:3 medium module.reader.aws_iam_role.this: Role "reader" allows sessions of 12 hours (43200 s) if called from module.reader ({OPTIONAL}/main.tf:36); the limit is 1 hour (3600 s)',
    ]


def test_null_arguments_are_unset(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(
        'variable "deny" {\n  type    = bool\n  default = false\n}\n'
        'data "aws_iam_policy_document" "p" {\n'
        "  statement {\n"
        '    effect      = var.deny ? "Deny" : null\n'
        "    not_actions = null\n"
        '    actions     = ["s3:*"]\n'
        '    resources   = ["*"]\n'
        "  }\n}\n"
        'resource "aws_iam_role" "r" {\n  name = "r"\n  max_session_duration = null\n'
        "  assume_role_policy = null\n}\n"
    )
    result = run(tmp_path)
    assert result.errors == []
    assert described(result) == [
        f"IG002 {tmp_path}/main.tf:9:20 high data.aws_iam_policy_document.p: "
        "Statement #1 allows s3:* (every s3 action)"
    ]
