"""Intrinsic functions resolved one by one, on templates decoded by cfn-lint."""

from __future__ import annotations

import pytest
from cfnlint.decode import decode_str

from iacguard.model import Location, Scalar, Unknown
from iacguard.resolve.cloudformation import Intrinsics
from iacguard.resolve.node import Node

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a,b"}
  NoDefault: {Type: String}
Mappings:
  Regions: {dev: {Action: "s3:Get*"}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Probe:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Value: VALUE
"""


def resolve(expression: str) -> list[tuple[object, str | None]]:
    template, matches = decode_str(TEMPLATE.replace("VALUE", expression))
    assert not matches
    cfn = Intrinsics(template, "t.yaml")
    node = Node(template["Resources"]["Probe"]["Properties"]["Value"], (), Location("t.yaml", 1))
    return [
        (v.value if isinstance(v, Scalar) else f"unknown: {v.why}", v.when)
        for v in cfn.elements(node)
    ]


@pytest.mark.parametrize(
    ("expression", "values"),
    [
        ("literal", [("literal", None)]),
        ("!Ref Env", [("dev", None)]),
        ("!Ref AWS::Partition", [("aws", None)]),
        ("!Ref AWS::Region", [("${AWS::Region}", None)]),
        ("!Ref Names", [("a", None), ("b", None)]),
        ("!Ref NoDefault", [("unknown: parameter NoDefault has no Default", None)]),
        ("!Ref Bucket", [("unknown: Ref to resource Bucket is known only after deploy", None)]),
        (
            '!Sub "arn:${AWS::Partition}:s3:::${Env}-${!Literal}"',
            [("arn:aws:s3:::dev-${Literal}", None)],
        ),
        ('!Sub ["${X}:*", {X: !Ref Env}]', [("dev:*", None)]),
        ('!Sub "${Bucket.Arn}/*"', [("unknown: ${Bucket.Arn} is known only after deploy", None)]),
        (
            '!Join ["", ["s3:", !If [IsProd, Get*, "*"]]]',
            [("s3:Get*", "condition IsProd is true"), ("s3:*", "condition IsProd is false")],
        ),
        ("!Select [1, [x, y, z]]", [("y", None)]),
        ("!Select [0, !Split [',', 'p,q']]", [("p", None)]),
        ("!FindInMap [Regions, !Ref Env, Action]", [("s3:Get*", None)]),
        (
            "!FindInMap [Regions, prod, Action]",
            [("unknown: Fn::FindInMap keys not found in Mappings", None)],
        ),
        (
            "!If [IsProd, [a, b], !Ref AWS::NoValue]",
            [("a", "condition IsProd is true"), ("b", "condition IsProd is true")],
        ),
        (
            "!GetAtt Bucket.Arn",
            [("unknown: Fn::GetAtt is known only when the stack is deployed", None)],
        ),
        ("[one, !Ref AWS::NoValue, two]", [("one", None), ("two", None)]),
    ],
)
def test_resolution(expression: str, values: list[tuple[object, str | None]]) -> None:
    assert resolve(expression) == values


def test_unknowns_keep_their_source_text() -> None:
    template, _ = decode_str(TEMPLATE.replace("VALUE", "!GetAtt Bucket.Arn"))
    cfn = Intrinsics(template, "t.yaml")
    node = Node(template["Resources"]["Probe"]["Properties"]["Value"], (), Location("t.yaml", 1))
    (value,) = cfn.alternatives(node)
    assert isinstance(value, Unknown)
    assert value.expression == "!GetAtt Bucket.Arn"
