import pytest
from helpers import described, run

from iacguard.checks.role_session_limit import _seconds
from iacguard.config import Config

CFN = "fixtures/cloudformation"


def test_sessions_over_the_limit_are_reported_at_the_duration() -> None:
    path = f"{CFN}/role_session_limit_positive.yaml"
    assert described(run(path)) == [
        f'IG005 {path}:7:7 medium DeployRole: Role "DeployRole" allows sessions of 12 hours (43200 s); '
        "the limit is 1 hour (3600 s)",
        f'IG005 {path}:18:24 medium Administrators: Permission set "Administrators" allows sessions '
        "of 12 hours (43200 s); the limit is 1 hour (3600 s)",
    ]


def test_one_hour_sessions_and_the_default_pass() -> None:
    assert described(run(f"{CFN}/role_session_limit_negative.yaml")) == []


def test_the_limit_is_configurable() -> None:
    path = f"{CFN}/role_session_limit_positive.yaml"
    assert described(run(path, config=Config(options={"max_session_seconds": 43200}))) == []


def test_an_unset_duration_fires_only_when_an_explicit_limit_is_required() -> None:
    path = f"{CFN}/role_session_limit_negative.yaml"
    result = run(path, config=Config(options={"require_explicit_session_limit": True}))
    assert described(result) == [
        f'IG005 {path}:13:3 medium DefaultRole: Role "DefaultRole" does not set its maximum session '
        "duration; set it to at most 1 hour (3600 s)",
    ]


def test_a_duration_that_is_not_a_duration_is_an_error_not_an_unknown(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      MaxSessionDuration: twelve hours\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(e.line, e.message) for e in result.errors] == [
        (5, "R: MaxSessionDuration must be a whole number of seconds")
    ]
    assert result.unresolved == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (3600, 3600),
        ("43200", 43200),
        ("PT12H", 43200),
        ("PT1H30M", 5400),
        ("P1D", 86400),
        ("pt15m", 900),
        ("PT", None),
        ("P", None),
        ("12h", None),
        (True, None),
    ],
)
def test_durations_in_seconds_and_iso_8601(text: object, seconds: int | None) -> None:
    assert _seconds(text) == seconds
