"""A check's options are declared once, on the check: the config key, the CLI flag and
the cfn-lint option come from the declaration, with the same validation everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import iacguard

from iacguard.cfnlint.pack import rule_classes
from iacguard.checks import CHECKS, OPTIONS
from iacguard.checks.options import Option, OptionError, Settings, unique_options
from iacguard.checks.role_session_limit import MAX_SESSION_SECONDS
from iacguard.config import KEYS, parse_config

POSITIVE = "fixtures/cloudformation/role-session-limit/positive_twelve_hour_sessions.yaml"
ACCOUNTS = Option(
    "trusted_accounts",
    ("111111111111",),
    "accounts trusted",
    flag="--trusted-account",
    metavar="ID",
    problem=lambda v: None if re.fullmatch(r"\d{12}", v) else f"{v!r} is not a 12-digit account id",
)


@pytest.mark.parametrize(
    ("option", "raw", "value"),
    [
        (MAX_SESSION_SECONDS, 7200, 7200),
        (MAX_SESSION_SECONDS, " 7200 ", 7200),
        (Option("flag", False, ""), True, True),
        (Option("flag", False, ""), "TRUE", True),
        (Option("flag", True, ""), "false", False),
        (ACCOUNTS, "222222222222", ("222222222222",)),
        (ACCOUNTS, ["222222222222", "333333333333"], ("222222222222", "333333333333")),
    ],
)
def test_a_value_is_read_the_same_from_a_config_the_command_line_or_cfn_lint(
    option: Option[int], raw: object, value: object
) -> None:
    assert option.value(raw) == value


@pytest.mark.parametrize(
    ("option", "raw", "problem"),
    [
        (MAX_SESSION_SECONDS, 0, "must be a whole number greater than 0, not 0"),
        (MAX_SESSION_SECONDS, True, "must be a whole number greater than 0, not True"),
        (MAX_SESSION_SECONDS, "-5", "must be a whole number greater than 0, not '-5'"),
        (MAX_SESSION_SECONDS, 1.5, "must be a whole number greater than 0, not 1.5"),
        (Option("flag", False, ""), "yes", "must be true or false, not 'yes'"),
        (Option("flag", False, ""), 1, "must be true or false, not 1"),
        (ACCOUNTS, [1], "must be a list of strings, not [1]"),
        (ACCOUNTS, ["12"], "'12' is not a 12-digit account id"),
    ],
)
def test_a_bad_value_says_what_the_option_needs(
    option: Option[int], raw: object, problem: str
) -> None:
    with pytest.raises(OptionError) as raised:
        option.value(raw)
    assert str(raised.value) == problem


def test_settings_give_the_value_given_else_the_default() -> None:
    assert Settings()[MAX_SESSION_SECONDS] == 3600
    assert Settings({"max_session_seconds": 60})[MAX_SESSION_SECONDS] == 60
    assert Settings({"max_session_seconds": 60})[ACCOUNTS] == ("111111111111",)


def test_the_registry_lists_every_option_of_every_check_once() -> None:
    assert tuple(dict.fromkeys(o for c in CHECKS for o in c.options)) == OPTIONS
    names = [o.name for o in OPTIONS]
    assert len(set(names)) == len(names)
    assert set(names).isdisjoint(KEYS), "an option may not shadow a config key"


def test_every_option_is_a_config_key() -> None:
    for option in OPTIONS:
        raw = list(option.default) if isinstance(option.default, tuple) else option.default
        config = parse_config({option.name: raw}, "x.yaml", Path())
        assert config.options == {option.name: option.default}
        assert config.settings()[option] == option.default


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_a_flag_of_check_with_its_help(option: Option[int]) -> None:
    done = iacguard("check", "--help")
    users = ", ".join(c.slug for c in CHECKS if option in c.options)
    help_text = " ".join(done.stdout.split())
    assert option.cli_flag in help_text
    assert f"{users}: {option.help}" in help_text


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_a_cfn_lint_option_of_each_rule_whose_check_declares_it(
    option: Option[int],
) -> None:
    for rule in rule_classes()[1:]:
        check = next(c for c in CHECKS if c.summary == rule.shortdesc)
        assert (option.name in rule().config_definition) == (option in check.options)


def test_the_command_line_overrides_the_config_file(tmp_path: Path) -> None:
    (tmp_path / ".iacguard.yaml").write_text("max_session_seconds: 60\n", encoding="utf-8")
    target = str(Path(POSITIVE).resolve())
    done = iacguard("check", target, "--max-session-seconds", "43200", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "No findings in 1 file scanned.\n")


def test_a_bad_flag_value_is_a_usage_error_naming_the_flag() -> None:
    done = iacguard("check", POSITIVE, "--max-session-seconds", "12h")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "iacguard check: error: argument --max-session-seconds: "
        "must be a whole number greater than 0, not '12h'"
    )


def test_a_boolean_flag_turns_its_option_on() -> None:
    negative = "fixtures/cloudformation/role-session-limit/negative_one_hour_or_default.yaml"
    assert iacguard("check", negative).stdout == "No findings in 1 file scanned.\n"
    done = iacguard("check", negative, "--require-explicit-session-limit")
    assert (done.returncode, done.stdout.splitlines()[0]) == (
        1,
        f'{negative}:13:3  MEDIUM  IG005  DefaultRole  Role "DefaultRole" does not set '
        "its maximum session duration; set it to at most 1 hour (3600 s)",
    )


def test_two_different_options_may_not_share_a_name() -> None:
    twin = Option("max_session_seconds", 60, "another limit")
    assert unique_options([MAX_SESSION_SECONDS, MAX_SESSION_SECONDS]) == (MAX_SESSION_SECONDS,)
    with pytest.raises(ValueError, match="two different options are named 'max_session_seconds'"):
        unique_options([MAX_SESSION_SECONDS, twin])
