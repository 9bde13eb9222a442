"""The CLI's template reader gives what cfn-lint's decoder gives: the same values, the
same line and column for every key and value cfn-lint places, the same errors; on every
fixture template and on generated templates using every YAML feature templates use."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str
from helpers import FIXTURES

from iacguard.parsers.cloudformation_resources import HANDLERS
from iacguard.parsers.source import decode_text
from iacguard.parsers.template_reader import DecodeError, read
from iacguard.resolve.marks import Marks, NodeMarks

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# What the reader gives: built-in types only (YAML 1.1 timestamps are dates).
PLAIN = (dict, list, str, int, float, bool, type(None), datetime.date, datetime.datetime)


def fixture_templates() -> list[Path]:
    return sorted(
        p
        for p in (FIXTURES / "cloudformation").rglob("*")
        if p.suffix in TEMPLATE_SUFFIXES and p.is_file()
    )


def compare(text: str) -> None:
    """Values equal, and every place equal, between cfn-lint's tree and ours."""
    expected, matches = decode_str(text)
    assert not matches, [m.message for m in matches]
    decoded = read(text)
    assert decoded.value == expected
    _same_places(expected, decoded.value, NodeMarks(), decoded.marks, ())


def _same_places(theirs: Any, ours: Any, their_marks: Marks, our_marks: Marks, path: Any) -> None:
    assert type(ours) in PLAIN, (path, type(ours))
    if isinstance(theirs, (dict, list)):
        assert type(ours) is (dict if isinstance(theirs, dict) else list), path
        assert our_marks.node(ours) == their_marks.node(theirs), path
        keys = list(theirs) if isinstance(theirs, dict) else list(range(len(theirs)))
        assert keys == (list(ours) if isinstance(ours, dict) else list(range(len(ours)))), path
        for key in keys:
            where = (*path, key)
            if isinstance(theirs, dict):
                assert our_marks.key(ours, key) == their_marks.key(theirs, key), where
            assert our_marks.value(ours, key) == their_marks.value(theirs, key), where
            _same_places(theirs[key], ours[key], their_marks, our_marks, where)
    else:
        assert type(ours) is type(theirs) or isinstance(theirs, type(ours)), path


@pytest.mark.parametrize("path", fixture_templates(), ids=lambda p: p.name)
def test_every_fixture_template_reads_as_cfn_lint_reads_it(path: Path) -> None:
    compare(decode_text(path.read_bytes()))


