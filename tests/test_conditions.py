"""The condition evaluator, table by table: what restricts, what does not, what is unresolved."""

from __future__ import annotations

import pytest

from iacguard.conditions import (
    concrete,
    is_positive,
    key_matches,
    positive_values,
    restriction,
)
from iacguard.model import Condition, Location, Scalar, Unknown, Value

HERE = Location("policy.json", 7, 9)
ORG_KEYS = ("aws:PrincipalOrgID", "aws:ResourceTag/")


def condition(operator: str, key: str, *values: str | bool | Value) -> Condition:
    return Condition(
        operator,
        key,
        tuple(v if isinstance(v, (Scalar, Unknown)) else Scalar(v, HERE) for v in values),
        HERE,
    )


@pytest.mark.parametrize(
    ("operator", "positive"),
    [
        ("StringEquals", True),
        ("StringLike", True),
        ("stringequalsignorecase", True),
        ("ArnEquals", True),
        ("ArnLike", True),
        ("Bool", True),
        ("NumericLessThan", True),
        ("IpAddress", True),
        ("ForAnyValue:StringEquals", True),
        ("StringNotEquals", False),
        ("StringNotLike", False),
        ("ArnNotLike", False),
        ("NotIpAddress", False),
        ("StringEqualsIfExists", False),
        ("ArnLikeIfExists", False),
        ("ForAllValues:StringEquals", False),
        ("ForAnyValue:StringNotEquals", False),
        ("Null", False),
        ("", False),
    ],
)
def test_which_operators_restrict(operator: str, positive: bool) -> None:
    assert is_positive(operator) is positive


@pytest.mark.parametrize(
    ("value", "is_concrete"),
    [
        ("o-a1b2c3", True),
        ("arn:aws:iam::111122223333:*", True),
        ("*", False),
        ("?*", False),
        ("", False),
        ("  ", False),
    ],
)
def test_concrete_values(value: str, is_concrete: bool) -> None:
    assert concrete(value) is is_concrete


@pytest.mark.parametrize(
    ("key", "matches"),
    [
        ("aws:PrincipalOrgID", True),
        ("AWS:principalorgid", True),
        ("aws:ResourceTag/team", True),
        ("aws:ResourceTag", False),
        ("aws:PrincipalOrgPaths", False),
    ],
)
def test_keys_match_case_insensitively_and_by_prefix(key: str, matches: bool) -> None:
    assert key_matches(key, ORG_KEYS) is matches


@pytest.mark.parametrize(
    ("conditions", "restricts"),
    [
        ([condition("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3")], True),
        ([condition("StringEquals", "aws:ResourceTag/team", "payments")], True),
        ([condition("StringLike", "aws:principalorgid", "o-a1b2*")], True),
        # the loosest of several values counts
        ([condition("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3", "*")], False),
        ([condition("StringEquals", "aws:PrincipalOrgID", "")], False),
        ([condition("StringEquals", "aws:PrincipalOrgID")], False),
        ([condition("StringNotEquals", "aws:PrincipalOrgID", "o-a1b2c3")], False),
        ([condition("StringEqualsIfExists", "aws:PrincipalOrgID", "o-a1b2c3")], False),
        ([condition("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3")], False),
        # a key the rule does not care about never restricts
        ([condition("StringEquals", "aws:RequestedRegion", "eu-west-1")], False),
        # conditions are ANDed: one that restricts is enough
        (
            [
                condition("StringNotEquals", "aws:PrincipalOrgID", "o-x"),
                condition("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3"),
            ],
            True,
        ),
        ([], False),
    ],
)
def test_what_restricts(conditions: list[Condition], restricts: bool) -> None:
    result = restriction(conditions, ORG_KEYS)
    assert result.restricts is restricts
    assert result.unresolved == ()
    assert (result.by is not None) is restricts


def test_the_restricting_condition_is_named() -> None:
    open_one = condition("StringNotEquals", "aws:PrincipalOrgID", "o-x")
    closing = condition("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3")
    assert restriction([open_one, closing], ORG_KEYS).by is closing


def test_an_unresolved_value_is_unresolved_not_a_pass() -> None:
    unknown = Unknown("var.org_id", "variable without a default", HERE)
    result = restriction([condition("StringEquals", "aws:PrincipalOrgID", unknown)], ORG_KEYS)
    assert result.restricts is False
    assert result.unresolved == (unknown,)


def test_an_open_value_beside_an_unresolved_one_is_open() -> None:
    unknown = Unknown("var.org_id", "variable without a default", HERE)
    result = restriction([condition("StringEquals", "aws:PrincipalOrgID", unknown, "*")], ORG_KEYS)
    assert (result.restricts, result.unresolved) == (False, ())


def test_a_restricting_condition_wins_over_an_unresolved_one() -> None:
    unknown = Unknown("var.org_id", "variable without a default", HERE)
    result = restriction(
        [
            condition("StringEquals", "aws:PrincipalOrgID", unknown),
            condition("StringEquals", "aws:ResourceTag/team", "payments"),
        ],
        ORG_KEYS,
    )
    assert (result.restricts, result.unresolved) == (True, ())


@pytest.mark.parametrize(
    ("value", "restricts"), [(True, True), ("true", True), (False, False), ("false", False)]
)
def test_a_rule_can_test_the_values_itself(value: str | bool, restricts: bool) -> None:
    mfa = condition("Bool", "aws:MultiFactorAuthPresent", value)
    result = restriction(
        [mfa], ("aws:MultiFactorAuthPresent",), value_ok=lambda _key, text: text == "true"
    )
    assert result.restricts is restricts


def test_positive_values_lists_the_conditions_a_rule_grades() -> None:
    sub = condition("StringLike", "token.actions.githubusercontent.com:sub", "repo:org/*")
    negated = condition("StringNotLike", "token.actions.githubusercontent.com:sub", "repo:x/*")
    other = condition("StringEquals", "token.actions.githubusercontent.com:aud", "sts")
    found = positive_values([sub, negated, other], ("token.actions.githubusercontent.com:sub",))
    assert found == [sub]
