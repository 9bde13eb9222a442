"""A file that runs into one of the readers' limits (size, nesting, keys, alias expansion,
digits) is an error of kind ``limit`` in the JSON output, told apart from a file that is
broken (``parse``): the input may be valid, only too large for iacguard to read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import iacguard

DEEP = "[" * 200 + "]" * 200  # past the 128 levels any reader accepts
NESTED = "nested too deeply (more than 128 levels)"
USER = "Resources:\n  U:\n    Type: AWS::IAM::User\n"
ALIAS_LEVELS = "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
PLAN_HEAD = '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": '
PLAN_USER = (
    '{"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u", '
    '"values": {"name": "u", "tags": ' + DEEP + "}}"
)


def json_errors(directory: Path, *options: str) -> list[dict[str, Any]]:
    done = iacguard("check", ".", "--format", "json", *options, cwd=directory)
    assert done.returncode == 2, done.stderr
    errors: list[dict[str, Any]] = json.loads(done.stdout)["errors"]
    return errors


def error(
    file: str, line: int | None, column: int | None, message: str, kind: str = "limit"
) -> dict[str, Any]:
    return {"file": file, "line": line, "column": column, "message": message, "kind": kind}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(
            "deep.yaml",
            f"Resources:\n  X: {DEEP}\n# AWS::IAM::Role\n",
            error("deep.yaml", 2, None, NESTED),
            id="yaml-nesting",
        ),
        pytest.param(  # libyaml refuses it first, while it looks ahead
            "dashes.yaml",
            "Resources:\n  - AWS::IAM::Role\n  - " + "- " * 20_000 + "x\n",
            error("dashes.yaml", 3, None, NESTED),
            id="yaml-nesting-libyaml",
        ),
        pytest.param(
            "deep.json",
            '{"Resources": {"AWS::IAM::Role": ' + DEEP + "}}",
            error("deep.json", 1, None, NESTED),
            id="json-template-nesting",
        ),
        pytest.param(
            "keys.yaml",
            USER + "Metadata:\n" + "".join(f"  k{i}: v\n" for i in range(10_001)),
            error(
                "keys.yaml",
                5,
                None,
                "a mapping has more than 10,000 keys; the template is not read",
            ),
            id="key-count",
        ),
        pytest.param(
            "aliases.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + ALIAS_LEVELS
            + USER
            + "    Properties:\n      Groups: *i\n",
            error(
                "aliases.yaml",
                None,
                None,
                "YAML aliases expand to more than 250,000 values; the template is not read",
            ),
            id="alias-expansion",
        ),
        pytest.param(
            "digits.yaml",
            USER + "    Properties:\n      Path: " + "9" * 5000 + "\n",
            error(
                "digits.yaml",
                None,
                None,
                "a number has more than 4,300 digits; the template is not read",
            ),
            id="template-digits",
        ),
        pytest.param(
            "main.tf",
            f'resource "aws_iam_user" "u" {{\n  name = "u"\n}}\nlocals {{\n  x = {DEEP}\n}}\n',
            error("main.tf", None, None, NESTED),
            id="hcl-nesting",
        ),
        pytest.param(
            "main.tf.json",
            '{"//": "aws_iam_", "locals": {"x": ' + DEEP + "}}",
            error("main.tf.json", 1, 163, NESTED),
            id="tf-json-nesting",
        ),
        pytest.param(
            "main.tf.json",
            '{"//": "aws_iam_", "locals": {"n": ' + "9" * 5000 + "}}",
            error("main.tf.json", 1, 36, "a number with more than 4,000 digits"),
            id="tf-json-digits",
        ),
        pytest.param(
            "plan.json",
            PLAN_HEAD + '{"root_module": {"resources": [' + PLAN_USER + "]}}}",
            error("plan.json", 1, 351, NESTED),
            id="plan-nesting",
        ),
        pytest.param(  # the resolver's limit: no IAM document holds that many
            "actions.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
            "            Action: [" + ", ".join(["s3:GetObject"] * 10_001) + "]\n"
            "            Resource: '*'\n",
            error("actions.yaml", 8, 21, "P: Action has more than 10,000 values"),
            id="statement-values",
        ),
        pytest.param(  # a policy written as JSON text, nested past the JSON reader's limit
            "policy.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            '      PolicyDocument: \'{"Statement": ' + DEEP + "}'\n",
            error("policy.yaml", 5, 166, f"P: the policy text: {NESTED}"),
            id="policy-text-nesting",
        ),
    ],
)
def test_a_limit_a_reader_runs_into_is_an_error_of_kind_limit(
    tmp_path: Path, name: str, content: str, expected: dict[str, Any]
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert json_errors(tmp_path) == [expected]


@pytest.mark.parametrize("name", ["stack.yaml", "main.tf"])
def test_a_file_over_the_size_limit_is_an_error_of_kind_limit(tmp_path: Path, name: str) -> None:
    text = USER if name.endswith(".yaml") else 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    (tmp_path / name).write_text(text + "#" * 200 + "\n", encoding="utf-8")
    size = len(text) + 201
    message = (
        f"file is {size:,} bytes, over the 100-byte limit; to scan it, raise the limit "
        "with --max-file-bytes"
    )
    assert json_errors(tmp_path, "--max-file-bytes", "100") == [error(name, None, None, message)]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("stack.yaml", "Resources:\n  U: [\n# AWS::IAM::User\n",
         error("stack.yaml", 4, 1, "cannot parse template: did not find expected node content",
               "parse")),
        ("main.tf", 'resource "aws_iam_user" "u" {\n  name = \n}\n',
         error("main.tf", 2, 10, "unexpected '}'", "parse")),
        ("main.tf.json", '{"//": "aws_iam_", "locals": {"x": [1,}}',
         error("main.tf.json", 1, 39, "not valid JSON: unexpected '}'", "parse")),
        ("plan.json", PLAN_HEAD + '{"root_module": {"resources": [1,]}}}',
         error("plan.json", 1, 108, "not valid JSON: unexpected ']'", "parse")),
    ],
)  # fmt: skip
def test_broken_text_stays_an_error_of_kind_parse(
    tmp_path: Path, name: str, content: str, expected: dict[str, Any]
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert json_errors(tmp_path) == [expected]