BODY = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Mappings:
  Regions:
    eu-west-1: {Ami: ami-1, Size: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Condition IsProd]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Metadata: {aws:cdk:path: Stack/Role/Resource}
    Properties:
      RoleName: !Sub "${Env}-role"
      Path: !Sub
        - "/${Prefix}/"
        - Prefix: !Ref Env
      MaxSessionDuration: !If [IsProd, 3600, 28800]
      ManagedPolicyArns: [!Ref Policy, {"Ref": "Policy"}, {"Fn::GetAtt": [Policy, Arn]}]
      Tags:
        - {Key: arn, Value: !GetAtt Policy.PolicyArn}
        - {Key: list, Value: !GetAtt [Policy, Arn]}
        - {Key: join, Value: !Join ["", [a, !Select [0, !Split [",", "x,y"]]]]}
        - {Key: map, Value: !FindInMap [Regions, !Ref "AWS::Region", Ami]}
        - {Key: b64, Value: !Base64 {"Fn::Sub": "x"}}
        - {Key: cidr, Value: !Select [0, !Cidr [10.0.0.0/16, 2, 8]]}
        - {Key: import, Value: !ImportValue shared-vpc}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: !If [IsProd, {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}, !Ref AWS::NoValue]
            Action: [sts:AssumeRole, 'sts:TagSession']
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Description: >
        folded
        text

        with a blank line
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "s3:Get*"
            Resource: |
              literal
                indented
          - Effect: Allow
            Action: >-
              kms:Decrypt
            Resource: "a \\"quoted\\" \\u00e9 string"
          - Effect: Allow
            Action: 'single ''quoted'''
            Resource: plain
              multi-line
  Module:
    Type: !Rain::Module ./modules/bucket.yaml
    Properties: !Transform {Name: AWS::Include, Parameters: {Location: s3://x}}
"""

GENERATED = {
    "short_and_long_forms": BODY,
    "scalars": (
        "Resources:\n  R:\n    Type: AWS::IAM::User\n    Properties:\n"
        "      Int: 42\n      Octal: 0o17\n      Hex: 0x1F\n      Float: 1.5e3\n"
        "      Inf: .inf\n      Agreed: yes\n      Switch: On\n      Nothing: ~\n      Empty:\n"
        "      Date: 2024-01-02\n      Time: 2024-01-02T03:04:05Z\n      Str: !!str 12\n"
        "      Version: 2012-10-17\n      Colon: a:b\n      Neg: -1\n"
    ),
    "anchors_and_merge_keys": (
        "Defaults: &defaults\n  Effect: Allow\n  Resource: '*'\n"
        "Extra: &extra {Condition: {Bool: {aws:SecureTransport: 'true'}}}\n"
        "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - <<: *defaults\n            Action: s3:*\n"
        "          - <<: [*defaults, *extra]\n            Effect: Deny\n            Action: &a iam:*\n"
        "          - {Action: *a, Effect: Allow, Resource: *a}\n"
        "      Roles: &roles [a, b]\n      Users: *roles\n"
    ),
    "comments_flow_and_quoted_keys": (
        "# a comment\nResources: # after\n  'Quoted': {\"Type\": AWS::IAM::Group, "
        "Properties: {GroupName: g, Path: / }}  # trailing\n"
        "  ? Complex\n  : {Type: AWS::IAM::Group}\n"
    ),
    "json": (
        '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n'
        '    "R": {"Type": "AWS::IAM::Role", "Properties": {\n'
        '      "RoleName": {"Ref": "AWS::StackName"}, "Max": 3600, "On": true, "N": null,\n'
        '      "Policies": [{"PolicyName": "p", "PolicyDocument": "{\\"Statement\\": []}"}]}}\n'
        "  }\n}\n"
    ),
    "json_with_tabs": (
        '{\n\t"Resources": {\n\t\t"R": {\n\t\t\t"Type": "AWS::IAM::User",\n'
        '\t\t\t"Properties": {"UserName": "a", "Path": ["/", 1, true, null, 1.5]}\n\t\t}\n\t}\n}\n'
    ),
    "json_with_escapes": (
        '{"Resources": {"R": {"Type": "AWS::IAM::User", "Properties": {"Path": "\\/a\\/"}}}}\n'
    ),
    "empty_document": "",
    "comment_only": "# nothing here\n",
    "explicit_document_markers": "---\nResources:\n  R: {Type: AWS::IAM::User}\n...\n",
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_templates_read_as_cfn_lint_reads_them(name: str) -> None:
    compare(GENERATED[name])


@pytest.mark.parametrize("name", ["short_and_long_forms", "json_with_tabs"])
@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode(), id="utf8"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode(), id="bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
    ],
)
def test_boms_and_crlf_read_the_same(name: str, encode: Any) -> None:
    compare(decode_text(encode(GENERATED[name])))


def their_error(text: str) -> tuple[str, int | None, int | None]:
    """cfn-lint's first error in our words: what the CLI reported when it decoded with
    cfn-lint (its limits in our words, "could not be parsed" without a position)."""
    _, matches = decode_str(text)
    assert matches
    first = matches[0]
    message = " ".join(str(first.message).split())
    if "YAML aliases are expanded" in message:
        return (
            "YAML aliases expand to more than 250,000 values; the template is not read",
            None,
            None,
        )
    if "integer string conversion" in message:
        return "a number has more than 4,300 digits; the template is not read", None, None
    message = f"cannot parse template: {message}"
    message = message if len(message) <= 200 else message[:197] + "..."
    if message.startswith("cannot parse template: Template could not be parsed"):
        return message, None, None
    return message, first.linenumber, first.columnnumber


def our_error(text: str) -> tuple[str, int | None, int | None]:
    with pytest.raises(DecodeError) as caught:
        read(text)
    return caught.value.message, caught.value.line, caught.value.column


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(5)
)

BROKEN = {
    "duplicate_key": "Resources:\n  A: {Type: AWS::IAM::User}\n  B: {}\n  A: {Type: x}\n",
    "duplicate_nested_first": (
        "Resources:\n  A:\n    Type: x\n    Type: y\n  A: {}\nOutputs: {}\n"
    ),
    "alias_bomb": BOMB,
    "unclosed_flow": "Resources: {A: [unclosed\n",
    "bad_indentation": "Resources:\n  A:\n    Type: x\n   Bad: y\n",
    "two_documents": "Resources: {}\n---\nResources: {}\n",
    "undefined_alias": "Resources: *nowhere\n",
    "duplicate_anchor": "a: &x 1\nb: &x 2\n",
    "unknown_tag": "Resources: !!python/name:os.system x\n",
    "null_key": "Resources:\n  ~: {Type: x}\n",
    "syntax_after_duplicate": "A: 1\nA: 2\nB: [\n",
    "json_duplicate_key": '{"a": "\\/",\n "b": {"c": 1, "c": 2}}\n',
    "json_syntax": '{"a": "\\/" "b"}\n',
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_templates_give_the_errors_cfn_lint_gives(name: str) -> None:
    assert our_error(BROKEN[name]) == their_error(BROKEN[name])


def test_a_cli_scan_of_cloudformation_does_not_import_cfn_lint() -> None:
    """cfn-lint's decoder pulls in sympy and networkx (most of a second); only the
    rule pack, which runs inside cfn-lint, uses it."""
    from helpers import scan_imports

    done, _, modules = scan_imports(
        "check", "fixtures/cloudformation", "--jobs", "1", "--no-cache", "--format", "json"
    )
    assert done.stderr == ""
    assert not {m for m in modules if m.split(".")[0] in ("cfnlint", "sympy")}
    assert '"rule_id": "IG002"' in done.stdout


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_the_pure_python_parser_reads_the_same_where_libyaml_is_missing(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from iacguard.parsers import template_reader

    monkeypatch.setattr(template_reader, "_LOADER", yaml.SafeLoader)
    compare(GENERATED[name])


def test_the_tags_kept_across_templates_are_few_and_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain scalars' tags are kept from one template to the next, within bounds: the
    texts are the template author's."""
    from iacguard.parsers import template_reader

    monkeypatch.setattr(template_reader, "_TAGS", {})
    monkeypatch.setattr(template_reader, "_TAGS_KEPT", 4)
    long = "x" * 65
    text = "\n".join(f"k{i}: {value}" for i, value in enumerate(["yes", "12", "a", "b", "c", long]))
    expected = {"k0": True, "k1": 12, "k2": "a", "k3": "b", "k4": "c", "k5": long}
    assert read(text).value == expected
    assert read(text).value == expected  # again, with some tags kept
    assert 0 < len(template_reader._TAGS) <= 4
    assert all(len(value) <= 64 for value in template_reader._TAGS)


# -- the properties of resources the CLI does not read -----------------------------------

RESOURCE_TYPES = frozenset({"AWS::IAM::Role"})


def _bucket(properties: str, before: str = "") -> str:
    """A role, and a bucket (a type not read) with ``properties``."""
    body = "".join(f"      {line}\n" for line in properties.splitlines())
    return (
        f"{before}Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {{Path: /}}\n"
        f"  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n{body}"
        "  Queue:\n    Type: AWS::SQS::Queue\n"
    )


def _emptied(template: Any) -> Any:
    """``template`` with the properties of resources not of ``RESOURCE_TYPES`` emptied,
    where the type is written first."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return template
    emptied = {}
    for name, resource in resources.items():
        if (
            isinstance(resource, dict)
            and isinstance(resource.get("Properties"), (dict, list))
            and resource.get("Type") not in RESOURCE_TYPES
            and list(resource).index("Type") < list(resource).index("Properties")
        ):
            emptied[name] = {**resource, "Properties": {}}
        else:
            emptied[name] = resource
    return {**template, "Resources": emptied}


def _outcome(text: str, resource_types: Any = None) -> Any:
    try:
        return read(text, resource_types).value
    except DecodeError as error:
        return error.message, error.line, error.column, error.kind


# What is in properties left unread, and how reading them ends: "emptied" (read through),
# "read" (read after all: only building them checks it), or the error reading them gives.
UNREAD = {
    "strings_numbers_and_functions": (
        _bucket("A: [1, 2.5, yes, ~, 'q', !Ref X, !GetAtt [B, Arn]]\nB: {C: !Sub {X: 1}}\n"),
        "emptied",
    ),
    "flow_style": (_bucket("{A: [x, {B: y}], C: !If [c, {D: 1}, !Ref AWS::NoValue]}"), "emptied"),
    "type_written_after_them": (
        "Resources:\n  Bucket:\n    Properties: {A: 1}\n    Type: AWS::S3::Bucket\n",
        "read",
    ),
    "anchors_anywhere": (_bucket("A: &a {B: 1}\nC: *a\n"), "read"),
    "merge_key": (_bucket("A:\n  <<: {B: 1}\n  C: 2\n"), "read"),
    "number_key": (_bucket("200: ok\n"), "read"),
    "function_argument_written_twice": (_bucket("A: !Sub {X: 1, X: 2}\n"), "emptied"),
    "duplicate_key": (_bucket("A: 1\nB: 2\nA: 3\n"), "error"),
    "duplicate_nested_first": (_bucket("A:\n  B: 1\n  B: 2\nA: 3\n"), "error"),
    "duplicate_key_in_a_list": (_bucket("A:\n  - {B: 1, B: 2}\n"), "error"),
    "duplicate_key_then_a_bad_date": (_bucket("A:\n  B: 1\n  B: 2\nC: 2023-02-30\n"), "error"),
    "null_key": (_bucket("~: 1\n"), "error"),
    "list_as_key": (_bucket("? [a, b]\n: c\n"), "error"),
    "unknown_scalar_tag": (_bucket("A: !!python/name:os.system x\n"), "error"),
    "unknown_collection_tag": (_bucket("A: !!python/tuple [a]\n"), "error"),
    "bad_date": (_bucket("A: 2023-02-30\n"), "error"),
    "number_too_long": (_bucket(f"A: {'1' * 5000}\n"), "error"),
    "undefined_alias": (_bucket("A: *nowhere\n"), "error"),
    "syntax_after_a_duplicate": (_bucket("A: 1\nA: 2\nB: [\n"), "error"),
    "duplicate_before_the_bucket": (_bucket("A: [\n", before="X: 1\nX: 2\n"), "error"),
}


@pytest.mark.parametrize("name", sorted(UNREAD))
def test_properties_left_unread_are_checked_as_when_read(name: str) -> None:
    """Reading a scan's templates, the CLI builds no properties of resources it does not
    look at; the template reads as it would otherwise, errors and all."""
    text, ending = UNREAD[name]
    full = _outcome(text)
    partial = _outcome(text, RESOURCE_TYPES)
    if ending == "error":
        assert isinstance(full, tuple)
        assert partial == full
    else:
        assert isinstance(full, dict)
        assert partial == (_emptied(full) if ending == "emptied" else full)
        assert (partial != full) == (ending == "emptied")


@pytest.mark.parametrize("name", ["too_deep", "too_many_keys"])
def test_properties_left_unread_keep_the_limits(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from iacguard.parsers import template_reader

    if name == "too_deep":
        monkeypatch.setattr(template_reader, "MAX_NESTING", 6)
        text = _bucket("X: 1\nA:\n  B:\n    C: {D: 1}\n")
    else:
        monkeypatch.setattr(template_reader, "MAX_KEYS", 3)
        text = _bucket("A: 1\nB: 2\nC: 3\nD: 4\n")
    expected = ("nested too deeply", 11) if name == "too_deep" else (
        "a mapping has more than 3 keys", 8)  # fmt: skip
    for resource_types in (None, RESOURCE_TYPES):
        message, line, _, kind = _outcome(text, resource_types)
        assert (message[: len(expected[0])], line, kind) == (*expected, "limit")


@pytest.mark.parametrize(
    "path", fixture_templates() + sorted(GENERATED), ids=lambda p: getattr(p, "name", p)
)
def test_reading_fewer_properties_keeps_every_other_value_and_place(path: Any) -> None:
    text = GENERATED[path] if isinstance(path, str) else decode_text(path.read_bytes())
    resource_types = frozenset(HANDLERS)
    full, partial = read(text), read(text, resource_types)
    resources = full.value.get("Resources") if isinstance(full.value, dict) else None
    unread = [
        name
        for name, resource in (resources or {}).items()
        if isinstance(resource, dict)
        and isinstance(resource.get("Properties"), (dict, list))
        and isinstance(resource.get("Type"), str)
        and resource["Type"] not in resource_types
        and list(resource).index("Type") < list(resource).index("Properties")
        and "&" not in text
    ]
    for name in unread:  # an empty mapping where the properties were
        placeholder = partial.value["Resources"][name]["Properties"]
        properties = full.value["Resources"][name]["Properties"]
        assert placeholder == {}
        assert partial.marks.node(placeholder) == full.marks.node(properties)
        full.value["Resources"][name]["Properties"] = placeholder
        full.marks.nodes[id(placeholder)] = partial.marks.nodes[id(placeholder)]
    _same_places(full.value, partial.value, full.marks, partial.marks, ())


def test_a_scan_reads_the_properties_it_looks_at_and_finds_the_same() -> None:
    """Every fixture's parse result is the same whether other resources' properties are
    read or not."""
    from iacguard.parsers import template_reader
    from iacguard.parsers.cloudformation import parse_text

    for path in fixture_templates():
        text = decode_text(path.read_bytes())
        result = parse_text(text, path.as_posix())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(template_reader._Builder, "_unread", lambda self, stack: False)
            assert parse_text(text, path.as_posix()) == result, path
